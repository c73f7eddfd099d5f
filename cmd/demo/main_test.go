package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/testing/gobuild"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/reportschema"
)

// TestDemoConclusionFirst runs the demo as `make demo` does (a smaller tenancy, no latency):
// the conclusion comes first, names every group with what became of it, holds no raw Go map,
// and the JSON report appears only with -json, and then matches docs/report.schema.json.
func TestDemoConclusionFirst(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "func")
	if err := gobuild.Build(t.Context(), bin, gobuild.Options{}); err != nil {
		t.Fatal(err)
	}
	demo := func(showJSON bool) string {
		var out, progress bytes.Buffer
		if err := run(t.Context(), &out, &progress, options{users: 40, bin: bin, showJSON: showJSON}); err != nil {
			t.Fatalf("demo: %v\n%s", err, out.String())
		}
		return out.String()
	}

	out := demo(false)
	if strings.Contains(out, "map[") {
		t.Errorf("the demo prints a raw Go map:\n%s", out)
	}
	conclusion := strings.Index(out, "== What changed in the tenancy")
	first := strings.Index(out, "== Invocation 1")
	if conclusion < 0 || first < 0 || conclusion > first {
		t.Fatalf("the conclusion does not come before the runs:\n%s", out)
	}
	for _, want := range []string{ // the conclusion, before any run's details
		"administrators' keys                  8                  8                0",
		"Default/Administrators", "keys deleted: named in ADMIN_GROUPS",
		"Default/Developers", "Default/NetworkAdministrators", "left alone: not in ADMIN_GROUPS",
		"Engineering/Administrators", "left alone: same name in another identity domain",
		"=> only the administrators lost their keys",
	} {
		if !strings.Contains(out[:first], want) {
			t.Errorf("the conclusion lacks %q:\n%s", want, out[:first])
		}
	}
	for _, want := range []string{"admin-apikey-guard [ok]: dry run: would delete 8", "admin-apikey-guard [ok]: deleted 8"} {
		if !strings.Contains(out[first:], want) {
			t.Errorf("the runs' summaries lack %q:\n%s", want, out[first:])
		}
	}
	if strings.Contains(out, `"status"`) {
		t.Errorf("the JSON report is printed without -json:\n%s", out)
	}

	withJSON := demo(true)
	_, body, ok := strings.Cut(withJSON, "== The JSON report of the enforcing run (the response body)\n")
	if !ok {
		t.Fatalf("-json printed no JSON report:\n%s", withJSON)
	}
	if !json.Valid([]byte(body)) {
		t.Fatalf("the printed report is not JSON:\n%s", body)
	}
	if err := reportschema.Validate([]byte(body)); err != nil {
		t.Error(err)
	}
}
