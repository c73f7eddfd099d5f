package fnagent

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

const (
	rpstFile = "rpst"
	pemFile  = "private.pem"
)

// writePrincipal lays the resource principal out as OCI Functions does:
// two owner-only files referenced by absolute path. The token is written
// exactly as given because a trailing newline would corrupt every signature.
func writePrincipal(dir string, rpst string, pem []byte) (principal, error) {
	p := principal{rpst: filepath.Join(dir, rpstFile), pem: filepath.Join(dir, pemFile), set: true}
	if err := writeSecret(p.rpst, []byte(rpst)); err != nil {
		return principal{}, err
	}
	if err := writeSecret(p.pem, pem); err != nil {
		return principal{}, err
	}
	return p, nil
}

// writeSecret replaces any existing file, since os.WriteFile would keep the
// permissions of a file left behind by an earlier run.
func writeSecret(path string, data []byte) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("fnagent: replace %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("fnagent: create %s: %w", path, err)
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		return fmt.Errorf("fnagent: write %s: %w", path, err)
	}
	return nil
}
