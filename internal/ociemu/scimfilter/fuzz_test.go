package scimfilter

import (
	"reflect"
	"testing"
)

// FuzzParse checks that Parse never panics and that the canonical form of
// anything it accepts parses back to the same filter. Match is exercised too
// so evaluation cannot panic on a parsed filter.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`userName eq "alice"`,
		`user.ocid eq "ocid1.user.oc1..aaaa"`,
		`displayName eq "Administrators" and members pr`,
		`not (a pr) or b gt 1.5e3 and c le "z"`,
		`(a co "\u00e9\n" or b sw "x") and not (c ew "y")`,
		capsURN + `:canUseApiKeys eq false`,
		`a eq true or b ne null`,
		`emails[type eq "work"]`,
		`((((a pr))))`,
		`a eq -0.0`,
	} {
		f.Add(seed)
	}
	resource := decode(f, userJSON)
	f.Fuzz(func(t *testing.T, s string) {
		filter, err := Parse(s)
		if err != nil {
			if filter != nil {
				t.Fatal("non-nil filter with an error")
			}
			return
		}
		filter.Match(resource)
		canonical := filter.String()
		again, err := Parse(canonical)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", canonical, s, err)
		}
		if !reflect.DeepEqual(filter, again) {
			t.Fatalf("canonical form %q of %q parses to a different filter", canonical, s)
		}
	})
}
