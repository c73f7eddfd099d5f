package permissions

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

func allFeatureCombos() []Features {
	return []Features{
		{},
		{DisableCapability: true},
		{Notifications: true},
		{DisableCapability: true, Notifications: true},
	}
}

func TestEveryOperationCoveredByExactlyOneStatement(t *testing.T) {
	count := map[string]int{}
	for _, s := range All() {
		if len(s.Operations) == 0 {
			t.Errorf("statement %q authorizes no operation", s.Template)
		}
		for _, op := range s.Operations {
			count[op]++
		}
	}
	for _, op := range Operations() {
		if count[op] != 1 {
			t.Errorf("operation %s is covered by %d statements, want 1", op, count[op])
		}
	}
	for op := range count {
		if !slices.Contains(Operations(), op) {
			t.Errorf("statement names unknown operation %q", op)
		}
	}
}

func TestStatementShape(t *testing.T) {
	// Every statement grants to the function's dynamic group only, with a
	// documented verb, at an explicit scope.
	shape := regexp.MustCompile(`^Allow dynamic-group \{\{dg\}\} to (inspect|read|use|manage) [a-z-]+ in (tenancy|compartment id \{\{topic_compartment\}\})( where .+)?$`)
	for _, s := range All() {
		if !shape.MatchString(s.Template) {
			t.Errorf("template %q does not match %v", s.Template, shape)
		}
		if s.Why == "" || !strings.HasSuffix(s.Why, ".") {
			t.Errorf("statement %q: Why must be one sentence ending in '.', got %q", s.Template, s.Why)
		}
		if strings.Contains(s.Template, "manage") && !strings.Contains(s.Template, " where ") {
			t.Errorf("statement %q grants manage without a where condition", s.Template)
		}
	}
}

func TestRequired(t *testing.T) {
	for _, f := range allFeatureCombos() {
		got := map[Feature]int{}
		for _, s := range Required(f) {
			got[s.Feature]++
		}
		if got[FeatureCore] == 0 {
			t.Errorf("%+v: no core statement", f)
		}
		if (got[FeatureDisableCapability] > 0) != f.DisableCapability {
			t.Errorf("%+v: disable-capability statements = %d", f, got[FeatureDisableCapability])
		}
		if (got[FeatureNotifications] > 0) != f.Notifications {
			t.Errorf("%+v: notification statements = %d", f, got[FeatureNotifications])
		}
	}
	all := Required(Features{DisableCapability: true, Notifications: true})
	if len(all) != len(All()) {
		t.Errorf("all features on: %d statements, want every one of %d", len(all), len(All()))
	}
}

func TestRequiredCoreCoversCoreOperations(t *testing.T) {
	core := Required(Features{})
	var ops []string
	for _, s := range core {
		ops = append(ops, s.Operations...)
	}
	for _, op := range []string{OpListDomains, OpListPolicies, OpListCompartments, OpSCIMListGroups,
		OpSCIMListUsers, OpSCIMListApiKeys, OpSCIMDeleteApiKey} {
		if !slices.Contains(ops, op) {
			t.Errorf("core statements do not authorize %s", op)
		}
	}
	for _, op := range []string{OpSCIMPatchUser, OpPublishMessage} {
		if slices.Contains(ops, op) {
			t.Errorf("core statements authorize optional %s", op)
		}
	}
}

func TestRenderSubstitutesAllPlaceholders(t *testing.T) {
	v := Vars{DynamicGroup: "'Default'/'guard-dg'", TopicCompartment: "ocid1.compartment.oc1..aaa", TopicID: "ocid1.onstopic.oc1..bbb"}
	for _, f := range allFeatureCombos() {
		for _, line := range Render(Required(f), v) {
			if strings.Contains(line, "{{") || strings.Contains(line, "}}") {
				t.Errorf("%+v: unsubstituted placeholder in %q", f, line)
			}
			if !strings.HasPrefix(line, "Allow dynamic-group 'Default'/'guard-dg' to ") {
				t.Errorf("%+v: dynamic group not substituted: %q", f, line)
			}
		}
	}
	custom := []Statement{{Template: "{{dg}}|{{topic_compartment}}|{{topic_id}}|{{dg}}"}}
	got := Render(custom, v)
	want := "'Default'/'guard-dg'|ocid1.compartment.oc1..aaa|ocid1.onstopic.oc1..bbb|'Default'/'guard-dg'"
	if len(got) != 1 || got[0] != want {
		t.Errorf("Render(custom) = %q, want %q", got, want)
	}
	notif := Render(Required(Features{Notifications: true}), v)
	if !strings.Contains(strings.Join(notif, "\n"), "in compartment id ocid1.compartment.oc1..aaa") {
		t.Errorf("topic compartment not rendered into notifications statement: %q", notif)
	}
}

func TestForOperation(t *testing.T) {
	for _, op := range Operations() {
		s, ok := ForOperation(op)
		if !ok {
			t.Errorf("ForOperation(%s) found nothing", op)
			continue
		}
		if !slices.Contains(s.Operations, op) {
			t.Errorf("ForOperation(%s) returned %q which does not list it", op, s.Template)
		}
	}
	if s, ok := ForOperation(OpSCIMDeleteApiKey); !ok || !strings.Contains(s.Template, "manage users in tenancy") {
		t.Errorf("DeleteApiKey must map to the tenancy-scope manage users statement, got %q", s.Template)
	}
	if _, ok := ForOperation("DeleteUser"); ok {
		t.Error("ForOperation(DeleteUser) found a statement; the function must never be allowed to delete users")
	}
}

func TestAllReturnsACopy(t *testing.T) {
	a := All()
	a[0].Template = "changed"
	a[0].Operations[0] = "changed"
	b := All()
	if b[0].Template == "changed" || b[0].Operations[0] == "changed" {
		t.Error("All() exposes the package's list to mutation")
	}
}
