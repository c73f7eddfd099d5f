package deploytest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// vulnScript runs scripts/vuln.sh (what `make vuln` runs) from the repository root with the
// online database out of reach (a proxy that refuses connections), so the snapshot is used.
func vulnScript(t *testing.T, snapshot string) (string, int) {
	t.Helper()
	if os.Getenv("VULN_SCRIPT_TESTS") == "" {
		// Two govulncheck runs cost about a minute of both cores; they would slow the timing-
		// sensitive end-to-end tests running beside them. make lint runs them.
		t.Skip("runs govulncheck twice: set VULN_SCRIPT_TESTS=1 (make lint does)")
	}
	cmd := exec.CommandContext(t.Context(), "sh", "scripts/vuln.sh")
	cmd.Dir = repoRoot(t)
	cmd.Env = append(os.Environ(), "VULNDB=", "HTTPS_PROXY=http://127.0.0.1:1", "https_proxy=http://127.0.0.1:1",
		"NO_PROXY=", "no_proxy=", "VULNDB_SNAPSHOT="+snapshot)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}

// With the online database out of reach, make vuln falls back to ../shared/vulndb, says so
// with the snapshot date, and gives a real result.
func TestVulnFallsBackToTheSharedSnapshot(t *testing.T) {
	t.Parallel()
	snap := filepath.Join(repoRoot(t), "..", "shared", "vulndb")
	if _, err := os.Stat(filepath.Join(snap, "index", "db.json")); err != nil {
		t.Skip("../shared/vulndb is absent beside the repository: nothing to fall back to here")
	}
	out, rc := vulnScript(t, snap)
	if !strings.Contains(out, "snapshot of 20") || strings.Contains(out, "SKIPPED") || !strings.Contains(out, "Your code is affected by") {
		t.Fatalf("exit %d, want a result from the snapshot:\n%s", rc, out)
	}
	if rc != 0 {
		t.Errorf("exit %d: a vulnerability affects the code (or govulncheck failed):\n%s", rc, out)
	}
}

// A vulnerability in a symbol the code calls fails make vuln (and so make lint). The
// database is a one-entry fixture written here: x/time/rate's NewLimiter, which
// internal/oci and the emulator call, "vulnerable" in every version.
func TestVulnFindingFails(t *testing.T) {
	t.Parallel()
	db := t.TempDir()
	files := map[string]string{
		"index/db.json":      `{"modified": "2026-01-02T00:00:00Z"}`,
		"index/modules.json": `[{"path": "golang.org/x/time", "vulns": [{"id": "GO-2099-0001", "modified": "2026-01-02T00:00:00Z"}]}]`,
		"index/vulns.json":   `[{"id": "GO-2099-0001", "modified": "2026-01-02T00:00:00Z", "aliases": []}]`,
		"ID/GO-2099-0001.json": `{"schema_version": "1.3.1", "id": "GO-2099-0001", "modified": "2026-01-02T00:00:00Z",
			"published": "2026-01-02T00:00:00Z", "summary": "test fixture", "details": "test fixture",
			"affected": [{"package": {"name": "golang.org/x/time", "ecosystem": "Go"},
				"ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}],
				"ecosystem_specific": {"imports": [{"path": "golang.org/x/time/rate", "symbols": ["NewLimiter"]}]}}],
			"references": [], "database_specific": {"url": "https://pkg.go.dev/vuln/GO-2099-0001", "review_status": "REVIEWED"}}`,
	}
	for name, body := range files {
		p := filepath.Join(db, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, rc := vulnScript(t, db)
	// govulncheck exits 3 when a vulnerability affects the code.
	if rc != 3 || !strings.Contains(out, "Your code is affected by 1 vulnerability") || !strings.Contains(out, "snapshot of 2026-01-02") {
		t.Fatalf("exit %d, want a failure naming GO-2099-0001 from the fixture snapshot:\n%s", rc, out)
	}
}
