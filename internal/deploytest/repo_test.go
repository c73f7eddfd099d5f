package deploytest

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/config"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/gobuild"
)

// repoRoot is the module root (gobuild.ModuleRoot), looked up once.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

var moduleRoot = sync.OnceValues(func() (string, error) { return gobuild.ModuleRoot(context.Background()) })

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
