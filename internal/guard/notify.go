package guard

import (
	"fmt"
	"time"
)

// FINDING_REMINDER values: how often a run whose only news is an unchanged finding publishes.
const (
	ReminderWeekly = "weekly" // runs that start on a Monday between 00:00 and 00:59 UTC
	ReminderDaily  = "daily"  // runs that start between 00:00 and 00:59 UTC
	ReminderAlways = "always" // every run
)

// Reminders are the FINDING_REMINDER values, the default first.
func Reminders() []string { return []string{ReminderWeekly, ReminderDaily, ReminderAlways} }

// Notification is whether a run's report is published, and why (for the log, the report and
// the message itself).
type Notification struct {
	Publish bool
	Reason  string
}

// NotifyDecision is the one rule for notifications. A failed or partial run, and a run that
// changed (or in dry run would change) something, always publish. A run whose only news is a
// finding (a group that a policy grants manage all-resources in tenancy and that is not
// enforced) is the same news every run: the function keeps no state, so it cannot know whether
// it already told anyone. It publishes when the run starts in the reminder window of
// FINDING_REMINDER, read from the invocation's start time in UTC: with the Terraform stack's
// default schedule (daily at 00:00 UTC) "weekly" is one message each Monday. A schedule that
// never runs between 00:00 and 00:59 UTC never falls in a window and needs "always" (for a
// daily schedule, once a day). Every report and log line lists the finding whatever this says.
func NotifyDecision(r Result, dryRun bool, startedAt time.Time, reminder string) Notification {
	switch {
	case r.Status == StatusError:
		return Notification{true, "the run failed"}
	case r.Status != StatusOK:
		return Notification{true, "some changes failed or were not attempted"}
	case r.Changed() && dryRun:
		return Notification{true, "a dry run found changes to make"}
	case r.Changed():
		return Notification{true, "the run changed something"}
	}
	if len(r.Unenforced()) == 0 {
		return Notification{false, "nothing to report"}
	}
	if inReminderWindow(startedAt, reminder) {
		return Notification{true, fmt.Sprintf("finding reminder (FINDING_REMINDER=%s)", reminder)}
	}
	return Notification{false, fmt.Sprintf("finding unchanged; repeated only %s (FINDING_REMINDER=%s)", ReminderWindow(reminder), reminder)}
}

func inReminderWindow(t time.Time, reminder string) bool {
	t = t.UTC()
	switch reminder {
	case ReminderAlways:
		return true
	case ReminderDaily:
		return t.Hour() == 0
	default: // weekly; config refuses anything else
		return t.Weekday() == time.Monday && t.Hour() == 0
	}
}

// ReminderWindow says in words when a finding is repeated under reminder.
func ReminderWindow(reminder string) string {
	switch reminder {
	case ReminderAlways:
		return "on every run"
	case ReminderDaily:
		return "on runs that start between 00:00 and 00:59 UTC"
	default:
		return "on runs that start on a Monday between 00:00 and 00:59 UTC"
	}
}

// Unenforced are the groups a policy makes administrators that this run did not enforce, one
// finding per group (the first statement that grants it).
func (r Result) Unenforced() []PolicyFinding {
	var out []PolicyFinding
	seen := map[string]bool{}
	for _, f := range r.Policy {
		if f.Kind == "group" && !f.Enforced && !seen[f.Subject] {
			seen[f.Subject] = true
			out = append(out, f)
		}
	}
	return out
}
