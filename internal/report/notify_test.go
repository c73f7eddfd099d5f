package report

import (
	"strings"
	"testing"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
)

var unenforced = []guard.PolicyFinding{{Subject: "group 'NetworkAdmins'", Kind: "group", PolicyName: "p", Note: "reported only"}}

func TestTitleSaysWhyTheMessageWasSent(t *testing.T) {
	two := append([]guard.PolicyFinding{{Subject: "group 'Ops'", Kind: "group"}}, unenforced...)
	three := append([]guard.PolicyFinding{{Subject: "group 'Sec'", Kind: "group"}}, two...)
	for name, tc := range map[string]struct {
		r          Report
		want, not_ string
	}{
		"finding only": {Report{Result: guard.Result{Status: guard.StatusOK, Policy: unenforced}, Mode: "enforce"},
			"[ok]: finding: group 'NetworkAdmins' is granted manage all-resources in tenancy and is not enforced", "deleted"},
		"finding repeated by several policies": {Report{Result: guard.Result{Status: guard.StatusOK, Policy: append(unenforced, unenforced...)}},
			"finding: group 'NetworkAdmins' is granted", "2 groups"},
		"two findings": {Report{Result: guard.Result{Status: guard.StatusOK, Policy: two}},
			"finding: 2 groups are granted manage all-resources in tenancy and are not enforced: group 'Ops', group 'NetworkAdmins'", "more"},
		"three findings":          {Report{Result: guard.Result{Status: guard.StatusOK, Policy: three}}, "3 groups are granted", ""},
		"three findings name two": {Report{Result: guard.Result{Status: guard.StatusOK, Policy: three}}, "and 1 more", ""},
		"deleted": {Report{Result: guard.Result{Status: guard.StatusOK, Counts: guard.Counts{Deleted: 3}}, Mode: "enforce"},
			"[ok]: deleted 3 administrator API key(s)", "finding"},
		"deleted with finding": {Report{Result: guard.Result{Status: guard.StatusOK, Counts: guard.Counts{Deleted: 3}, Policy: unenforced}, Mode: "enforce"},
			"deleted 3 administrator API key(s); 1 policy-admin group(s) not enforced", ""},
		"disabled only": {Report{Result: guard.Result{Status: guard.StatusOK, Counts: guard.Counts{Disabled: 2}}, Mode: "enforce"},
			"disabled 2 API key capability(ies)", ""},
		"dry run": {Report{Result: guard.Result{Status: guard.StatusOK, Counts: guard.Counts{WouldDelete: 2}}, Mode: "dry-run"},
			"dry run: would delete 2 administrator API key(s)", ""},
		"dry run finding only": {Report{Result: guard.Result{Status: guard.StatusOK, Policy: unenforced}, Mode: "dry-run"},
			"[ok]: finding: group 'NetworkAdmins'", "would delete"},
		"failed": {Report{Result: guard.Result{Status: guard.StatusError, Errors: []guard.Problem{{Stage: "trigger"}}, Policy: unenforced}},
			"[error]: run failed (trigger), nothing changed", "not enforced"},
		"partial": {Report{Result: guard.Result{Status: guard.StatusPartial, Counts: guard.Counts{Deleted: 1, Failed: 1}}},
			"[partial]: deleted 1 administrator API key(s), 1 failed or not attempted", ""},
		"all failed": {Report{Result: guard.Result{Status: guard.StatusPartial, Counts: guard.Counts{NotAttempted: 2}}},
			"[partial]: deleted 0 administrator API key(s), 2 failed or not attempted", ""},
		"clean": {Report{Result: guard.Result{Status: guard.StatusOK}}, "[ok]: no administrator API key to delete", "deleted"},
	} {
		got := Title(&tc.r)
		if !strings.Contains(got, tc.want) || (tc.not_ != "" && strings.Contains(got, tc.not_)) {
			t.Errorf("%s: title %q, want it to contain %q and not %q", name, got, tc.want, tc.not_)
		}
	}
}

func TestMessageSaysWhyAndHowOftenAFindingRepeats(t *testing.T) {
	r := &Report{Result: guard.Result{Status: guard.StatusOK, Policy: unenforced}, Mode: "enforce", StartedAt: time.Date(2026, 11, 23, 0, 30, 0, 0, time.UTC) /* a Monday, in the weekly window */, APICalls: APICalls{Total: 7}}
	d := guard.NotifyDecision(r.Result, r.DryRun(), r.StartedAt, guard.ReminderWeekly)
	title, body := Message(r, d, guard.ReminderWeekly)
	if !strings.HasPrefix(title, "admin-apikey-guard [ok]: finding:") {
		t.Errorf("title %q", title)
	}
	for _, want := range []string{"Sent because: finding reminder (FINDING_REMINDER=weekly)", "API calls so far: 7",
		"repeated on runs that start on a Monday between 00:00 and 00:59 UTC", "INCLUDE_POLICY_ADMINS=true", "group 'NetworkAdmins'"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
	_, body = Message(&Report{Result: guard.Result{Status: guard.StatusOK, Counts: guard.Counts{Deleted: 1}}}, guard.Notification{Publish: true, Reason: "the run changed something"}, guard.ReminderWeekly)
	if strings.Contains(body, "repeated") {
		t.Errorf("a message without a finding talks about repeating it:\n%s", body)
	}
}
