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

// TestEmulatorIsIndependentOfTheProduct: the emulator is a second, independent reading of
// Oracle's specification, so neither it nor its tests depend on the product's reading of
// policies (internal/policy) or its list of grants (internal/permissions): a mistake shared
// through an import would pass every least-privilege test (issue 18: the SMTP statement was
// wrong in both). Tests that need the product's statements get them in the harness layer
// (internal/e2e, internal/testing/...).
func TestEmulatorIsIndependentOfTheProduct(t *testing.T) {
	const module = "github.com/apikeyguard/admin-apikey-guard/"
	product := []string{module + "internal/policy", module + "internal/permissions"}
	// -test: the emulator's own tests count too (they are part of its reading).
	for _, args := range [][]string{{"./cmd/ociemu", "./internal/ociemu/..."}, {"-test", "./internal/ociemu/..."}} {
		cmd := exec.CommandContext(t.Context(), "go", append([]string{"list", "-deps"}, args...)...)
		cmd.Dir = repoRoot(t)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -deps %v: %v", args, err)
		}
		deps := strings.Fields(string(out))
		for _, p := range product {
			if slices.Contains(deps, p) {
				t.Errorf("go list -deps %s includes %s: the emulator must read Oracle's rules itself (see internal/ociemu/authz.go)", strings.Join(args, " "), p)
			}
		}
	}
}
