package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/emutest"
)

// escalationGroups are the Default-domain groups of escalationTenancy: those with a path (and
// which), and the look-alikes that have none. Each gets two members who hold API keys.
var escalationGroups = []struct {
	name        string
	path        string // "" for a look-alike
	conditional bool
}{
	{"HelpDesk", guard.PathCredentialForAdministrator, false}, // Common Policies: Let the Help Desk manage users
	{"PolicyAdmins", guard.PathWritePolicy, false},
	{"MembershipAdmins", guard.PathAddToAdministrators, false},
	{"DeniedHelpDesk", guard.PathCredentialForAdministrator, true}, // a deny statement matches
	{"RegionalHelpDesk", guard.PathCredentialForAdministrator, true},
	{"GroupAdmins", "", false},   // Common Policies: Let group admins manage group membership
	{"Auditors", "", false},      // Common Policies: Let auditors inspect your resources
	{"EngUserAdmins", "", false}, // compartment-scoped
	{"KeyJanitors", "", false},   // manage users narrowed to listing and deleting keys
}

// escalationPolicies are Oracle's "Common Policies" forms and look-alikes, verbatim where
// Oracle gives them (https://docs.oracle.com/iaas/Content/Identity/policiescommon/commonpolicies.htm).
var escalationPolicies = []ociemu.Policy{
	{ID: "ocid1.policy.oc1..helpdesk", Name: "Let the Help Desk manage users", Statements: []string{
		"Allow group HelpDesk to manage users in tenancy"}},
	{ID: "ocid1.policy.oc1..groupadmins", Name: "Let group admins manage group membership", Statements: []string{
		"Allow group GroupAdmins to use users in tenancy where target.group.name != 'Administrators'",
		"Allow group GroupAdmins to use groups in tenancy where target.group.name != 'Administrators'"}},
	{ID: "ocid1.policy.oc1..auditors", Name: "Let auditors inspect your resources", Statements: []string{
		"Allow group Auditors to inspect all-resources in tenancy",
		"Allow group Auditors to read instances in tenancy",
		"Allow group Auditors to read audit-events in tenancy"}},
	{ID: "ocid1.policy.oc1..policyadmins", Name: "Policy editors", Statements: []string{
		"Allow group PolicyAdmins to manage policies in tenancy"}},
	{ID: "ocid1.policy.oc1..membership", Name: "Membership without a guard", Statements: []string{
		"Allow group MembershipAdmins to use users in tenancy",
		"Allow group MembershipAdmins to use groups in tenancy"}},
	{ID: "ocid1.policy.oc1..denied", Name: "Help desk with a deny", Statements: []string{
		"Allow group DeniedHelpDesk to manage users in tenancy",
		"Deny group DeniedHelpDesk to manage users in tenancy where request.operation = 'UploadApiKey'"}},
	{ID: "ocid1.policy.oc1..regional", Name: "Help desk in one region", Statements: []string{
		"Allow group RegionalHelpDesk to manage users in tenancy where request.region = 'iad'"}},
	{ID: "ocid1.policy.oc1..eng", Name: "Engineering user admins", Statements: []string{
		"Allow group EngUserAdmins to manage users in compartment functions",
		"Allow group EngUserAdmins to manage policies in compartment functions"}},
	{ID: "ocid1.policy.oc1..janitors", Name: "Key janitors", Statements: []string{
		"Allow group KeyJanitors to manage users in tenancy where any {request.operation='ListApiKeys', request.operation='DeleteApiKey'}"}},
}

// escalationTenancy is a decoy tenancy plus escalationGroups and escalationPolicies.
func escalationTenancy() *ociemu.Tenancy {
	tn := decoyTenancy(200)
	def := tn.DefaultDomain()
	inGroup := map[string]bool{}
	for _, g := range def.Groups {
		for _, m := range g.Members {
			inGroup[m] = true
		}
	}
	var holders []string // users in no group who hold a key
	for _, u := range def.Users {
		if len(u.APIKeys) > 0 && !inGroup[u.OCID] {
			holders = append(holders, u.OCID)
		}
	}
	for i, g := range escalationGroups {
		def.Groups = append(def.Groups, ociemu.Group{ID: fmt.Sprintf("esc%029d", i), OCID: fmt.Sprintf("ocid1.group.oc1..escalation%d", i),
			DisplayName: g.name, Members: holders[2*i : 2*i+2]})
	}
	for _, p := range escalationPolicies {
		p.CompartmentID = tn.ID
		tn.Policies = append(tn.Policies, p)
	}
	return tn
}

func groupRefs(withPath bool, conditional bool) []string {
	var out []string
	for _, g := range escalationGroups {
		if (g.path != "") == withPath && (!withPath || g.conditional == conditional) {
			out = append(out, "Default/"+g.name)
		}
	}
	return out
}

func TestEscalationPathsAreReported(t *testing.T) {
	t.Parallel() // each test has its own emulator and function process
	emu := emutest.New(t, escalationTenancy(), ociemu.Options{})
	before := emu.Snapshot()
	f := start(t, emu, nil)
	rep := invoke(t, f, "")
	if rep.Status != guard.StatusOK {
		t.Fatalf("status %s %+v", rep.Status, rep.Errors)
	}
	var got, want []string
	for _, e := range rep.Escalation {
		got = append(got, fmt.Sprintf("%s %s conditional=%v enforced=%v", e.Subject, e.Path, e.Conditional, e.Enforced))
		if e.Statement == "" || e.PolicyName == "" || e.Source == "" {
			t.Errorf("finding without its statement, policy or source: %+v", e)
		}
	}
	for _, g := range escalationGroups {
		if g.path != "" {
			want = append(want, fmt.Sprintf("group '%s' %s conditional=%v enforced=false", g.name, g.path, g.conditional))
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("escalation\n got %q\nwant %q", got, want)
	}
	for _, e := range rep.Escalation {
		if strings.Contains(e.Subject, "DeniedHelpDesk") && !strings.Contains(e.Why, "Deny group DeniedHelpDesk") {
			t.Errorf("the deny is not quoted: %+v", e)
		}
	}
	if rep.Counts.EscalationPaths != len(want) || rep.Counts.EscalationEnforced != 0 {
		t.Errorf("counts %+v", rep.Counts)
	}
	if gone, wantGone := minus(keys(before), keys(emu.Snapshot())), adminKeys(before, defaultAdmins(before)); !slices.Equal(gone, wantGone) {
		t.Fatalf("without INCLUDE_ESCALATION_ADMINS only the Administrators' keys go: got %v want %v", gone, wantGone)
	}
	// The analysis reads the policies the run reads anyway: no call beyond a plain run's.
	for op := range rep.APICalls.ByOperation {
		if !slices.Contains([]string{"ListPolicies", "ListGroups", "ListUserGroupMemberships", "GetUser", "ListApiKeys", "DeleteApiKey"}, op) {
			t.Errorf("the escalation analysis added a %s call: %v", op, rep.APICalls.ByOperation)
		}
	}
	if n := rep.APICalls.ByOperation["ListPolicies"]; n != 1 {
		t.Errorf("ListPolicies %d times", n)
	}
	if !strings.Contains(f.Agent.Stderr(), `"msg":"escalation path"`) {
		t.Error("no escalation path in the log")
	}
}

func TestEscalationAdminsAreEnforcedWithTheFlag(t *testing.T) {
	t.Parallel() // each test has its own emulator and function process
	emu := emutest.New(t, escalationTenancy(), ociemu.Options{})
	before := emu.Snapshot()
	rep := invoke(t, start(t, emu, map[string]string{"INCLUDE_ESCALATION_ADMINS": "true"}), "")
	if rep.Status != guard.StatusOK {
		t.Fatalf("status %s %+v", rep.Status, rep.Errors)
	}
	// Only the unconditional paths' members join the administrators; conditional paths and
	// every look-alike keep their keys.
	want := adminKeys(before, append(defaultAdmins(before), groupRefs(true, false)...))
	if got := minus(keys(before), keys(emu.Snapshot())); !slices.Equal(got, want) {
		t.Fatalf("deleted %v\nwant %v", got, want)
	}
	kept := adminKeys(before, append(groupRefs(false, false), groupRefs(true, true)...))
	if len(kept) == 0 || len(minus(kept, keys(emu.Snapshot()))) != 0 {
		t.Errorf("look-alikes' and conditional paths' keys must stay: %v", kept)
	}
	var sources []string
	for _, g := range rep.Groups {
		sources = append(sources, g.Name+":"+g.Source)
	}
	for _, g := range groupRefs(true, false) {
		if !slices.Contains(sources, strings.TrimPrefix(g, "Default/")+":"+guard.SourceEscalation) {
			t.Errorf("group %s not enforced as an escalation group: %v", g, sources)
		}
	}
	if rep.Counts.EscalationEnforced != len(groupRefs(true, false)) {
		t.Errorf("counts %+v", rep.Counts)
	}
}

// roleTenancy is escalationTenancy with the Default domain's administrator roles granted to a
// group, a user and an application, and a role that makes no path (User Manager) to another
// group. It returns the tenancy, the name of the user holding a role directly, and the "Default/
// Name" references of the groups holding a path role and the look-alike one.
func roleTenancy() (tn *ociemu.Tenancy, user string, pathGroup, lookAlike string) {
	tn = escalationTenancy()
	def := tn.DefaultDomain()
	var free []ociemu.User // key holders in no group yet
	inGroup := map[string]bool{}
	for _, g := range def.Groups {
		for _, m := range g.Members {
			inGroup[m] = true
		}
	}
	for _, u := range def.Users {
		if len(u.APIKeys) > 0 && !inGroup[u.OCID] {
			free = append(free, u)
		}
	}
	userAdmins := ociemu.Group{ID: "roleuseradmins0000000000000000001", OCID: "ocid1.group.oc1..useradmins", DisplayName: "UserAdmins",
		Members: []string{free[0].OCID, free[1].OCID}}
	userManagers := ociemu.Group{ID: "roleusermanagers00000000000000002", OCID: "ocid1.group.oc1..usermanagers", DisplayName: "UserManagers",
		Members: []string{free[2].OCID, free[3].OCID}}
	def.Groups = append(def.Groups, userAdmins, userManagers)
	def.RoleGrants = []ociemu.RoleGrant{
		{Role: ociemu.RoleUserAdministrator, GranteeType: ociemu.GranteeGroup, GranteeID: userAdmins.ID},
		{Role: ociemu.RoleSecurityAdministrator, GranteeType: ociemu.GranteeUser, GranteeID: free[4].ID},
		{Role: ociemu.RoleIdentityDomainAdministrator, GranteeType: ociemu.GranteeApp, GranteeID: "app-ci-client", GranteeName: "ci-client"},
		{Role: ociemu.RoleUserManager, GranteeType: ociemu.GranteeGroup, GranteeID: userManagers.ID},
	}
	return tn, free[4].UserName, "Default/UserAdmins", "Default/UserManagers"
}

func roleFindings(rep *guard.Result) []string {
	var out []string
	for _, e := range rep.Escalation {
		if e.Path == guard.PathDomainAdministerRole {
			out = append(out, fmt.Sprintf("%s enforced=%v", e.Subject, e.Enforced))
		}
	}
	slices.Sort(out)
	return out
}

func TestDomainRoleHoldersAreFoundThroughGrants(t *testing.T) {
	t.Parallel() // each test has its own emulator and function process
	tn, user, pathGroup, lookAlike := roleTenancy()
	userOCID := ""
	for _, u := range tn.DefaultDomain().Users {
		if u.UserName == user {
			userOCID = u.OCID
		}
	}
	emu := emutest.New(t, tn, ociemu.Options{})
	before := emu.Snapshot()
	rep := invoke(t, start(t, emu, map[string]string{"IDENTITY_API": "scim", "DRY_RUN": "true"}), "")
	if rep.Status != guard.StatusOK || rep.DomainRoles == nil || !rep.DomainRoles.Evaluated {
		t.Fatalf("status %s domainRoles %+v errors %+v", rep.Status, rep.DomainRoles, rep.Errors)
	}
	want := []string{"App 'ci-client' enforced=false", "DynamicResourceGroup '" + ociemu.FunctionDynamicGroup + "' enforced=false",
		"Group 'Administrators' enforced=true", "Group 'UserAdmins' enforced=false", "User '" + user + "' enforced=false"}
	if got := roleFindings(&rep.Result); !slices.Equal(got, want) {
		t.Errorf("role holders\n got %q\nwant %q", got, want)
	}
	if n := emu.Counts()[ociemu.OpScimListAppRoles] + emu.Counts()[ociemu.OpScimListGrants]; n != 2 {
		t.Errorf("%d role reads, want one AppRoles and one Grants call", n)
	}

	// Enforced: the path role's holders' keys go, the look-alike role's stay.
	emu = emutest.New(t, tn, ociemu.Options{})
	rep = invoke(t, start(t, emu, map[string]string{"IDENTITY_API": "scim", "INCLUDE_ESCALATION_ADMINS": "true"}), "")
	if rep.Status != guard.StatusOK {
		t.Fatalf("status %s %+v", rep.Status, rep.Errors)
	}
	groups := append(append(defaultAdmins(before), groupRefs(true, false)...), pathGroup)
	wantGone := adminKeys(before, groups)
	for _, k := range keys(before) {
		if strings.Contains(k, "/"+userOCID+"/") && !slices.Contains(wantGone, k) {
			wantGone = append(wantGone, k)
		}
	}
	slices.Sort(wantGone)
	if got := minus(keys(before), keys(emu.Snapshot())); !slices.Equal(got, wantGone) {
		t.Fatalf("deleted %v\nwant %v", got, wantGone)
	}
	if kept := adminKeys(before, []string{lookAlike}); len(kept) == 0 || len(minus(kept, keys(emu.Snapshot()))) != 0 {
		t.Errorf("the User Manager group's keys must stay: %v", kept)
	}
	var labelled bool
	for _, a := range rep.Admins {
		if a.OCID == userOCID && slices.Contains(a.Groups, "Default role: "+ociemu.RoleSecurityAdministrator) {
			labelled = true
		}
	}
	if !labelled {
		t.Errorf("the user holding a role is not an administrator labelled with it: %+v", rep.Admins)
	}
}

func TestDomainRolesNotEvaluatedWhenGrantsCannotBeRead(t *testing.T) {
	t.Parallel() // each test has its own emulator and function process
	tn, _, _, _ := roleTenancy()
	t.Run("the IAM family holds no domain role", func(t *testing.T) {
		emu := emutest.New(t, tn, ociemu.Options{})
		rep := invoke(t, start(t, emu, map[string]string{"INCLUDE_ESCALATION_ADMINS": "true", "DRY_RUN": "true"}), "")
		if rep.Status != guard.StatusOK || rep.DomainRoles == nil || rep.DomainRoles.Evaluated || !strings.Contains(rep.DomainRoles.Reason, "IAM API") {
			t.Fatalf("status %s domainRoles %+v errors %+v", rep.Status, rep.DomainRoles, rep.Errors)
		}
		if n := emu.Counts()[ociemu.OpScimListAppRoles] + emu.Counts()[ociemu.OpScimListGrants]; n != 0 {
			t.Errorf("%d role reads through a family that cannot make them", n)
		}
	})
	t.Run("a domain role that may read users but not grants", func(t *testing.T) {
		tn := tn.Clone()
		def := tn.DefaultDomain()
		for name := range def.DynamicGroupRoles {
			def.DynamicGroupRoles[name] = []string{ociemu.RoleUserAdministrator}
		}
		emu := emutest.New(t, &tn, ociemu.Options{})
		rep := invoke(t, start(t, emu, map[string]string{"IDENTITY_API": "scim", "INCLUDE_ESCALATION_ADMINS": "true", "DRY_RUN": "true"}), "")
		if rep.Status != guard.StatusOK || rep.DomainRoles == nil || rep.DomainRoles.Evaluated || !strings.Contains(rep.DomainRoles.Reason, "403") {
			t.Fatalf("status %s domainRoles %+v errors %+v", rep.Status, rep.DomainRoles, rep.Errors)
		}
		if len(roleFindings(&rep.Result)) != 0 || len(rep.Escalation) == 0 {
			t.Errorf("policy paths are still reported, role holders cannot be: %+v", rep.Escalation)
		}
	})
}
