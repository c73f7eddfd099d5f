package wire

// Reply is echofn's answer: what the function saw of the call and of its environment.
type Reply struct {
	Body        string            `json:"body"`
	CallID      string            `json:"callId"`
	ContentType string            `json:"contentType"`
	Deadline    string            `json:"deadline,omitempty"`
	CtxErr      string            `json:"ctxErr,omitempty"`
	Config      string            `json:"config"`
	EnvKeys     []string          `json:"envKeys"`
	Principal   map[string]string `json:"principal"`
	Cwd         string            `json:"cwd"`
	Header      map[string]string `json:"header"`
}
