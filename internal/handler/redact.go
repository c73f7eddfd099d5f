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
		for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == '\r' || r == '.' }) {
			if part = strings.TrimSpace(part); len(part) >= 16 && !strings.HasPrefix(part, "-----") {
				out = append(out, part)
			}
		}
		if v = strings.TrimSpace(v); len(v) >= 16 {
			out = append(out, v)
		}
	}
	return out
}

// redactor replaces secrets with a marker. It is the last line of defence: the SDK, for one,
// puts the whole token in the text of a token parse error.
type redactor struct{ r *strings.Replacer }

func newRedactor(secrets []string) redactor {
	if len(secrets) == 0 {
		return redactor{}
	}
	pairs := make([]string, 0, 2*len(secrets))
	for _, s := range secrets {
		pairs = append(pairs, s, "[REDACTED]")
	}
	return redactor{strings.NewReplacer(pairs...)}
}

func (r redactor) String(s string) string {
	if r.r == nil {
		return s
	}
	return r.r.Replace(s)
}

// Writer redacts every write; slog writes each record in one call, so a secret cannot be
// split across writes.
func (r redactor) Writer(w io.Writer) io.Writer {
	if r.r == nil {
		return w
	}
	return redactingWriter{w: w, r: r}
}

type redactingWriter struct {
	w io.Writer
	r redactor
}

func (w redactingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(w.w, w.r.String(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
