package scimfilter

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

const capsURN = "urn:ietf:params:scim:schemas:oracle:idcs:extension:capabilities:User"

// user is shaped like an Identity Domains User as returned on the wire.
const userJSON = `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
  "id": "a1b2",
  "ocid": "ocid1.user.oc1..aaaa",
  "userName": "Alice@Example.com",
  "active": true,
  "meta": {"created": "2026-01-02T03:04:05Z", "version": 3},
  "emails": [
    {"value": "alice@example.com", "type": "work", "primary": true},
    {"value": "al@home.example", "type": "home"}
  ],
  "groups": [{"value": "g1", "display": "Administrators"}, {"value": "g2", "display": "Ops"}],
  "nickName": "",
  "title": null,
  "` + capsURN + `": {"canUseApiKeys": true, "canUseAuthTokens": false}
}`

func decode(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMatch(t *testing.T) {
	user := decode(t, userJSON)
	apiKey := decode(t, `{"id":"k1","fingerprint":"aa:bb","user":{"value":"a1b2","ocid":"ocid1.user.oc1..aaaa"}}`)
	cases := []struct {
		filter   string
		resource map[string]any
		want     bool
	}{
		{`userName eq "alice@example.com"`, user, true}, // case-insensitive value
		{`USERNAME EQ "Alice@Example.com"`, user, true}, // case-insensitive name and operator
		{`userName eq "bob@example.com"`, user, false},
		{`userName ne "bob@example.com"`, user, true},
		{`userName ne "alice@example.com"`, user, false},
		{`userName co "EXAMPLE"`, user, true},
		{`userName co "nope"`, user, false},
		{`userName sw "alice@"`, user, true},
		{`userName sw "example"`, user, false},
		{`userName ew ".COM"`, user, true},
		{`userName ew "alice"`, user, false},
		{`userName pr`, user, true},
		{`nickName pr`, user, false}, // empty string is not present
		{`title pr`, user, false},    // null is not present
		{`missing pr`, user, false},
		{`title eq null`, user, true},
		{`missing eq null`, user, true},
		{`userName eq null`, user, false},
		{`userName ne null`, user, true},
		{`active eq true`, user, true},
		{`active eq false`, user, false},
		{`active ne false`, user, true},
		{`active eq "true"`, user, false}, // type mismatch never matches
		{`meta.version eq 3`, user, true},
		{`meta.version gt 2`, user, true},
		{`meta.version ge 3.0`, user, true},
		{`meta.version lt 3`, user, false},
		{`meta.version le 3e0`, user, true},
		{`meta.version eq "3"`, user, false},
		{`meta.created gt "2026-01-01T00:00:00Z"`, user, true},
		{`meta.created lt "2026-01-01T00:00:00Z"`, user, false},
		{`emails.type eq "home"`, user, true}, // any element of a multi-valued attribute
		{`emails.type eq "other"`, user, false},
		{`emails.value ew "home.example"`, user, true},
		{`groups.value eq "g2"`, user, true},
		{`groups.value ne "g2"`, user, false}, // ne is not eq: no group is g2 is false
		{`groups.value ne "g3"`, user, true},
		{`schemas eq "urn:ietf:params:scim:schemas:core:2.0:User"`, user, true},
		{`groups pr`, user, true},
		{`emails.primary eq true`, user, true},
		{capsURN + `:canUseApiKeys eq true`, user, true},
		{capsURN + `:canUseAuthTokens eq true`, user, false},
		{strings.ToUpper(capsURN) + `:CANUSEAPIKEYS eq true`, user, true},
		{`urn:ietf:params:scim:schemas:oracle:idcs:extension:other:User:canUseApiKeys pr`, user, false},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName sw "alice"`, user, true},
		{`user.ocid eq "ocid1.user.oc1..aaaa"`, apiKey, true},
		{`user.ocid eq "ocid1.user.oc1..bbbb"`, apiKey, false},
		{`user.value eq "a1b2" and fingerprint eq "AA:BB"`, apiKey, true},
		{`userName eq "x" or active eq true`, user, true},
		{`userName eq "x" or active eq false`, user, false},
		{`not (userName eq "x")`, user, true},
		{`NOT(active eq true)`, user, false},
		// not > and > or: false and false or true == (false and false) or true
		{`id eq "x" and id eq "y" or id eq "a1b2"`, user, true},
		// true or false and false == true or (false and false)
		{`id eq "a1b2" or id eq "y" and id eq "z"`, user, true},
		{`(id eq "a1b2" or id eq "y") and id eq "z"`, user, false},
		{`not (id eq "a1b2") and id eq "a1b2"`, user, false},
		{"\tid\neq  \"a1b2\"\r", user, true},
		{`userName eq "ALICE\u0040example.com"`, user, true}, // JSON escape in literal
		{`not eq 1`, map[string]any{"not": 1.0}, true},       // an attribute may be named not
		{`n eq 2`, map[string]any{"n": json.Number("2")}, true},
		{`n eq 2`, map[string]any{"n": 2}, true},
		{`a.b eq 1`, map[string]any{"a": "scalar"}, false}, // sub-attribute of a scalar
		{`$ref eq "x"`, map[string]any{"$ref": "x"}, true},
	}
	for _, c := range cases {
		f, err := Parse(c.filter)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.filter, err)
			continue
		}
		if got := f.Match(c.resource); got != c.want {
			t.Errorf("Parse(%q).Match = %v, want %v", c.filter, got, c.want)
		}
	}
}

func TestLookupPrefersExactThenSmallestKey(t *testing.T) {
	f, _ := Parse(`name eq "x"`)
	if !f.Match(map[string]any{"name": "x", "NAME": "y", "Name": "z"}) {
		t.Error("exact key should win")
	}
	f, _ = Parse(`nAmE eq "y"`)
	for range 20 { // map iteration is randomised; the answer must not be
		if !f.Match(map[string]any{"NAME": "y", "Name": "z"}) {
			t.Fatal("expected the lexicographically smallest key NAME")
		}
	}
}

func TestString(t *testing.T) {
	cases := map[string]string{
		`USERNAME  EQ "a"`:                       `USERNAME eq "a"`,
		`a pr AND b pr OR c pr`:                  `a pr and b pr or c pr`,
		`a pr and (b pr or c pr)`:                `a pr and (b pr or c pr)`,
		`(a pr and b pr) or c pr`:                `a pr and b pr or c pr`,
		`a pr or (b pr or c pr)`:                 `a pr or (b pr or c pr)`,
		`((a pr))`:                               `a pr`,
		`not(a pr)`:                              `not (a pr)`,
		`not (a pr or b pr) and c pr`:            `not (a pr or b pr) and c pr`,
		`a eq "q\"\\\u00e9<"`:                    `a eq "q\"\\é\u003c"`,
		`a eq -1.50e+3`:                          `a eq -1.50e+3`,
		`a eq TRUE and b eq False and c ne NULL`: `a eq true and b eq false and c ne null`,
		capsURN + `:canUseApiKeys eq false`:      capsURN + `:canUseApiKeys eq false`,
	}
	for in, want := range cases {
		f, err := Parse(in)
		if err != nil {
			t.Errorf("Parse(%q): %v", in, err)
			continue
		}
		if got := f.String(); got != want {
			t.Errorf("Parse(%q).String() = %q, want %q", in, got, want)
		}
		assertRoundTrip(t, f)
	}
}

func assertRoundTrip(t testing.TB, f *Filter) {
	t.Helper()
	again, err := Parse(f.String())
	if err != nil {
		t.Fatalf("canonical form %q does not re-parse: %v", f.String(), err)
	}
	if !reflect.DeepEqual(f, again) {
		t.Fatalf("canonical form %q re-parses to a different filter %q", f.String(), again.String())
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		filter string
		offset int
		msg    string
	}{
		{``, 0, "empty filter"},
		{`   `, 0, "empty filter"},
		{`userName`, 8, "expected an operator"},
		{`userName equals "a"`, 9, `expected an operator (eq, ne, co, sw, ew, pr, gt, ge, lt, le) after "userName", found word "equals"`},
		{`userName eq`, 11, "expected a value"},
		{`userName eq bob`, 12, `expected a value ("string", number, true, false or null), found word "bob"`},
		{`userName eq "a`, 12, "unterminated string literal"},
		{`userName eq "a\q"`, 12, "invalid string literal"},
		{"userName eq \"a\tb\"", 12, "invalid string literal"},
		{`userName eq 'a'`, 12, "unexpected character '\\''"},
		{`a eq 01`, 5, "leading zero"},
		{`a eq 1.`, 5, "expected a digit after '.'"},
		{`a eq 1e`, 5, "exponent"},
		{`a eq -`, 5, "expected a digit after '-'"},
		{`a eq 12abc`, 5, "invalid number"},
		{`a eq 1e999`, 5, "out of range"},
		{`a eq "x" b eq "y"`, 9, "expected 'and', 'or' or end of filter"},
		{`a eq "x" and`, 12, "expected an attribute path"},
		{`a eq "x" or or b pr`, 15, `expected an operator (eq, ne, co, sw, ew, pr, gt, ge, lt, le) after "or", found word "b"`},
		{`(a pr`, 5, "expected ')' to close '(' at offset 0, found end of filter"},
		{`a pr)`, 4, "expected 'and', 'or' or end of filter, found ')'"},
		{`not a pr`, 4, "expected '(' after 'not'"},
		{`emails[type eq "work"]`, 6, "value-path filters (attr[...]) are not supported"},
		{`a co 1`, 5, "operator co needs a string value, found number"},
		{`a sw true`, 5, "operator sw needs a string value, found boolean"},
		{`a ew null`, 5, "needs a string value"},
		{`a gt true`, 5, "operator gt needs a string or number value, found boolean"},
		{`a le null`, 5, "needs a string or number value, found null"},
		{`a.b.c eq 1`, 0, "more than one sub-attribute"},
		{`a..b eq 1`, 0, "invalid attribute name"},
		{`1a eq 1`, 0, "invalid number"},
		{`a-b eq 1`, 0, ""}, // valid: '-' is a name character
		{`-a eq 1`, 0, "expected a digit after '-'"},
		{`_a eq 1`, 0, "invalid attribute name"},
		{`foo:bar eq 1`, 0, "not URN-qualified"},
		{`urn:x:User: eq 1`, 0, `invalid attribute name ""`},
		{`a eq "x" & b pr`, 9, "unexpected character '&'"},
	}
	for _, c := range cases {
		_, err := Parse(c.filter)
		if c.msg == "" {
			if err != nil {
				t.Errorf("Parse(%q): unexpected error %v", c.filter, err)
			}
			continue
		}
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) = %v, want a *SyntaxError", c.filter, err)
			continue
		}
		if se.Offset != c.offset || !strings.Contains(se.Msg, c.msg) {
			t.Errorf("Parse(%q) = offset %d %q, want offset %d containing %q", c.filter, se.Offset, se.Msg, c.offset, c.msg)
		}
	}
}

func TestLimits(t *testing.T) {
	deep := func(n int) string {
		return strings.Repeat("(", n) + "a pr" + strings.Repeat(")", n)
	}
	if _, err := Parse(deep(MaxDepth)); err != nil {
		t.Errorf("depth %d should parse: %v", MaxDepth, err)
	}
	_, err := Parse(deep(MaxDepth + 1))
	if err == nil || !strings.Contains(err.Error(), "nested deeper than the limit of 64") {
		t.Errorf("depth %d: got %v", MaxDepth+1, err)
	}
	nots := strings.Repeat("not (", MaxDepth+1) + "a pr" + strings.Repeat(")", MaxDepth+1)
	if _, err := Parse(nots); err == nil || !strings.Contains(err.Error(), "nested deeper") {
		t.Errorf("nested not: got %v", err)
	}

	long := `a eq "` + strings.Repeat("x", MaxLength) + `"`
	_, err = Parse(long)
	if err == nil || !strings.Contains(err.Error(), "longer than the limit") {
		t.Errorf("long filter: got %v", err)
	}

	// A long flat chain is within limits and must not need deep recursion to parse.
	chain := strings.Repeat("a pr and ", 5000) + "a pr"
	f, err := Parse(chain)
	if err != nil {
		t.Fatalf("long chain: %v", err)
	}
	if !f.Match(map[string]any{"a": "x"}) || f.Match(map[string]any{}) {
		t.Error("long chain evaluated wrongly")
	}
}
