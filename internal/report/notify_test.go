package report

import (
	"strings"
	"testing"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// 2026-11-23 is a Monday.
const (
	monday0030  = "2026-11-23T00:30:00Z"
	monday0059  = "2026-11-23T00:59:59Z"
	monday0100  = "2026-11-23T01:00:00Z"
	tuesday0010 = "2026-11-24T00:10:00Z"
	tuesday1300 = "2026-11-24T13:00:00Z"
	// Monday 00:30 in UTC is Sunday evening in New York: the window is read in UTC.
	mondayUTCinNY = "2026-11-22T19:30:00-05:00"
	sundayUTC     = "2026-11-22T23:59:59Z"
)

var unenforced = []guard.PolicyFinding{{Subject: "group 'NetworkAdmins'", Kind: "group", PolicyName: "p", Note: "reported only"}}

func TestDecide(t *testing.T) {
	finding := func(start string) Report {
		return Report{Result: guard.Result{Status: guard.StatusOK, Policy: unenforced}, Mode: "enforce", StartedAt: at(start)}
	}
	for name, tc := range map[string]struct {
		r        Report
		reminder string
		want     bool
		reason   string
	}{
		"clean":                          {Report{Result: guard.Result{Status: guard.StatusOK}, StartedAt: at(monday0030)}, ReminderAlways, false, "nothing to report"},
		"enforced group is no finding":   {Report{Result: guard.Result{Status: guard.StatusOK, Policy: []guard.PolicyFinding{{Kind: "group", Enforced: true}}}, StartedAt: at(monday0030)}, ReminderAlways, false, "nothing to report"},
		"dynamic group is no finding":    {Report{Result: guard.Result{Status: guard.StatusOK, Policy: []guard.PolicyFinding{{Kind: "dynamic-group"}}}, StartedAt: at(monday0030)}, ReminderAlways, false, "nothing to report"},
		"deleted, any time":              {Report{Result: guard.Result{Status: guard.StatusOK, Counts: guard.Counts{Deleted: 1}}, StartedAt: at(tuesday1300)}, ReminderWeekly, true, "changed"},
		"would delete, any time":         {Report{Result: guard.Result{Status: guard.StatusOK, Counts: guard.Counts{WouldDelete: 1}}, Mode: "dry-run", StartedAt: at(tuesday1300)}, ReminderWeekly, true, "dry run"},
		"disabled, any time":             {Report{Result: guard.Result{Status: guard.StatusOK, Counts: guard.Counts{Disabled: 1}}, StartedAt: at(tuesday1300)}, ReminderWeekly, true, "changed"},
		"failed, any time":               {Report{Result: guard.Result{Status: guard.StatusError}, StartedAt: at(tuesday1300)}, ReminderWeekly, true, "failed"},
		"partial, any time":              {Report{Result: guard.Result{Status: guard.StatusPartial}, StartedAt: at(tuesday1300)}, ReminderWeekly, true, "not attempted"},
		"changes with a finding":         {Report{Result: guard.Result{Status: guard.StatusOK, Counts: guard.Counts{Deleted: 1}, Policy: unenforced}, StartedAt: at(tuesday1300)}, ReminderWeekly, true, "changed"},
		"weekly, Monday 00:30":           {finding(monday0030), ReminderWeekly, true, "FINDING_REMINDER=weekly"},
		"weekly, Monday 00:59:59":        {finding(monday0059), ReminderWeekly, true, "reminder"},
		"weekly, Monday 01:00":           {finding(monday0100), ReminderWeekly, false, "Monday between 00:00 and 00:59 UTC"},
		"weekly, Tuesday 00:10":          {finding(tuesday0010), ReminderWeekly, false, "unchanged"},
		"weekly, Sunday 23:59":           {finding(sundayUTC), ReminderWeekly, false, "unchanged"},
		"weekly, read in UTC":            {finding(mondayUTCinNY), ReminderWeekly, true, "reminder"},
		"daily, Tuesday 00:10":           {finding(tuesday0010), ReminderDaily, true, "FINDING_REMINDER=daily"},
		"daily, Tuesday 13:00":           {finding(tuesday1300), ReminderDaily, false, "between 00:00 and 00:59 UTC"},
		"always, Tuesday 13:00":          {finding(tuesday1300), ReminderAlways, true, "FINDING_REMINDER=always"},
		"dry run finding, out of window": {Report{Result: guard.Result{Status: guard.StatusOK, Policy: unenforced}, Mode: "dry-run", StartedAt: at(tuesday1300)}, ReminderWeekly, false, "unchanged"},
	} {
		d := Decide(&tc.r, tc.reminder)
		if d.Publish != tc.want || !strings.Contains(d.Reason, tc.reason) {
			t.Errorf("%s: Decide = %+v, want publish=%v with a reason mentioning %q", name, d, tc.want, tc.reason)
		}
	}
}

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
	r := &Report{Result: guard.Result{Status: guard.StatusOK, Policy: unenforced}, Mode: "enforce", StartedAt: at(monday0030), APICalls: APICalls{Total: 7}}
	d := Decide(r, ReminderWeekly)
	title, body := Message(r, d, ReminderWeekly)
	if !strings.HasPrefix(title, "admin-apikey-guard [ok]: finding:") {
		t.Errorf("title %q", title)
	}
	for _, want := range []string{"Sent because: finding reminder (FINDING_REMINDER=weekly)", "API calls so far: 7",
		"repeated on runs that start on a Monday between 00:00 and 00:59 UTC", "INCLUDE_POLICY_ADMINS=true", "group 'NetworkAdmins'"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
	_, body = Message(&Report{Result: guard.Result{Status: guard.StatusOK, Counts: guard.Counts{Deleted: 1}}}, Decision{true, "the run changed something"}, ReminderWeekly)
	if strings.Contains(body, "repeated") {
		t.Errorf("a message without a finding talks about repeating it:\n%s", body)
	}
}
