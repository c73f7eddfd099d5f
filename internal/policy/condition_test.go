package policy

import "testing"

func TestParseDeny(t *testing.T) {
	st, isDeny, err := ParseDeny("deny group HelpDesk to manage users in tenancy where request.operation='UploadApiKey'")
	if err != nil || !isDeny || !st.Deny || st.Allow || st.Verb != VerbManage || st.Resource != "users" || !st.Location.Tenancy ||
		len(st.Subjects) != 1 || st.Subjects[0] != grp("HelpDesk") || st.Condition != "request.operation='UploadApiKey'" {
		t.Errorf("%+v %v %v", st, isDeny, err)
	}
	if _, isDeny, err := ParseDeny("Allow group A to manage users in tenancy"); isDeny || err != nil {
		t.Errorf("an allow statement is not a deny: %v %v", isDeny, err)
	}
	if _, isDeny, err := ParseDeny("Deny group to manage users"); !isDeny || err == nil {
		t.Errorf("a malformed deny is an error: %v %v", isDeny, err)
	}
	// Parse is unchanged: a deny statement is "not an allow statement".
	if st, err := Parse("Deny group A to manage users in tenancy"); err != nil || st.Allow || st.Deny {
		t.Errorf("Parse: %+v %v", st, err)
	}
}

func TestConditions(t *testing.T) {
	facts := map[string]string{"request.operation": "AddUserToGroup", "target.group.name": "Administrators"}
	for _, tc := range []struct {
		cond string
		want Truth
	}{
		{"request.operation='AddUserToGroup'", True},
		{"request.operation = 'adduserTOgroup'", True}, // values compare case-insensitively
		{"target.group.name != 'Administrators'", False},
		{`target.group.name != "Operators"`, True},
		{"request.user.name = 'alice'", Unknown},
		{"any {request.operation='ListApiKeys', request.operation='DeleteApiKey'}", False},
		{"any {request.operation='ListApiKeys', request.user.name='x'}", Unknown},
		{"any {request.operation='AddUserToGroup', request.user.name='x'}", True},
		{"all {request.operation='AddUserToGroup', request.user.name='x'}", Unknown},
		{"ALL {target.group.name != 'Administrators', request.user.name='x'}", False},
		{"all {any {request.operation='AddUserToGroup'}, target.group.name='administrators'}", True},
	} {
		c, err := ParseCondition(tc.cond)
		if err != nil {
			t.Errorf("%s: %v", tc.cond, err)
			continue
		}
		if got := c.Eval(facts); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.cond, got, tc.want)
		}
	}
	for _, bad := range []string{"target.user.name = /svc-*/", "request.utc-timestamp before '2026-01-01T00:00Z'", "any {a='b'", "a = 'b' c", "", "a = 'b"} {
		if _, err := ParseCondition(bad); err == nil {
			t.Errorf("%q parsed; forms the parser does not read must be errors", bad)
		}
	}
}

// FuzzParseCondition: any text either parses into a condition whose evaluation is one of the
// three truth values, or is an error; a deny statement likewise parses or is an error. Neither
// panics.
func FuzzParseCondition(f *testing.F) {
	for _, s := range []string{"request.operation='X'", "any {a='b', all {c != \"d\"}}", "target.group.name != 'Administrators'",
		"all {", "a = /x*/", "", "any{a='b'}}", "deny group A to manage users in tenancy where any {x='y'}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if c, err := ParseCondition(s); err == nil {
			if v := c.Eval(map[string]string{"a": "b", "request.operation": "X"}); v < False || v > True {
				t.Fatalf("%q evaluates to %d", s, v)
			}
		}
		if st, isDeny, err := ParseDeny(s); err == nil && isDeny && (!st.Deny || st.Allow) {
			t.Fatalf("%q: deny %+v", s, st)
		}
	})
}
