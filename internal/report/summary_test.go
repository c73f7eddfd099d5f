package report

import (
	"strings"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
)

func TestShouldNotify(t *testing.T) {
	for name, tc := range map[string]struct {
		r    guard.Report
		want bool
	}{
		"clean":                  {guard.Report{Status: guard.StatusOK}, false},
		"deleted":                {guard.Report{Status: guard.StatusOK, Counts: guard.Counts{Deleted: 1}}, true},
		"would delete":           {guard.Report{Status: guard.StatusOK, Counts: guard.Counts{WouldDelete: 1}}, true},
		"disabled":               {guard.Report{Status: guard.StatusOK, Counts: guard.Counts{Disabled: 1}}, true},
		"failed":                 {guard.Report{Status: guard.StatusError}, true},
		"partial":                {guard.Report{Status: guard.StatusPartial}, true},
		"unenforced group":       {guard.Report{Status: guard.StatusOK, Policy: []guard.PolicyFinding{{Kind: "group"}}}, true},
		"enforced group":         {guard.Report{Status: guard.StatusOK, Policy: []guard.PolicyFinding{{Kind: "group", Enforced: true}}}, false},
		"dynamic group reported": {guard.Report{Status: guard.StatusOK, Policy: []guard.PolicyFinding{{Kind: "dynamic-group"}}}, false},
	} {
		if got := ShouldNotify(&tc.r); got != tc.want {
			t.Errorf("%s: ShouldNotify = %v, want %v", name, got, tc.want)
		}
	}
}

func TestTextNamesWhoWhatAndWhy(t *testing.T) {
	r := &guard.Report{Status: guard.StatusPartial, Mode: "enforce", CallID: "call-9",
		Counts: guard.Counts{Deleted: 1, Failed: 1},
		Admins: []guard.AdminReport{{UserName: "alice", OCID: "ocid1.user.oc1..a", Domain: "Default", Keys: []guard.KeyReport{
			{Fingerprint: "aa:bb", Outcome: guard.OutcomeDeleted},
			{Fingerprint: "cc:dd", Outcome: guard.OutcomeFailed, Reason: "404 NotAuthorizedOrNotFound"},
		}}},
		Errors: []guard.Problem{{Stage: "delete", Message: "m", Hint: "Allow dynamic-group x to manage users in tenancy"}},
	}
	text := Text(r)
	for _, want := range []string{"call-9", "alice", "aa:bb: deleted", "cc:dd: failed (404 NotAuthorizedOrNotFound)", "Hint: Allow dynamic-group"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if title := Title(r); !strings.Contains(title, "[partial]") || !strings.Contains(title, "1 failed") {
		t.Errorf("title %q", title)
	}
}
