package policy

import (
	"errors"
	"reflect"
	"testing"
)

func TestAdminGrants(t *testing.T) {
	const (
		root      = "ALLOW GROUP Administrators to manage all-resources IN TENANCY"
		multi     = "Allow group 'Default'/'NetAdmins', 'HR'/'Administrators' to manage all-resources in tenancy"
		breakGlss = "Allow group BreakGlass to manage all-resources in tenancy where request.user.name='bg-admin'"
		dynamic   = "Allow dynamic-group id ocid1.dynamicgroup.oc1..aaaadg to manage all-resources in tenancy"
		anyone    = "Allow any-user to manage all-resources in tenancy"
		broken    = "Allow group Tenancy Admins to manage all-resources in tenancy"
		brokenToo = "Allow group X to manage all-resources"
	)
	policies := []Policy{
		{Name: "Tenant Admin Policy", Statements: []string{root}},
		{Name: "ops", Statements: []string{
			"Allow group Ops to manage all-resources in compartment Prod",
			multi,
			"Allow group IAMAdmins to manage users in tenancy",
			broken,
			"Define tenancy Acme as ocid1.tenancy.oc1..aaaaacme",
			breakGlss,
		}},
		{Name: "empty"},
		{Name: "automation", Statements: []string{
			"Endorse group X to manage all-resources in tenancy Acme",
			dynamic,
			"Allow group Devs to use all-resources in tenancy",
			"Allow group Auditors to {USER_INSPECT, USER_READ} in tenancy",
			anyone,
			brokenToo,
		}},
	}

	grants, problems := AdminGrants(policies)

	want := []AdminGrant{
		{Subject: grp("Administrators"), Statement: root, PolicyName: "Tenant Admin Policy"},
		{Subject: grpIn("Default", "NetAdmins"), Statement: multi, PolicyName: "ops"},
		{Subject: grpIn("HR", "Administrators"), Statement: multi, PolicyName: "ops"},
		{Subject: grp("BreakGlass"), Conditional: true, Statement: breakGlss, PolicyName: "ops"},
		{Subject: Subject{Kind: KindDynamicGroup, OCID: "ocid1.dynamicgroup.oc1..aaaadg"}, Statement: dynamic, PolicyName: "automation"},
		{Subject: Subject{Kind: KindAnyUser}, Statement: anyone, PolicyName: "automation"},
	}
	if !reflect.DeepEqual(grants, want) {
		t.Errorf("grants:\n got %+v\nwant %+v", grants, want)
	}

	wantProblems := []struct {
		policy string
		index  int
		stmt   string
	}{{"ops", 3, broken}, {"automation", 5, brokenToo}}
	if len(problems) != len(wantProblems) {
		t.Fatalf("problems = %v, want %d", problems, len(wantProblems))
	}
	for i, w := range wantProblems {
		var se *StatementError
		if !errors.As(problems[i], &se) {
			t.Fatalf("problem %d is %T, want *StatementError", i, problems[i])
		}
		if se.PolicyName != w.policy || se.Index != w.index || se.Statement != w.stmt {
			t.Errorf("problem %d = %+v, want policy %q index %d", i, se, w.policy, w.index)
		}
		var syn *SyntaxError
		if !errors.As(problems[i], &syn) {
			t.Errorf("problem %d does not wrap a *SyntaxError: %v", i, problems[i])
		}
	}
	const wantMsg = `policy "ops" statement 3: policy statement: expected "," or "to" at offset 20, found "Admins"`
	if got := problems[0].Error(); got != wantMsg {
		t.Errorf("problem message = %s, want %s", got, wantMsg)
	}
}

func TestAdminGrantsNone(t *testing.T) {
	grants, problems := AdminGrants(nil)
	if grants != nil || problems != nil {
		t.Fatalf("AdminGrants(nil) = %v, %v; want nil, nil", grants, problems)
	}
	grants, problems = AdminGrants([]Policy{{Name: "p", Statements: []string{"Allow group A to read all-resources in tenancy"}}})
	if len(grants) != 0 || len(problems) != 0 {
		t.Fatalf("got %v, %v; want no grants and no problems", grants, problems)
	}
}

func TestAdminGrantsInTreatsTheRootCompartmentByIDAsTenancy(t *testing.T) {
	const tenancy = "ocid1.tenancy.oc1..aaaaroot"
	pols := []Policy{{Name: "root by id", Statements: []string{
		"Allow group RootAdmins to manage all-resources in compartment id " + tenancy,
		"Allow group Others to manage all-resources in compartment id ocid1.compartment.oc1..child",
	}}}
	grants, problems := AdminGrantsIn(pols, tenancy)
	if len(problems) != 0 || len(grants) != 1 || grants[0].Subject.Name != "RootAdmins" {
		t.Fatalf("grants %+v problems %v", grants, problems)
	}
	if grants, _ := AdminGrants(pols); len(grants) != 0 {
		t.Fatalf("without the tenancy OCID nothing is known to be the root: %+v", grants)
	}
}
