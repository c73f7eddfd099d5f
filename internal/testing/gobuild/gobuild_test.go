package gobuild

import (
	"context"
	"debug/buildinfo"
	"debug/elf"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The fnagent package's echofn is a small fdk function to build.

func TestModuleRootHoldsGoMod(t *testing.T) {
	root, err := ModuleRoot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("ModuleRoot = %s: %v", root, err)
	}
	if wd, _ := os.Getwd(); !strings.HasPrefix(wd, root+string(filepath.Separator)) {
		t.Fatalf("ModuleRoot = %s is not above the test directory %s", root, wd)
	}
}

func TestReleaseIsStripped(t *testing.T) {
	t.Parallel()
	out, info := buildEchofn(t, Options{Release: true})
	for _, want := range []string{"-trimpath=true", "CGO_ENABLED=0"} {
		if !strings.Contains(info, want) {
			t.Errorf("release build lacks %s:\n%s", want, info)
		}
	}
	// -trimpath leaves -ldflags out of the build info; -s shows as a missing symbol table.
	f, err := elf.Open(out)
	if err != nil {
		t.Skipf("not an ELF binary (%v): the symbol table check is for Linux", err)
	}
	defer f.Close()
	if f.Section(".symtab") != nil {
		t.Error("release build has a symbol table: -ldflags=-s was not applied")
	}
}

func TestBuildReportsCompilerOutput(t *testing.T) {
	t.Parallel()
	err := Build(context.Background(), filepath.Join(t.TempDir(), "x"), Options{Package: "./internal/fnagent/testdata/nonexistent"})
	if err == nil || !strings.Contains(err.Error(), "nonexistent") {
		t.Errorf("Build = %v", err)
	}
}

func TestBuildRace(t *testing.T) {
	if testing.Short() {
		t.Skip("a -race build is slow when the cache is cold")
	}
	t.Parallel()
	if _, info := buildEchofn(t, Options{Race: true}); !strings.Contains(info, "-race=true") {
		t.Errorf("binary was not built with -race:\n%s", info)
	}
}

// buildEchofn builds fnagent's echofn with opts and returns the executable and its build
// settings.
func buildEchofn(t *testing.T, opts Options) (out, settings string) {
	t.Helper()
	out = filepath.Join(t.TempDir(), "echofn")
	opts.Package = "./internal/fnagent/testdata/echofn"
	if err := Build(context.Background(), out, opts); err != nil {
		t.Fatal(err)
	}
	bi, err := buildinfo.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return out, bi.String()
}
