package permissions

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// allFeatureCombos is every deployment shape the function supports.
func allFeatureCombos() []Features {
	var out []Features
	for _, api := range []string{APIAuto, APIIAM, APISCIM} {
		for _, secondary := range []bool{false, true} {
			if api == APIIAM && secondary {
				continue // a configuration error: the IAM API reaches the Default domain only
			}
			for _, disable := range []bool{false, true} {
				for _, notify := range []bool{false, true} {
					out = append(out, Features{IdentityAPI: api, SecondaryDomains: secondary, DisableCapability: disable, Notifications: notify})
				}
			}
		}
	}
	return out
}

func TestEveryOperationHasExactlyOneGrant(t *testing.T) {
	count := map[string]int{}
	for _, s := range All() {
		if len(s.Operations) == 0 {
			t.Errorf("statement %q authorizes no operation", s.Template)
		}
		if s.Source == "" {
			t.Errorf("statement %q cites no Oracle source", s.Template)
		}
		for _, op := range s.Operations {
			if IsSCIM(op) {
				t.Errorf("statement %q names SCIM operation %s: the SCIM family is authorized by the domain role", s.Template, op)
			}
			count[op]++
		}
	}
	for _, op := range DomainRole.Operations {
		if !IsSCIM(op) {
			t.Errorf("domain role lists non-SCIM operation %s", op)
		}
		count[op]++
	}
	for _, op := range Operations() {
		want := 1
		if op == OpListUserGroupMemberships {
			want = 2 // GROUP_INSPECT and USER_INSPECT: two resource types
		}
		if count[op] != want {
			t.Errorf("operation %s is granted by %d statements or roles, want %d", op, count[op], want)
		}
	}
	for op := range count {
		if !slices.Contains(Operations(), op) {
			t.Errorf("grant names unknown operation %q", op)
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

// opsOf is what a deployment's grants authorize.
func opsOf(f Features) []string {
	var ops []string
	for _, s := range Required(f) {
		ops = append(ops, s.Operations...)
	}
	if DomainRoleNeeded(f) {
		ops = append(ops, DomainRole.Operations...)
	}
	return ops
}

func TestRequiredPerFamily(t *testing.T) {
	iamOps := []string{OpListGroups, OpGetGroup, OpListUserGroupMemberships, OpGetUser, OpListApiKeys, OpDeleteApiKey, OpListRegionSubscriptions}
	for _, f := range allFeatureCombos() {
		ops := opsOf(f)
		has := func(op string) bool { return slices.Contains(ops, op) }
		for _, op := range iamOps {
			if has(op) != f.UsesIAM() {
				t.Errorf("%+v: %s granted = %v, want %v (IAM family in use)", f, op, has(op), f.UsesIAM())
			}
		}
		if has(OpSCIMDeleteApiKey) != (f.IdentityAPI == APISCIM || f.SecondaryDomains) {
			t.Errorf("%+v: domain role granted = %v", f, has(OpSCIMDeleteApiKey))
		}
		if has(OpUpdateUserCapabilities) != (f.DisableCapability && f.UsesIAM()) {
			t.Errorf("%+v: UpdateUserCapabilities granted = %v", f, has(OpUpdateUserCapabilities))
		}
		if has(OpPublishMessage) != f.Notifications {
			t.Errorf("%+v: PublishMessage granted = %v", f, has(OpPublishMessage))
		}
		if !has(OpListPolicies) {
			t.Errorf("%+v: ListPolicies not granted", f)
		}
		if has(OpListDomains) != (f.IdentityAPI == APISCIM || f.SecondaryDomains) {
			t.Errorf("%+v: ListDomains granted = %v", f, has(OpListDomains))
		}
		if has(OpListCompartments) != f.SecondaryDomains {
			t.Errorf("%+v: ListCompartments granted = %v", f, has(OpListCompartments))
		}
	}
	var kinds []string
	for _, c := range CredentialKinds {
		kinds = append(kinds, c.Kind)
	}
	all := Required(Features{SecondaryDomains: true, DisableCapability: true, Notifications: true, Credentials: kinds})
	if len(all) != len(All()) {
		t.Errorf("auto with every feature on: %d statements, want every one of %d", len(all), len(All()))
	}
	if n := len(Required(Features{IdentityAPI: APISCIM})); n != 2 {
		t.Errorf("scim, Default domain only: %d statements, want 2 (policies, domains)", n)
	}
}

func TestMissingGrantNamesTheFamilysGrant(t *testing.T) {
	if g, ok := MissingGrant(OpDeleteApiKey, "Default"); !ok || !strings.Contains(g, "policy statement") || !strings.Contains(g, "request.operation='DeleteApiKey'") {
		t.Errorf("IAM DeleteApiKey: %q", g)
	}
	if g, ok := MissingGrant(OpSCIMDeleteApiKey, "Engineering"); !ok || !strings.Contains(g, DomainRole.Name) || !strings.Contains(g, `"Engineering"`) {
		t.Errorf("SCIM DeleteApiKey: %q", g)
	}
	if _, ok := MissingGrant("DeleteUser", ""); ok {
		t.Error("MissingGrant(DeleteUser) found a grant; the function must never be allowed to delete users")
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
		sts := ForOperation(op)
		if IsSCIM(op) != (len(sts) == 0) {
			t.Errorf("ForOperation(%s) = %d statements", op, len(sts))
		}
		for _, s := range sts {
			if !slices.Contains(s.Operations, op) {
				t.Errorf("ForOperation(%s) returned %q which does not list it", op, s.Template)
			}
		}
	}
	if sts := ForOperation(OpDeleteApiKey); len(sts) != 1 || !strings.Contains(sts[0].Template, "manage users in tenancy") {
		t.Errorf("DeleteApiKey must map to the tenancy-scope manage users statement, got %v", sts)
	}
	if sts := ForOperation("DeleteUser"); len(sts) != 0 {
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

// Each credential kind's statement is required exactly when that kind is configured and the
// IAM family serves the Default domain, and it authorizes that kind's List and Delete only.
func TestRequiredPerCredentialKind(t *testing.T) {
	for _, c := range CredentialKinds {
		for _, api := range []string{APIAuto, APIIAM, APISCIM} {
			with := Required(Features{IdentityAPI: api, Credentials: []string{c.Kind}})
			without := Required(Features{IdentityAPI: api})
			grants := func(sts []Statement, op string) bool {
				return slices.ContainsFunc(sts, func(s Statement) bool { return slices.Contains(s.Operations, op) })
			}
			wantIAM := api != APISCIM
			if grants(with, c.IAMList) != wantIAM || grants(with, c.IAMDelete) != wantIAM {
				t.Errorf("%s, %s configured: %s/%s granted = %v, want %v", api, c.Kind, c.IAMList, c.IAMDelete, grants(with, c.IAMList), wantIAM)
			}
			if grants(without, c.IAMList) || grants(without, c.IAMDelete) {
				t.Errorf("%s, %s not configured: its operations are granted", api, c.Kind)
			}
			if !slices.Contains(DomainRole.Operations, c.SCIMSearch) || !slices.Contains(DomainRole.Operations, c.SCIMDelete) {
				t.Errorf("domain role does not list %s/%s", c.SCIMSearch, c.SCIMDelete)
			}
		}
	}
	if n, m := len(Required(Features{DisableCapabilities: []string{KindAuthTokens}})), len(Required(Features{DisableCapability: true})); n != m {
		t.Errorf("DISABLE_CAPABILITIES=auth-tokens needs %d statements, DISABLE_API_KEY_CAPABILITY %d: both need exactly UpdateUserCapabilities", n, m)
	}
}
