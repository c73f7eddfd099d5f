package fnagent

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
)

// BuildOptions tunes Build.
type BuildOptions struct {
	Race    bool   // build with -race
	Package string // package to build, relative to the module root; default "."
}

// Build compiles a function package at moduleRoot into the executable out.
// The go command inherits this process's environment so it finds the
// module and build caches.
func Build(ctx context.Context, moduleRoot, out string, opts BuildOptions) error {
	pkg := opts.Package
	if pkg == "" {
		pkg = "."
	}
	args := []string{"build", "-o", out}
	if opts.Race {
		args = append(args, "-race")
	}
	args = append(args, pkg)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = moduleRoot
	var output bytes.Buffer
	cmd.Stdout = &output
	cmd.Stderr = &output
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s in %s: %w\n%s", pkg, moduleRoot, err, output.Bytes())
	}
	return nil
}
