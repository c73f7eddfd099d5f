package deploytest

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestEmulatorDoesNotImportTesting: the emulator and the product are programs (cmd/ociemu, the
// function), so no package they are built from, directly or through another, imports the
// standard library's testing package; test helpers live in internal/testing (issue 14).
func TestEmulatorDoesNotImportTesting(t *testing.T) {
	for _, pkg := range []string{".", "./cmd/ociemu", "./internal/ociemu/..."} {
		cmd := exec.CommandContext(t.Context(), "go", "list", "-deps", pkg)
		cmd.Dir = repoRoot(t)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		if deps := strings.Fields(string(out)); slices.Contains(deps, "testing") {
			t.Errorf("%s depends on the testing package: move the helper that imports it into internal/testing", pkg)
		}
	}
}
