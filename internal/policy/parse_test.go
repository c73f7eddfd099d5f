package policy

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.in)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tc.in, err)
			}
			want := tc.want
			want.Raw = tc.in
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", tc.in, got, want)
			}
			if g := got.GrantsTenancyAdmin(); g != tc.admin {
				t.Errorf("GrantsTenancyAdmin() = %v, want %v", g, tc.admin)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name     string
		in       string
		offset   int
		expected string // substring of SyntaxError.Expected
		found    string
	}{
		{"empty", "", 0, `"Allow"`, ""},
		{"only whitespace", " \n\t", 3, `"Allow"`, ""},
		{"unknown leading keyword", "Grant group X to manage all-resources in tenancy", 0, `"Allow"`, "Grant"},
		{"missing to", "Allow group Administrators manage all-resources in tenancy", 27, `"to"`, "manage"},
		{"unquoted name with a space", "Allow group My Admins to manage all-resources in tenancy", 15, `"to"`, "Admins"},
		{"missing group name", "Allow group to manage all-resources in tenancy", 12, "group name", "to"},
		{"dangling comma", "Allow group A, to manage all-resources in tenancy", 15, "group name", "to"},
		{"any-user followed by a bare name", "Allow any-user, Bob to manage all-resources in tenancy", 16, "subject", "Bob"},
		{"space in dynamic-group keyword", "allow dynamic group fn to manage objects in compartment X", 6, "subject", "dynamic"},
		{"missing name after domain", "Allow group 'Default'/ to manage all-resources in tenancy", 23, "after domain", "to"},
		{"empty quoted name", "Allow group '' to manage all-resources in tenancy", 12, "group name", "''"},
		{"unterminated quote", "Allow group 'Administrators to manage all-resources in tenancy", 12, "closing '", ""},
		{"group id without OCID", "Allow group id to manage all-resources in tenancy", 15, "group OCID", "to"},
		{"group id not an OCID", "Allow group id Administrators to manage all-resources in tenancy", 15, "group OCID", "Administrators"},
		{
			"quoted OCID swallowing the rest (blog typo)",
			"allow dynamic-group fn-dg to manage objects in compartment id 'ocid1.compartment.oc1 where target.bucket.name='fn-log-bucket'",
			62, "compartment OCID", "'ocid1.compartment.oc1 where target.bucket.name='",
		},
		{"unknown verb", "Allow group Administrators to administer all-resources in tenancy", 30, "verb", "administer"},
		{"two-word resource type", "Allow group A-admins to manage all resources in compartment Project-A", 35, `"in"`, "resources"},
		{"missing resource type", "Allow group Administrators to manage in tenancy", 37, "resource type", "in"},
		{"missing location", "Allow group Administrators to manage all-resources", 50, `"in"`, ""},
		{"missing location after in", "Allow group Administrators to manage all-resources in", 53, `"tenancy"`, ""},
		{"unknown location", "Allow group Administrators to manage all-resources in region us-ashburn-1", 54, `"compartment"`, "region"},
		{"trailing text after tenancy", "Allow group Administrators to manage all-resources in tenancy Acme", 62, `"where"`, "Acme"},
		{"trailing semicolon", "Allow group Administrators to manage all-resources in tenancy;", 54, `"tenancy"`, "tenancy;"},
		{"empty where", "Allow group Administrators to manage all-resources in tenancy where  \n", 70, "condition", ""},
		{"empty compartment path part", "Allow group Ops to manage all-resources in compartment Prod::Hub", 55, "compartment path", "Prod::Hub"},
		{"empty permission list", "Allow group A to {} in tenancy", 18, "permission name", "}"},
		{"permission list without comma", "Allow group A to {USER_READ USER_INSPECT} in tenancy", 28, `"}"`, "USER_INSPECT"},
		{"unclosed permission list", "Allow group A to {USER_READ in tenancy", 28, `"}"`, "in"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want error", tc.in, got)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T %v is not a *SyntaxError", err, err)
			}
			if se.Offset != tc.offset || !strings.Contains(se.Expected, tc.expected) || se.Found != tc.found {
				t.Errorf("Parse(%q) error = {Offset:%d Expected:%q Found:%q}, want offset %d, expected containing %q, found %q",
					tc.in, se.Offset, se.Expected, se.Found, tc.offset, tc.expected, tc.found)
			}
			if got.Raw != tc.in || got.Allow || got.Subjects != nil {
				t.Errorf("on error Parse returned %+v, want only Raw set", got)
			}
		})
	}
}

func TestSyntaxErrorMessage(t *testing.T) {
	_, err := Parse("Allow group Administrators manage all-resources in tenancy")
	const want = `policy statement: expected "," or "to" at offset 27, found "manage"`
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v, want %s", err, want)
	}

	_, err = Parse("Allow group Administrators to manage all-resources")
	if err == nil || !strings.HasSuffix(err.Error(), "found end of statement") {
		t.Fatalf("error = %v, want it to end with found end of statement", err)
	}

	// A long offending token is cut, on a rune boundary, so errors stay short.
	long := strings.Repeat("é", 100)
	_, err = Parse("Allow group A to " + long + " all-resources in tenancy")
	if err == nil {
		t.Fatal("want an error")
	}
	if msg := err.Error(); len(msg) > 150 || !strings.Contains(msg, `..."`) || strings.Contains(msg, `\x`) {
		t.Fatalf("error not truncated cleanly: %s", msg)
	}
}

func TestSubjectStringRoundTrips(t *testing.T) {
	for _, tc := range parseCases {
		for _, s := range tc.want.Subjects {
			stmt := "Allow " + s.String() + " to manage all-resources in tenancy"
			got, err := Parse(stmt)
			if err != nil {
				t.Fatalf("Parse(%q): %v", stmt, err)
			}
			if len(got.Subjects) != 1 || got.Subjects[0] != s {
				t.Errorf("%q parsed to %+v, want %+v", stmt, got.Subjects, s)
			}
		}
	}
}

func TestInDefaultDomain(t *testing.T) {
	cases := []struct {
		s    Subject
		want bool
	}{
		{grp("Administrators"), true},
		{grpIn("Default", "Administrators"), true},
		{grpIn("default", "Administrators"), true},
		{grpIn("HR", "Administrators"), false},
		{grpIn("Default2", "Administrators"), false},
	}
	for _, tc := range cases {
		if got := tc.s.InDefaultDomain(); got != tc.want {
			t.Errorf("%+v.InDefaultDomain() = %v, want %v", tc.s, got, tc.want)
		}
	}
}

func TestGrantsTenancyAdminNeedsAllowAndManage(t *testing.T) {
	base := Statement{Allow: true, Subjects: []Subject{grp("A")}, Verb: VerbManage, Resource: ResourceAll, Location: tenancy}
	if !base.GrantsTenancyAdmin() {
		t.Fatal("base statement should be an admin grant")
	}
	notAllow := base
	notAllow.Allow = false
	perms := base
	perms.Verb, perms.Permissions = "", []string{"ALL"}
	compartmentID := base
	compartmentID.Location = Location{CompartmentID: "ocid1.tenancy.oc1..aaaa"}
	for name, s := range map[string]Statement{"not allow": notAllow, "permission list": perms, "compartment id": compartmentID} {
		if s.GrantsTenancyAdmin() {
			t.Errorf("%s: GrantsTenancyAdmin() = true, want false", name)
		}
	}
}

// The parser is a single pass, so even a huge statement is quick; this also
// guards against accidental quadratic behaviour in the lexer.
func TestParseLargeStatement(t *testing.T) {
	var b strings.Builder
	b.WriteString("Allow group G0")
	const n = 50000
	for i := 1; i < n; i++ {
		b.WriteString(", 'Domain'/'Group number ")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString("'")
	}
	b.WriteString(" to manage all-resources in tenancy where ")
	b.WriteString(strings.Repeat("{request.user.name='x'} ", 1000))
	st, err := Parse(b.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Subjects) != n || !st.GrantsTenancyAdmin() {
		t.Fatalf("got %d subjects, admin=%v", len(st.Subjects), st.GrantsTenancyAdmin())
	}
}
