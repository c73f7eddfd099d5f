package deploytest

import (
	"github.com/apikeyguard/admin-apikey-guard/internal/config"

	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// repoRoot finds the module root from the package directory go test runs in.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

func readRepoFile(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// goModMinor returns the "major.minor" of go.mod's go line (1.26.0 -> 1.26).
func goModMinor(t *testing.T) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)(\.\d+)?\s*$`).FindStringSubmatch(readRepoFile(t, "go.mod"))
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	return m[1]
}

// functionConfigKeys is every function config key the function reads, from the config package.
var functionConfigKeys = func() []string {
	var keys []string
	for _, k := range config.Keys {
		keys = append(keys, k.Name)
	}
	return keys
}()
