package ociemu

import (
	"errors"
	"reflect"
	"testing"
)

// The emulator's statement parser reads the forms of "Policy Syntax" and nothing looser.
func TestParseStatementForms(t *testing.T) {
	ocid := "ocid1.dynamicgroup.oc1..aaa"
	for src, want := range map[string]allowStatement{
		"Allow dynamic-group guard to inspect users in tenancy": {
			subjects: []stmtSubject{{kind: subjectDynamicGroup, name: "guard"}}, verb: "inspect", resource: "users",
			location: stmtLocation{tenancy: true}},
		"ALLOW DYNAMIC-GROUP 'Default'/'guard fn' TO MANAGE Users IN TENANCY": {
			subjects: []stmtSubject{{kind: subjectDynamicGroup, domain: "Default", name: "guard fn"}}, verb: "manage", resource: "users",
			location: stmtLocation{tenancy: true}},
		"Allow dynamic-group Default/guard to read users in tenancy": {
			subjects: []stmtSubject{{kind: subjectDynamicGroup, domain: "Default", name: "guard"}}, verb: "read", resource: "users",
			location: stmtLocation{tenancy: true}},
		"Allow dynamic-group id " + ocid + " to use ons-topics in compartment id ocid1.compartment.oc1..c": {
			subjects: []stmtSubject{{kind: subjectDynamicGroup, ocid: ocid}}, verb: "use", resource: "ons-topics",
			location: stmtLocation{ocid: "ocid1.compartment.oc1..c"}},
		"Allow group A, B, dynamic-group C, any-user to {USER_READ, user_inspect} in compartment Sec:Inner": {
			subjects: []stmtSubject{{kind: subjectGroup, name: "A"}, {kind: subjectGroup, name: "B"}, {kind: subjectDynamicGroup, name: "C"},
				{kind: subjectAnyUser}},
			permissions: []string{"USER_READ", "USER_INSPECT"}, location: stmtLocation{path: []string{"Sec", "Inner"}}},
		"Allow any-group to manage credentials in tenancy where any {request.operation='ListSmtpCredentials', all {request.permission != 'X'}}": {
			subjects: []stmtSubject{{kind: subjectAnyGroup}}, verb: "manage", resource: "credentials", location: stmtLocation{tenancy: true},
			condition: condGroup{parts: []condNode{
				condCompare{variable: "request.operation", value: "ListSmtpCredentials"},
				condGroup{all: true, parts: []condNode{condCompare{variable: "request.permission", value: "X", negate: true}}},
			}}},
	} {
		got, err := parseStatement(src)
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", src, got, want)
		}
	}
}

func TestParseStatementRefusesMalformed(t *testing.T) {
	for _, src := range []string{
		"",
		"Permit group A to inspect users in tenancy",
		"Allow to inspect users in tenancy",                        // no subject
		"Allow group to manage users in tenancy",                   // "to" is not a group name
		"Allow group A manage users in tenancy",                    // no "to"
		"Allow group A to inspect users",                           // no location
		"Allow group A to inspect in tenancy",                      // no resource type ("in" is not one)
		"Allow group A to administer users in tenancy",             // not a verb
		"Allow group A to {} in tenancy",                           // empty permission list
		"Allow group A to {USER_READ USER_INSPECT} in tenancy",     // no comma
		"Allow group A to inspect users in compartment",            // no compartment
		"Allow group A to inspect users in compartment id Sec",     // not an OCID
		"Allow group A to inspect users in compartment Sec::Inner", // empty path segment
		"Allow group A to inspect users in region",                 // not a location
		"Allow group A to inspect users in tenancy extra",          // trailing words
		"Allow group 'A to inspect users in tenancy",               // unterminated quote
		"Allow group A/ to inspect users in tenancy",               // domain without a name
		"Allow group id Administrators to inspect users in tenancy",
		"Allow group A to inspect users in tenancy where",
		"Allow group A to inspect users in tenancy where request.operation = ListUsers", // unquoted value
		"Allow group A to inspect users in tenancy where request.operation 'ListUsers'",
		"Allow group A to inspect users in tenancy where any {request.operation = 'x'",
		"Allow group A to inspect users in tenancy where any {request.operation = 'x' request.operation = 'y'}",
		"Allow group A to inspect users in tenancy where request.operation ! 'x'",
	} {
		if st, err := parseStatement(src); err == nil || errors.Is(err, errNotAllow) {
			t.Errorf("%q parsed: %+v, %v", src, st, err)
		}
	}
	for _, src := range []string{
		"Define tenancy Acme as ocid1.tenancy.oc1..aaa",
		"Endorse group A to read objects in tenancy Acme",
		"Admit group A of tenancy Acme to read objects in tenancy",
		"Deny group A to manage users in tenancy",
	} {
		if _, err := parseStatement(src); !errors.Is(err, errNotAllow) {
			t.Errorf("%q: err = %v, want errNotAllow (grants nothing)", src, err)
		}
	}
}

// A subject names a requester through its dynamic groups (a resource principal) or its groups
// (a user); any-group covers users only. The workstation's user principal and the function's
// resource principal are both requesters.
func TestSubjectCoversRequesters(t *testing.T) {
	srv := newServer(t, Generate(GenSpec{Seed: 2, Users: 1, Admins: 1}), Options{})
	fn := requester{principalType: "fnfunc", dynamicGroups: []DynamicGroupRef{{Domain: "Default", Name: "fn-dg", OCID: "ocid1.dynamicgroup.oc1..fn"}}}
	user := requester{principalType: "user", groups: []DynamicGroupRef{{Domain: "Default", Name: "Ops", OCID: "ocid1.group.oc1..ops"},
		{Domain: "Engineering", Name: "Devs", OCID: "ocid1.group.oc1..devs"}}}
	cases := []struct {
		subject   string
		fn, user  bool
		rationale string
	}{
		{"dynamic-group fn-dg", true, false, "unqualified: the Default domain's"},
		{"dynamic-group 'Default'/'FN-DG'", true, false, "names compare case-insensitively"},
		{"dynamic-group 'Engineering'/'fn-dg'", false, false, "another domain's dynamic group of that name"},
		{"dynamic-group id ocid1.dynamicgroup.oc1..fn", true, false, "by OCID"},
		{"group fn-dg", false, false, "a group is not a dynamic group"},
		{"group Ops", false, true, "the user's Default-domain group"},
		{"group Devs", false, false, "unqualified is the Default domain, not Engineering"},
		{"group Engineering/Devs", false, true, "domain-qualified"},
		{"group id ocid1.group.oc1..devs", false, true, "by OCID"},
		{"dynamic-group Ops", false, false, "a dynamic group is not a group"},
		{"any-user", true, true, "every principal"},
		{"any-group", false, true, "users, not resource principals"},
		{"group Nobody, dynamic-group fn-dg", true, false, "one subject of a list is enough"},
	}
	for _, c := range cases {
		st, err := parseStatement("Allow " + c.subject + " to inspect users in tenancy")
		if err != nil {
			t.Fatalf("%s: %v", c.subject, err)
		}
		if got := srv.subjectCovers(st.subjects, fn); got != c.fn {
			t.Errorf("%s covers the function = %v, want %v (%s)", c.subject, got, c.fn, c.rationale)
		}
		if got := srv.subjectCovers(st.subjects, user); got != c.user {
			t.Errorf("%s covers the user = %v, want %v (%s)", c.subject, got, c.user, c.rationale)
		}
	}
}
