package policy

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics and that whatever it accepts is
// internally consistent. Seeds are the table statements plus the corpus
// checked in under testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, tc := range parseCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		st, err := Parse(in)
		if st.Raw != in {
			t.Fatalf("Raw = %q, want the input", st.Raw)
		}
		again, err2 := Parse(in)
		if !reflect.DeepEqual(st, again) || (err == nil) != (err2 == nil) {
			t.Fatalf("Parse is not deterministic for %q", in)
		}
		if err != nil {
			checkSyntaxError(t, in, err)
			return
		}
		if st.Allow {
			checkAllow(t, st)
		}
	})
}

func checkSyntaxError(t *testing.T, in string, err error) {
	t.Helper()
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("error %T is not a *SyntaxError: %v", err, err)
	}
	if se.Offset < 0 || se.Offset > len(in) || se.Expected == "" {
		t.Fatalf("bad error %+v for input of %d bytes", se, len(in))
	}
	if se.Found != "" && !strings.HasPrefix(in[se.Offset:], se.Found) {
		t.Fatalf("error Found %q is not the input at offset %d", se.Found, se.Offset)
	}
	if len(err.Error()) > 400 {
		t.Fatalf("error message is %d bytes long", len(err.Error()))
	}
}

func checkAllow(t *testing.T, st Statement) {
	t.Helper()
	if len(st.Subjects) == 0 {
		t.Fatalf("accepted %q without subjects", st.Raw)
	}
	for _, s := range st.Subjects {
		checkSubject(t, s)
	}
	switch st.Verb {
	case "":
		if len(st.Permissions) == 0 {
			t.Fatalf("accepted %q with neither verb nor permissions", st.Raw)
		}
	case VerbInspect, VerbRead, VerbUse, VerbManage:
		if len(st.Permissions) != 0 || st.Resource == "" {
			t.Fatalf("verb statement %q has permissions %v, resource %q", st.Raw, st.Permissions, st.Resource)
		}
	default:
		t.Fatalf("accepted verb %q", st.Verb)
	}
	if st.Resource != strings.ToLower(st.Resource) {
		t.Fatalf("resource %q is not lower-case", st.Resource)
	}
	set := 0
	for _, ok := range []bool{st.Location.Tenancy, st.Location.Compartment != "", st.Location.CompartmentID != ""} {
		if ok {
			set++
		}
	}
	if set != 1 {
		t.Fatalf("location %+v of %q should have exactly one field set", st.Location, st.Raw)
	}
	if st.Condition != strings.TrimSpace(st.Condition) {
		t.Fatalf("condition %q is not trimmed", st.Condition)
	}
}

func checkSubject(t *testing.T, s Subject) {
	t.Helper()
	switch s.Kind {
	case KindAnyGroup, KindAnyUser:
		if s != (Subject{Kind: s.Kind}) {
			t.Fatalf("%s subject carries a name: %+v", s.Kind, s)
		}
		return
	case KindGroup, KindDynamicGroup, KindService:
	default:
		t.Fatalf("unknown subject kind %q", s.Kind)
	}
	if (s.Name == "") == (s.OCID == "") {
		t.Fatalf("subject %+v must have exactly one of name and OCID", s)
	}
	if strings.ContainsRune(s.Name, '\'') && strings.ContainsRune(s.Name, '"') ||
		strings.ContainsRune(s.Domain, '\'') && strings.ContainsRune(s.Domain, '"') {
		return // cannot be quoted either way, so String cannot round-trip
	}
	back, err := Parse("Allow " + s.String() + " to manage all-resources in tenancy")
	if err != nil || len(back.Subjects) != 1 || back.Subjects[0] != s {
		t.Fatalf("subject %+v does not round-trip through %q: %+v, %v", s, s.String(), back.Subjects, err)
	}
}
