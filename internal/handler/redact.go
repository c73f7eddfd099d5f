package handler

import (
	"io"
	"os"
	"path/filepath"
	"strings"
)

// secrets collects what must never be printed: the resource principal token (and its
// signature part alone) and every line of its private key, read the way the SDK reads them
// (an absolute path is a file, anything else is the value itself).
func secrets(getenv func(string) string) []string {
	var out []string
	for _, k := range []string{"OCI_RESOURCE_PRINCIPAL_RPST", "OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM", "OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM_PASSPHRASE"} {
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

// Redactor replaces secrets with a marker. It is the last line of defence: the SDK, for one,
// puts the whole token in the text of a token parse error.
type Redactor struct{ r *strings.Replacer }

// NewRedactor redacts every one of secrets (see SecretParts).
func NewRedactor(secrets []string) Redactor {
	if len(secrets) == 0 {
		return Redactor{}
	}
	pairs := make([]string, 0, 2*len(secrets))
	for _, s := range secrets {
		pairs = append(pairs, s, "[REDACTED]")
	}
	return Redactor{strings.NewReplacer(pairs...)}
}

// String is s with every secret replaced.
func (r Redactor) String(s string) string {
	if r.r == nil {
		return s
	}
	return r.r.Replace(s)
}

// Writer redacts every write; slog writes each record in one call, so a secret cannot be
// split across writes.
func (r Redactor) Writer(w io.Writer) io.Writer {
	if r.r == nil {
		return w
	}
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
