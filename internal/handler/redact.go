package handler

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// principalVariables are the resource principal's variables whose values (or files) are secret.
var principalVariables = []string{"OCI_RESOURCE_PRINCIPAL_RPST", "OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM", "OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM_PASSPHRASE"}

// secrets collects what must never be printed: the resource principal token (and its
// signature part alone) and every line of its private key, read the way the SDK reads them
// (an absolute path is a file, anything else is the value itself). It reads them afresh at
// every call: OCI Functions refreshes the token file of a running container, and the SDK reads
// the file again (common/auth/federation_client.go, newFileBasedFederationClient), so what the
// process started with is not what an invocation signs with, or fails to parse.
func secrets(getenv func(string) string) []string {
	var out []string
	for _, k := range principalVariables {
		v := getenv(k)
		if filepath.IsAbs(v) {
			b, err := os.ReadFile(v)
			if err != nil {
				continue // the SDK reports the unreadable file itself; there is nothing to hide
			}
			v = string(b)
		}
		out = append(out, SecretParts(v)...)
	}
	return out
}

// SecretParts are what of a secret value (a token, a PEM private key) must never be printed:
// the whole value and each line or dot-separated part long enough to be secret (a JWT's
// signature, a line of a key), never a PEM armour line.
func SecretParts(v string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == '\r' || r == '.' }) {
		if part = strings.TrimSpace(part); len(part) >= 16 && !strings.HasPrefix(part, "-----") {
			out = append(out, part)
		}
	}
	if v = strings.TrimSpace(v); len(v) >= 16 {
		out = append(out, v)
	}
	return out
}

// Shapes of secrets, redacted whatever their value: the last line of defence against a secret
// nobody told the Redactor about (a token the SDK read after the set was built, a key in an
// error text).
var (
	// jwtShape is a JSON Web Token or a piece of one: base64url of a JSON object ("{\"" encodes
	// to eyJ), with the dot-separated parts that follow it (RFC 7519, section 3: header.payload.
	// signature). OCIDs, fingerprints and names never start with eyJ.
	jwtShape = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*)*`)
	// pemShape is a PEM block (RFC 7468: -----BEGIN label----- ... -----END label-----), raw or
	// with its line breaks escaped (\n in a JSON report or log line), or the start of one cut
	// short (an error text truncated inside it): then everything up to the end of its base64.
	pemShape = regexp.MustCompile(`-----BEGIN [A-Z0-9 ]+-----(?s:.*?)-----END [A-Z0-9 ]+-----|-----BEGIN [A-Z0-9 ]+-----(?:\\[nr]|[A-Za-z0-9+/=\s:,-])*`)
	// userinfoShape is the user:password@ of a URL (RFC 3986, section 3.2.1: "Use of the
	// format user:password in the userinfo field is deprecated"): whatever URL the function
	// prints, an endpoint from its configuration or a URL in an SDK error, its credentials are not.
	userinfoShape = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s"'\\<>]+@`)
	// credentialQueryShape is a query parameter whose name says it holds a credential (a signed
	// URL's sig, an access_token, a password): its value is redacted, the name kept. Other query
	// parameters (SCIM filters, page tokens in an SDK error) are kept: they are what an operator
	// needs to read an error, and the function never puts a secret there. In a JSON report an
	// & is written \u0026 (encoding/json escapes it for HTML), so that spelling counts too.
	credentialQueryShape = regexp.MustCompile(`(?i)((?:[?&]|\\u0026)(?:[a-z0-9_.-]*(?:token|sig|signature|secret|password|passwd|pwd|credential|apikey|api_key|auth)[a-z0-9_.-]*)=)[^&#\s"'\\<>]+`)
)

const redacted = "[REDACTED]"

// maxRemembered bounds the secrets a Redactor keeps from earlier reads: a rotated-out token
// stays secret until it expires, but a process that lives for weeks must not grow without end.
const maxRemembered = 256

// Redactor replaces secrets with a marker: the values it was given, the values its source
// gives at each Refresh (and those of earlier refreshes, up to maxRemembered), and anything
// shaped like a JWT, a PEM block, URL credentials or a credential in a URL's query. It is the
// last line of defence: the SDK, for one, puts the whole token in the text of a token parse
// error. A Redactor is safe for concurrent use; its copies share their state.
type Redactor struct{ s *redactState }

type redactState struct {
	source func() []string // nil: the fixed secrets only

	mu       sync.Mutex // serialises Refresh
	known    []string   // every secret, oldest first
	replacer atomic.Pointer[strings.Replacer]
}

// NewRedactor redacts every one of secrets (see SecretParts) and the shapes above.
func NewRedactor(secrets []string) Redactor {
	r := Redactor{&redactState{}}
	r.add(secrets)
	return r
}

// NewReadingRedactor is a Redactor that reads its secrets from source now and at every
// Refresh, keeping what earlier reads found.
func NewReadingRedactor(source func() []string) Redactor {
	r := Redactor{&redactState{source: source}}
	r.Refresh()
	return r
}

// Refresh reads the source again (the function calls it at the start of every invocation).
func (r Redactor) Refresh() {
	if r.s == nil || r.s.source == nil {
		return
	}
	r.add(r.s.source())
}

func (r Redactor) add(secrets []string) {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := false
	for _, v := range secrets {
		if v != "" && !slices.Contains(s.known, v) {
			s.known, changed = append(s.known, v), true
		}
	}
	if !changed && s.replacer.Load() != nil {
		return
	}
	if n := len(s.known); n > maxRemembered {
		s.known = slices.Clone(s.known[n-maxRemembered:])
	}
	// Longest first: a secret that contains another (a token and its signature) is replaced
	// whole; strings.Replacer otherwise picks the first in argument order at a position.
	ordered := slices.Clone(s.known)
	slices.SortStableFunc(ordered, func(a, b string) int { return len(b) - len(a) })
	pairs := make([]string, 0, 2*len(ordered))
	for _, v := range ordered {
		pairs = append(pairs, v, redacted)
	}
	s.replacer.Store(strings.NewReplacer(pairs...))
}

// String is s with every secret and every secret-shaped text replaced.
func (r Redactor) String(s string) string {
	if r.s != nil {
		if rep := r.s.replacer.Load(); rep != nil {
			s = rep.Replace(s)
		}
	}
	return RedactShapes(s)
}

// RedactShapes replaces what looks like a secret whatever its value: JWTs, PEM blocks, the
// credentials of a URL and credential-named query parameters.
func RedactShapes(s string) string {
	if strings.Contains(s, "eyJ") {
		s = jwtShape.ReplaceAllString(s, redacted)
	}
	if strings.Contains(s, "-----BEGIN ") {
		s = pemShape.ReplaceAllString(s, redacted)
	}
	if strings.Contains(s, "@") {
		s = userinfoShape.ReplaceAllString(s, "${1}"+redacted+"@")
	}
	if strings.ContainsAny(s, "?&\\") {
		s = credentialQueryShape.ReplaceAllString(s, "${1}"+redacted)
	}
	return s
}

// Writer redacts every write; slog writes each record in one call, so a secret cannot be
// split across writes.
func (r Redactor) Writer(w io.Writer) io.Writer {
	return redactingWriter{w: w, r: r}
}

type redactingWriter struct {
	w io.Writer
	r Redactor
}

func (w redactingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(w.w, w.r.String(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
