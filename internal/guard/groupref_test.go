package guard

import (
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/policy"
)

func TestGroupIdentity(t *testing.T) {
	a := Group{Ref: GroupRef{Name: "Administrators"}, Domain: Domain{Name: "Default"}, ID: "g1", OCID: "ocid1.group.oc1..a"}
	b := Group{Ref: GroupRef{OCID: "ocid1.group.oc1..a"}, Domain: Domain{Name: "Default"}, ID: "g1", OCID: "ocid1.group.oc1..a"}
	c := Group{Ref: GroupRef{Name: "Administrators"}, Domain: Domain{Name: "Engineering"}, ID: "g1"}
	if groupIdentity(a) != groupIdentity(b) || groupIdentity(a) == groupIdentity(c) {
		t.Errorf("%q %q %q", groupIdentity(a), groupIdentity(b), groupIdentity(c))
	}
}

// Oracle's protective form keeps Administrators out by name ("where target.group.name !=
// 'Administrators'"). With ADMIN_GROUPS naming the group by OCID, the unresolved reference
// carries no name, so the condition was undecidable for it and the path conditional; resolved,
// the group's name and OCID are one fact set, and the condition keeps it out (issue 24, 2.8).
func TestAProtectiveConditionKeepsOutAGroupConfiguredByOCID(t *testing.T) {
	const ocid = "ocid1.group.oc1..admins"
	pols := []policy.Policy{{Name: "group-admins", Statements: []string{
		"Allow group GroupAdmins to use users in tenancy where target.group.name != 'Administrators'",
		"Allow group GroupAdmins to use groups in tenancy where target.group.name != 'Administrators'"}}}
	configured := []GroupRef{{OCID: ocid}}
	if fs, _ := escalationPaths(pols, testTenancy, configured); len(fs) != 1 || !fs[0].Conditional {
		t.Fatalf("unresolved: %+v; the test expects the undecidable condition", fs)
	}
	resolved := []Group{{Ref: GroupRef{OCID: ocid, Name: "Administrators"}, Domain: Domain{Name: "Default", Default: true}, OCID: ocid}}
	if fs, _ := escalationPaths(pols, testTenancy, protectedRefs(configured, resolved)); len(fs) != 0 {
		t.Errorf("resolved: %+v; want no path (the condition keeps every administrator group out)", fs)
	}
}
