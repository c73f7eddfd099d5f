package reportschema

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/ratelimit"
	"github.com/apikeyguard/admin-apikey-guard/internal/report"
	"github.com/apikeyguard/admin-apikey-guard/internal/trigger"
)

// schemaDoc is the schema as plain JSON, to compare its property lists with the Go types.
func schemaDoc(t *testing.T) map[string]any {
	t.Helper()
	if _, err := compiled(); err != nil {
		t.Fatal(err)
	}
	root, err := moduleFile(Path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(root, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// jsonFields are the JSON names of a struct's fields, embedded structs flattened.
func jsonFields(ty reflect.Type) []string {
	var out []string
	for f := range ty.Fields() {
		if f.Anonymous {
			out = append(out, jsonFields(f.Type)...)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func properties(t *testing.T, node any) []string {
	t.Helper()
	props, ok := node.(map[string]any)["properties"].(map[string]any)
	if !ok {
		t.Fatalf("schema node has no properties: %v", node)
	}
	return slices.Sorted(maps.Keys(props))
}

// TestSchemaListsEveryField: each object of the report has, in the schema, exactly the fields
// its Go type marshals, so a field added to (or dropped from) the Go types without the schema
// fails here before any end-to-end test runs.
func TestSchemaListsEveryField(t *testing.T) {
	doc := schemaDoc(t)
	defs := doc["$defs"].(map[string]any)
	for _, c := range []struct {
		name   string
		schema any
		goType reflect.Type
	}{
		{"the report", doc, reflect.TypeFor[report.Report]()},
		{"$defs/group", defs["group"], reflect.TypeFor[guard.GroupResult]()},
		{"$defs/administrator", defs["administrator"], reflect.TypeFor[guard.AdminResult]()},
		{"$defs/policyFinding", defs["policyFinding"], reflect.TypeFor[guard.PolicyFinding]()},
		{"$defs/counts", defs["counts"], reflect.TypeFor[guard.Counts]()},
		{"$defs/escalationFinding", defs["escalationFinding"], reflect.TypeFor[guard.EscalationFinding]()},
		{"$defs/domainRoles", defs["domainRoles"], reflect.TypeFor[guard.RoleEvaluation]()},
		{"$defs/problem", defs["problem"], reflect.TypeFor[guard.Problem]()},
		{"$defs/trigger", defs["trigger"], reflect.TypeFor[trigger.Trigger]()},
		{"$defs/apiCalls", defs["apiCalls"], reflect.TypeFor[report.APICalls]()},
		{"$defs/rateLimit", defs["rateLimit"], reflect.TypeFor[ratelimit.Applied]()},
	} {
		if got, want := properties(t, c.schema), jsonFields(c.goType); !slices.Equal(got, want) {
			t.Errorf("%s: the schema lists %v, %s marshals %v", c.name, got, c.goType, want)
		}
	}
	// A credential and a capability entry are both guard.KeyResult: together they list it all,
	// and neither lists a field KeyResult does not have.
	key := jsonFields(reflect.TypeFor[guard.KeyResult]())
	both := append(properties(t, defs["credential"]), properties(t, defs["capability"])...)
	for _, f := range key {
		if !slices.Contains(both, f) {
			t.Errorf("guard.KeyResult's %q is in neither $defs/credential nor $defs/capability", f)
		}
	}
	for _, f := range append(both, properties(t, defs["listing"])...) {
		if !slices.Contains(key, f) {
			t.Errorf("the schema lists %q, which guard.KeyResult does not marshal", f)
		}
	}
}

// TestSchemaEnumerationsMatchTheCode: the values the code can write are the values the schema
// allows.
func TestSchemaEnumerationsMatchTheCode(t *testing.T) {
	doc := schemaDoc(t)
	defs := doc["$defs"].(map[string]any)
	enum := func(node any, field string) []string {
		var out []string
		for _, v := range node.(map[string]any)["properties"].(map[string]any)[field].(map[string]any)["enum"].([]any) {
			out = append(out, v.(string))
		}
		slices.Sort(out)
		return out
	}
	str := func(vs ...any) []string {
		var out []string
		for _, v := range vs {
			out = append(out, reflect.ValueOf(v).String())
		}
		slices.Sort(out)
		return out
	}
	for _, c := range []struct {
		name      string
		got, want []string
	}{
		{"status", enum(doc, "status"), str(guard.StatusOK, guard.StatusPartial, guard.StatusError)},
		{"mode", enum(doc, "mode"), str(report.ModeEnforce, report.ModeDryRun)},
		{"group source", enum(defs["group"], "source"), str(guard.SourceConfig, guard.SourcePolicy, guard.SourceEscalation)},
		{"escalation paths", enum(defs["escalationFinding"], "path"), str(guard.PathWritePolicy, guard.PathAddToAdministrators,
			guard.PathCredentialForAdministrator, guard.PathManageDomain, guard.PathRewriteDynamicGroup, guard.PathMapIdentityProvider,
			guard.PathDomainAdministerRole)},
		{"trigger.kind", enum(defs["trigger"], "kind"), str(trigger.Manual, trigger.Event, trigger.Options)},
		{"credential kinds", func() []string {
			var out []string
			for _, v := range defs["kind"].(map[string]any)["enum"].([]any) {
				out = append(out, v.(string))
			}
			slices.Sort(out)
			return out
		}(), func() []string {
			var out []string
			for _, k := range guard.Kinds() {
				out = append(out, string(k))
			}
			slices.Sort(out)
			return out
		}()},
		{"outcomes", func() []string {
			all := append(enum(defs["credential"], "outcome"), enum(defs["capability"], "outcome")...)
			slices.Sort(all)
			return slices.Compact(all)
		}(), str(guard.OutcomeDeleted, guard.OutcomeDeleting, guard.OutcomeWouldDelete, guard.OutcomeExempt, guard.OutcomeFailed,
			guard.OutcomeNotAttempted, guard.OutcomeDisabled, guard.OutcomeWouldDisable, guard.OutcomeUnchanged)},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s: the schema allows %v, the code has %v", c.name, c.got, c.want)
		}
	}
}

func TestValidateNamesWhatIsWrong(t *testing.T) {
	err := Validate([]byte(`{"adminGroups":[],"administrators":[],"counts":{},"mode":"enforce","startedAt":"2026-01-01T00:00:00Z","durationMs":1,"apiCalls":{"total":0}}`))
	if err == nil || !strings.Contains(err.Error(), "status") {
		t.Errorf("a report without status: got %v, want an error naming status", err)
	}
	if err := Validate([]byte(`not json`)); err == nil {
		t.Error("a body that is not JSON passed")
	}
}
