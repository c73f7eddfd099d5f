package guard

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
	"github.com/apikeyguard/admin-apikey-guard/internal/policy"
)

// The escalation tables: one named row per path, and one per look-alike that is not a path
// (Oracle's protective "Common Policies" forms, compartment scope, low verbs, manage users
// narrowed to listing and deleting, a matching deny). escalation.go cites the Oracle rows.

const testTenancy = "ocid1.tenancy.oc1..escalationtest"

// path is what a row expects: subject, path, conditional.
type path struct {
	subject     string
	path        string
	conditional bool
}

func (p path) String() string {
	return fmt.Sprintf("%s %s conditional=%v", p.subject, p.path, p.conditional)
}

func pathsOf(fs []EscalationFinding) []path {
	out := make([]path, len(fs))
	for i, f := range fs {
		out[i] = path{f.Subject, f.Path, f.Conditional}
	}
	return out
}

func TestEscalationPaths(t *testing.T) {
	for _, tc := range []struct {
		rule       string
		statements []string
		want       []path
	}{
		// Paths.
		{"write-policy: manage policies in tenancy",
			[]string{"Allow group PolicyAdmins to manage policies in tenancy"},
			[]path{{"group 'PolicyAdmins'", PathWritePolicy, false}}},
		{"write-policy: a permission list naming POLICY_UPDATE",
			[]string{"Allow group Editors to {POLICY_READ, POLICY_UPDATE} in tenancy"},
			[]path{{"group 'Editors'", PathWritePolicy, false}}},
		{"add-to-administrators: use users and use groups, two statements",
			[]string{"Allow group GroupAdmins to use users in tenancy", "Allow group GroupAdmins to use groups in tenancy"},
			[]path{{"group 'GroupAdmins'", PathAddToAdministrators, false}}},
		{"add-to-administrators: one statement granting both (use all-resources)",
			[]string{"Allow group Ops to use all-resources in tenancy"},
			[]path{{"group 'Ops'", PathAddToAdministrators, false}, {"group 'Ops'", PathRewriteDynamicGroup, false}}},
		{"add-to-administrators: a membership condition that keeps out another group only",
			[]string{"Allow group GroupAdmins to use users in tenancy where target.group.name != 'NetworkAdmins'",
				"Allow group GroupAdmins to use groups in tenancy where target.group.name != 'NetworkAdmins'"},
			[]path{{"group 'GroupAdmins'", PathAddToAdministrators, false}}},
		{"credential-for-administrator: Common Policies' Let the Help Desk manage users",
			[]string{"Allow group HelpDesk to manage users in tenancy"},
			[]path{{"group 'HelpDesk'", PathCredentialForAdministrator, false}}},
		{"credential-for-administrator: a permission list naming USER_APIKEY_ADD",
			[]string{"Allow group KeyMakers to {USER_APIKEY_ADD} in tenancy"},
			[]path{{"group 'KeyMakers'", PathCredentialForAdministrator, false}}},
		{"credential-for-administrator: in compartment id <tenancy OCID> is the tenancy",
			[]string{"Allow group HelpDesk to manage users in compartment id " + testTenancy},
			[]path{{"group 'HelpDesk'", PathCredentialForAdministrator, false}}},
		{"credential-for-administrator: an operation condition that allows UploadApiKey",
			[]string{"Allow group KeyMakers to manage users in tenancy where request.operation = 'UploadApiKey'"},
			[]path{{"group 'KeyMakers'", PathCredentialForAdministrator, false}}},
		{"manage-domain: manage domains in tenancy",
			[]string{"Allow group DomainAdmins to manage domains in tenancy"},
			[]path{{"group 'DomainAdmins'", PathManageDomain, false}}},
		{"rewrite-dynamic-group: use dynamic-groups (possible)",
			[]string{"Allow group DGAdmins to use dynamic-groups in tenancy"},
			[]path{{"group 'DGAdmins'", PathRewriteDynamicGroup, false}}},
		{"map-identity-provider: manage identity-providers (possible)",
			[]string{"Allow group Federation to manage identity-providers in tenancy"},
			[]path{{"group 'Federation'", PathMapIdentityProvider, false}}},
		{"subjects that are not groups have paths too (reported)",
			[]string{"Allow dynamic-group ci-runners to manage policies in tenancy", "Allow any-user to manage users in tenancy"},
			[]path{{"dynamic-group 'ci-runners'", PathWritePolicy, false}, {"any-user", PathCredentialForAdministrator, false}}},
		// Conditional paths.
		{"conditional: a condition the guard cannot decide",
			[]string{"Allow group HelpDesk to manage users in tenancy where request.user.name = 'alice'"},
			[]path{{"group 'HelpDesk'", PathCredentialForAdministrator, true}}},
		{"conditional: a condition the parser cannot read (a pattern)",
			[]string{"Allow group HelpDesk to manage users in tenancy where target.user.name = /svc-*/"},
			[]path{{"group 'HelpDesk'", PathCredentialForAdministrator, true}}},
		{"conditional: a matching deny statement",
			[]string{"Allow group HelpDesk to manage users in tenancy", "Deny group HelpDesk to manage users in tenancy"},
			[]path{{"group 'HelpDesk'", PathCredentialForAdministrator, true}}},
		{"conditional: a deny for any-user covers every subject",
			[]string{"Allow group PolicyAdmins to manage policies in tenancy", "Deny any-user to manage policies in tenancy where target.policy.name = 'Tenant Admin Policy'"},
			[]path{{"group 'PolicyAdmins'", PathWritePolicy, true}}},
		{"conditional: an outright grant wins over a conditional one",
			[]string{"Allow group HelpDesk to manage users in tenancy where request.user.name = 'alice'", "Allow group HelpDesk to manage users in tenancy"},
			[]path{{"group 'HelpDesk'", PathCredentialForAdministrator, false}}},
		// Look-alikes that are not paths.
		{"not a path: Common Policies' Let group admins manage group membership",
			[]string{"Allow group GroupAdmins to use users in tenancy where target.group.name != 'Administrators'",
				"Allow group GroupAdmins to use groups in tenancy where target.group.name != 'Administrators'"},
			nil},
		{"not a path: one of the two membership statements keeps Administrators out",
			[]string{"Allow group GroupAdmins to use users in tenancy", "Allow group GroupAdmins to use groups in tenancy where all {target.group.name != 'Administrators', target.group.name != 'admins'}"},
			nil},
		{"not a path: use users without use groups",
			[]string{"Allow group UserEditors to use users in tenancy", "Allow group UserEditors to inspect groups in tenancy"},
			nil},
		{"not a path: compartment-scoped statements",
			[]string{"Allow group EngAdmins to manage users in compartment Engineering", "Allow group EngAdmins to manage policies in compartment id ocid1.compartment.oc1..eng",
				"Allow group EngAdmins to manage domains in compartment Engineering:Apps"},
			nil},
		{"not a path: inspect and read verbs",
			[]string{"Allow group Auditors to inspect all-resources in tenancy", "Allow group Auditors to read users in tenancy",
				"Allow group Auditors to read policies in tenancy", "Allow group Auditors to read domains in tenancy"},
			nil},
		{"not a path: manage users limited to listing and deleting keys",
			[]string{"Allow group KeyJanitors to manage users in tenancy where any {request.operation='ListApiKeys', request.operation='DeleteApiKey'}"},
			nil},
		{"not a path: manage users limited by permission to removing credentials",
			[]string{"Allow group KeyJanitors to manage users in tenancy where any {request.permission='USER_APIKEY_REMOVE', request.permission='USER_READ'}"},
			nil},
		{"not a path: manage users limited to deleting users",
			[]string{"Allow group Offboarding to manage users in tenancy where request.operation='DeleteUser'"},
			nil},
		{"not a path: manage all-resources is the administrator grant (policyAdminGroups)",
			[]string{"Allow group Administrators to manage all-resources in tenancy"},
			nil},
		{"not a path: permission lists that add nothing",
			[]string{"Allow group Readers to {USER_INSPECT, USER_READ, POLICY_READ} in tenancy"},
			nil},
		{"not a path: define, endorse and admit statements",
			[]string{"Define tenancy Acme as ocid1.tenancy.oc1..acme", "Endorse group Ops to manage users in tenancy Acme"},
			nil},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			fs, problems := escalationPaths([]policy.Policy{{Name: "p", Statements: tc.statements}}, testTenancy, []GroupRef{{Name: "Administrators"}})
			if len(problems) != 0 {
				t.Fatalf("problems %+v", problems)
			}
			got := pathsOf(fs)
			if !slices.Equal(got, tc.want) {
				t.Errorf("paths %v, want %v", got, tc.want)
			}
			for _, f := range fs {
				if f.Statement == "" || f.PolicyName != "p" || f.Source == "" || f.Conditional != (f.Why != "") {
					t.Errorf("finding %+v: want the statement, policy, source, and why exactly when conditional", f)
				}
				if (f.Path == PathRewriteDynamicGroup || f.Path == PathMapIdentityProvider) != f.Possible {
					t.Errorf("finding %+v: possible is for the less documented paths only", f)
				}
			}
		})
	}
}

// TestEscalationDetails: the report carries what an operator needs to act on a path.
func TestEscalationDetails(t *testing.T) {
	deny := "Deny group HelpDesk to manage users in tenancy"
	fs, _ := escalationPaths([]policy.Policy{
		{Name: "members", Statements: []string{"Allow group GroupAdmins to use users in tenancy"}},
		{Name: "groups", Statements: []string{"Allow group GroupAdmins to use groups in tenancy"}},
		{Name: "helpdesk", Statements: []string{"Allow group HelpDesk to manage users in tenancy", deny}},
	}, testTenancy, nil)
	if len(fs) != 2 {
		t.Fatalf("findings %+v", fs)
	}
	if add := fs[0]; add.PolicyName != "members" || len(add.With) != 1 || add.With[0].PolicyName != "groups" || !strings.Contains(add.With[0].Statement, "use groups") {
		t.Errorf("a two-statement path names both statements: %+v", add)
	}
	if hd := fs[1]; !hd.Conditional || !strings.Contains(hd.Why, deny) {
		t.Errorf("a deny is quoted: %+v", hd)
	}
	_, problems := escalationPaths([]policy.Policy{{Name: "d", Statements: []string{"Deny group to manage users"}}}, testTenancy, nil)
	if len(problems) != 1 || !strings.Contains(problems[0].Message, "deny statement not understood") {
		t.Errorf("an unparsed deny is a warning: %+v", problems)
	}
}

// TestEscalationProtectsConfiguredGroups: a membership condition must keep out every
// administrator group, the configured ones too.
func TestEscalationProtectsConfiguredGroups(t *testing.T) {
	stmts := []string{"Allow group GroupAdmins to use users in tenancy where target.group.name != 'Administrators'",
		"Allow group GroupAdmins to use groups in tenancy where target.group.name != 'Administrators'"}
	fs, _ := escalationPaths([]policy.Policy{{Name: "p", Statements: stmts}}, testTenancy, []GroupRef{{Name: "Administrators"}, {Name: "CloudAdmins"}})
	if got := pathsOf(fs); !slices.Equal(got, []path{{"group 'GroupAdmins'", PathAddToAdministrators, false}}) {
		t.Errorf("with CloudAdmins configured, keeping Administrators out is not enough: %v", got)
	}
}

func TestRulesForEscalationEnforcement(t *testing.T) {
	finding := func(kind policy.SubjectKind, name string, conditional, possible bool) EscalationFinding {
		s := policy.Subject{Kind: kind, Name: name}
		return EscalationFinding{Subject: s.String(), Kind: string(kind), Path: PathCredentialForAdministrator, Conditional: conditional, Possible: possible, subject: s}
	}
	configured := []GroupRef{{Name: "Administrators"}}
	for _, tc := range []struct {
		rule     string
		f        EscalationFinding
		include  bool
		enforced bool
		note     string
	}{
		{"escalation-groups-are-enforced-only-when-included", finding(policy.KindGroup, "HelpDesk", false, false), true, true, NoteEscalationIncluded},
		{"escalation-groups-are-enforced-only-when-included", finding(policy.KindGroup, "HelpDesk", false, false), false, false, NoteEscalationReportOnly},
		{"conditional-paths-are-reported-never-enforced", finding(policy.KindGroup, "HelpDesk", true, false), true, false, NoteEscalationConditional},
		{"possible-paths-are-reported-never-enforced", finding(policy.KindGroup, "DGAdmins", false, true), true, false, NoteEscalationPossible},
		{"escalation-subjects-that-are-not-groups-are-reported-only", finding(policy.KindDynamicGroup, "ci", false, false), true, false, NoteNotAGroup},
		{"escalation-subjects-that-are-not-groups-are-reported-only", finding(policy.KindAnyUser, "", false, false), true, false, NoteNotAGroup},
		{"configured-groups-are-enforced-once", finding(policy.KindGroup, "administrators", false, false), true, true, NoteConfigured},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			out, add := escalationDecisions([]EscalationFinding{tc.f, tc.f}, configured, nil, tc.include)
			wantAdded := tc.include && tc.note == NoteEscalationIncluded
			if len(out) != 2 || out[0].Enforced != tc.enforced || out[0].Note != tc.note || (len(add) == 1) != wantAdded || len(add) > 1 {
				t.Errorf("findings %+v, added %+v", out, add)
			}
		})
	}
}

// TestTheFunctionsOwnStatementsHaveNoPath: every statement internal/permissions generates, for
// every configuration, with the topic in the root compartment (the widest it can be), gives
// the function's dynamic group no escalation path.
func TestTheFunctionsOwnStatementsHaveNoPath(t *testing.T) {
	stmts := permissions.Render(permissions.All(), permissions.Vars{DynamicGroup: "admin-apikey-guard-dg", TopicCompartment: testTenancy, TopicID: "ocid1.onstopic.oc1..t"})
	if len(stmts) < 5 {
		t.Fatalf("only %d statements rendered", len(stmts))
	}
	fs, problems := escalationPaths([]policy.Policy{{Name: "admin-apikey-guard", Statements: stmts}}, testTenancy, nil)
	if len(fs) != 0 || len(problems) != 0 {
		t.Errorf("the function's own statements give paths %+v (problems %+v):\n%s", fs, problems, strings.Join(stmts, "\n"))
	}
	// The analysis does see the function's dynamic group when its statements widen.
	wide := append(slices.Clone(stmts), "Allow dynamic-group admin-apikey-guard-dg to manage users in tenancy")
	if fs, _ := escalationPaths([]policy.Policy{{Name: "wide", Statements: wide}}, testTenancy, nil); len(fs) != 1 {
		t.Errorf("a widened grant must show: %+v", fs)
	}
}

// BenchmarkEscalationPaths: the analysis over 100 policies of 10 statements each (every
// subject a distinct group), the CPU a run spends on it beyond the policy read it already makes.
func BenchmarkEscalationPaths(b *testing.B) {
	var pols []policy.Policy
	forms := []string{"manage users", "use users", "use groups", "inspect users", "manage policies", "read all-resources",
		"manage users in tenancy where request.operation='DeleteApiKey'", "use dynamic-groups", "manage domains", "manage instances"}
	for p := range 100 {
		pol := policy.Policy{Name: fmt.Sprintf("p%d", p)}
		for i, f := range forms {
			stmt := fmt.Sprintf("Allow group G%d_%d to %s in tenancy", p, i, f)
			if strings.Contains(f, " in tenancy") {
				stmt = fmt.Sprintf("Allow group G%d_%d to %s", p, i, f)
			}
			pol.Statements = append(pol.Statements, stmt)
		}
		pols = append(pols, pol)
	}
	b.ReportAllocs()
	for b.Loop() {
		if fs, _ := escalationPaths(pols, testTenancy, nil); len(fs) == 0 {
			b.Fatal("no paths")
		}
	}
}

func TestRulesForDomainRoleHolders(t *testing.T) {
	grant := func(kind, name string) RoleGrant {
		return RoleGrant{ID: "g-" + name, Role: "User Administrator", GranteeType: kind, GranteeID: "id-" + name, GranteeName: name}
	}
	for _, tc := range []struct {
		rule     string
		g        RoleGrant
		include  bool
		enforced bool
		note     string
		group    bool // enforced as a group
		user     bool // enforced as a user holding the role
	}{
		{"domain-role: a group holding a role is enforced when included", grant(GranteeGroup, "UserAdmins"), true, true, NoteEscalationIncluded, true, false},
		{"domain-role: a user holding a role is enforced when included", grant(GranteeUser, "alice"), true, true, NoteEscalationIncluded, false, true},
		{"domain-role: reported only without INCLUDE_ESCALATION_ADMINS", grant(GranteeUser, "alice"), false, false, NoteEscalationReportOnly, false, false},
		{"domain-role: an application is reported, never enforced", grant(GranteeApp, "ci-client"), true, false, NoteRoleApp, false, false},
		{"domain-role: a dynamic group is reported, never enforced", grant(GranteeDynamicGroup, "fn-dg"), true, false, NoteRoleDynamicGroup, false, false},
		{"domain-role: the configured Administrators group is already enforced", grant(GranteeGroup, "Administrators"), true, true, NoteConfigured, false, false},
		{"domain-role: a group enforced for another path stays so, once", grant(GranteeGroup, "HelpDesk"), true, true, NoteAlreadyEnforced, false, false},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			fs, groups, users, order := roleDecisions([]RoleGrant{tc.g, tc.g}, []GroupRef{{Name: "Administrators"}}, []GroupRef{{Name: "HelpDesk"}}, tc.include)
			f := fs[0]
			if len(fs) != 2 || f.Enforced != tc.enforced || f.Note != tc.note || f.Path != PathDomainAdministerRole || !strings.Contains(f.Grant, "User Administrator") {
				t.Errorf("findings %+v", fs)
			}
			if (len(groups) == 1) != tc.group || len(groups) > 1 || (len(order) == 1) != tc.user || len(order) > 1 {
				t.Errorf("groups %+v users %v", groups, order)
			}
			if tc.user && !slices.Equal(users[tc.g.GranteeID], []string{"User Administrator", "User Administrator"}) {
				t.Errorf("users %v", users)
			}
		})
	}
}

func TestRulesForUnreadableDomainRoles(t *testing.T) {
	refused := fmt.Errorf("%w: 403 NotAuthorized", ErrRolesNotReadable)
	outage := errors.New("500 InternalServerError")
	for _, tc := range []struct {
		rule    string
		include bool
		err     error
		stopped bool
	}{
		{"domain-roles-not-evaluated-when-they-cannot-be-read", true, refused, false},
		{"domain-roles-not-evaluated-when-they-cannot-be-read", false, refused, false},
		{"a-failed-role-read-stops-the-run-only-when-role-holders-are-enforced", true, outage, true},
		{"a-failed-role-read-stops-the-run-only-when-role-holders-are-enforced", false, outage, false},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			eval, stop := unreadableRoles(tc.include, tc.err)
			if eval.Evaluated || !strings.Contains(eval.Reason, strings.TrimPrefix(tc.err.Error(), ErrRolesNotReadable.Error()+": ")) || (stop != nil) != tc.stopped {
				t.Errorf("eval %+v stop %v", eval, stop)
			}
		})
	}
}
