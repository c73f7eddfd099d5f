package gobuild

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ModuleRoot is the directory of the main module's go.mod, as `go env GOMOD` reports it from
// the current directory: it works from any directory inside the module, in a test (whose
// directory is its package's) or in a command run from the repository.
func ModuleRoot(ctx context.Context) (string, error) {
	b, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(b))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside a Go module; run from the repository")
	}
	return filepath.Dir(gomod), nil
}

// Options tune Build.
type Options struct {
	// Package to build, relative to the module root; default "." (the function).
	Package string
	// Race builds with the race detector, for end-to-end tests.
	Race bool
	// Release builds the way the Dockerfile and `make build` do (CGO_ENABLED=0, -trimpath,
	// -ldflags=-s -w), so that sizes and start-up times are those of what ships.
	Release bool
}

// Build compiles a package of this module into the executable out. The go command inherits
// this process's environment so it finds the module and build caches.
func Build(ctx context.Context, out string, opts Options) error {
	root, err := ModuleRoot(ctx)
	if err != nil {
		return err
	}
	pkg := opts.Package
	if pkg == "" {
		pkg = "."
	}
	args := []string{"build", "-o", out}
	if opts.Race {
		args = append(args, "-race")
	}
	if opts.Release {
		args = append(args, "-trimpath", "-ldflags=-s -w")
	}
	cmd := exec.CommandContext(ctx, "go", append(args, pkg)...)
	cmd.Dir = root
	if opts.Release {
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	}
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s in %s: %w\n%s", pkg, root, err, output.Bytes())
	}
	return nil
}

// Main is a TestMain that builds a package of this module once for all of a test package's
// tests: it builds into a temporary directory, sets *bin to the executable, runs m (a
// *testing.M), removes the directory and exits with m's code. A failed build ends the run with
// the compiler's output.
func Main(m interface{ Run() int }, bin *string, opts Options) {
	os.Exit(buildAndRun(m, bin, opts))
}

func buildAndRun(m interface{ Run() int }, bin *string, opts Options) int {
	dir, err := os.MkdirTemp("", "gobuild-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	*bin = filepath.Join(dir, "bin")
	if err := Build(context.Background(), *bin, opts); err != nil {
		fmt.Fprintln(os.Stderr, "build:", err)
		return 1
	}
	return m.Run()
}
