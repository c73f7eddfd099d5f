package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/fnagent"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/emutest"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/reportschema"
)

// TestReportSchemaRejectsDrift: every report the e2e tests read is validated against
// docs/report.schema.json (start sets harness.Options.CheckReport), so the check must be able
// to fail. A real report from the binary passes it; the same report without its status, with
// a status outside the enumeration, or with a field the schema does not list, does not.
func TestReportSchemaRejectsDrift(t *testing.T) {
	emu := emutest.New(t, smallTenancy(), ociemu.Options{})
	f := start(t, emu, map[string]string{"DRY_RUN": "true"})
	_, res, err := f.Invoke(t.Context(), "", fnagent.InvokeOptions{})
	if err != nil {
		t.Fatal(err) // includes the schema check of the unchanged report
	}
	for name, mutate := range map[string]func(map[string]any){
		"without status":        func(r map[string]any) { delete(r, "status") },
		"with status done":      func(r map[string]any) { r["status"] = "done" },
		"with an unknown field": func(r map[string]any) { r["deletedEverything"] = true },
		"with an outcome outside the enumeration": func(r map[string]any) {
			r["administrators"].([]any)[0].(map[string]any)["keys"].([]any)[0].(map[string]any)["outcome"] = "removed"
		},
		"without counts.failed": func(r map[string]any) { delete(r["counts"].(map[string]any), "failed") },
	} {
		var r map[string]any
		if err := json.Unmarshal(res.Body, &r); err != nil {
			t.Fatal(err)
		}
		mutate(r)
		body, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		err = reportschema.Validate(body)
		if err == nil {
			t.Errorf("a report %s passed the schema", name)
			continue
		}
		if !strings.Contains(err.Error(), reportschema.Path) {
			t.Errorf("the error for a report %s does not name the schema: %v", name, err)
		}
	}
}
