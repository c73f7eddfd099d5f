package guard_test

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

// notified is what the notification decision reads of a run.
type notified struct {
	r         guard.Result
	dryRun    bool
	startedAt time.Time
}

// TestNotifyDecision: failures and changes always publish; an unchanged finding only in its
// reminder window (UTC).
func TestNotifyDecision(t *testing.T) {
	finding := func(start string) notified {
		return notified{r: guard.Result{Status: guard.StatusOK, Policy: unenforced}, startedAt: at(start)}
	}
	for name, tc := range map[string]struct {
		run      notified
		reminder string
		want     bool
		reason   string
	}{
		"clean":                          {notified{r: guard.Result{Status: guard.StatusOK}, dryRun: false, startedAt: at(monday0030)}, guard.ReminderAlways, false, "nothing to report"},
		"enforced group is no finding":   {notified{r: guard.Result{Status: guard.StatusOK, Policy: []guard.PolicyFinding{{Kind: "group", Enforced: true}}}, dryRun: false, startedAt: at(monday0030)}, guard.ReminderAlways, false, "nothing to report"},
		"dynamic group is no finding":    {notified{r: guard.Result{Status: guard.StatusOK, Policy: []guard.PolicyFinding{{Kind: "dynamic-group"}}}, dryRun: false, startedAt: at(monday0030)}, guard.ReminderAlways, false, "nothing to report"},
		"deleted, any time":              {notified{r: guard.Result{Status: guard.StatusOK, Counts: guard.Counts{Deleted: 1}}, dryRun: false, startedAt: at(tuesday1300)}, guard.ReminderWeekly, true, "changed"},
		"would delete, any time":         {notified{r: guard.Result{Status: guard.StatusOK, Counts: guard.Counts{WouldDelete: 1}}, dryRun: true, startedAt: at(tuesday1300)}, guard.ReminderWeekly, true, "dry run"},
		"disabled, any time":             {notified{r: guard.Result{Status: guard.StatusOK, Counts: guard.Counts{Disabled: 1}}, dryRun: false, startedAt: at(tuesday1300)}, guard.ReminderWeekly, true, "changed"},
		"failed, any time":               {notified{r: guard.Result{Status: guard.StatusError}, dryRun: false, startedAt: at(tuesday1300)}, guard.ReminderWeekly, true, "failed"},
		"partial, any time":              {notified{r: guard.Result{Status: guard.StatusPartial}, dryRun: false, startedAt: at(tuesday1300)}, guard.ReminderWeekly, true, "not attempted"},
		"changes with a finding":         {notified{r: guard.Result{Status: guard.StatusOK, Counts: guard.Counts{Deleted: 1}, Policy: unenforced}, dryRun: false, startedAt: at(tuesday1300)}, guard.ReminderWeekly, true, "changed"},
		"weekly, Monday 00:30":           {finding(monday0030), guard.ReminderWeekly, true, "FINDING_REMINDER=weekly"},
		"weekly, Monday 00:59:59":        {finding(monday0059), guard.ReminderWeekly, true, "reminder"},
		"weekly, Monday 01:00":           {finding(monday0100), guard.ReminderWeekly, false, "Monday between 00:00 and 00:59 UTC"},
		"weekly, Tuesday 00:10":          {finding(tuesday0010), guard.ReminderWeekly, false, "unchanged"},
		"weekly, Sunday 23:59":           {finding(sundayUTC), guard.ReminderWeekly, false, "unchanged"},
		"weekly, read in UTC":            {finding(mondayUTCinNY), guard.ReminderWeekly, true, "reminder"},
		"daily, Tuesday 00:10":           {finding(tuesday0010), guard.ReminderDaily, true, "FINDING_REMINDER=daily"},
		"daily, Tuesday 13:00":           {finding(tuesday1300), guard.ReminderDaily, false, "between 00:00 and 00:59 UTC"},
		"always, Tuesday 13:00":          {finding(tuesday1300), guard.ReminderAlways, true, "FINDING_REMINDER=always"},
		"dry run finding, out of window": {notified{r: guard.Result{Status: guard.StatusOK, Policy: unenforced}, dryRun: true, startedAt: at(tuesday1300)}, guard.ReminderWeekly, false, "unchanged"},
	} {
		d := guard.NotifyDecision(tc.run.r, tc.run.dryRun, tc.run.startedAt, tc.reminder)
		if d.Publish != tc.want || !strings.Contains(d.Reason, tc.reason) {
			t.Errorf("%s: NotifyDecision = %+v, want publish=%v with a reason mentioning %q", name, d, tc.want, tc.reason)
		}
	}
}
