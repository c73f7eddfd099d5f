package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
)

// FINDING_REMINDER values: how often a run whose only news is an unchanged finding publishes.
const (
	ReminderWeekly = "weekly" // runs that start on a Monday between 00:00 and 00:59 UTC
	ReminderDaily  = "daily"  // runs that start between 00:00 and 00:59 UTC
	ReminderAlways = "always" // every run
)

// Decision says whether a run's report is published, and why (for the log, the report and
// the message itself).
type Decision struct {
	Publish bool
	Reason  string
}

// Decide is the one rule for notifications. A failed or partial run, and a run that changed
// (or in dry run would change) something, always publish. A run whose only news is a finding
// (a group that a policy grants manage all-resources in tenancy and that is not enforced) is
// the same news every run: the function keeps no state, so it cannot know whether it already
// told anyone. It publishes when the run starts in the reminder window of FINDING_REMINDER,
// read from the invocation's start time (r.StartedAt) in UTC: with the Terraform stack's
// default schedule (daily at 00:00 UTC) "weekly" is one message each Monday. A schedule that
// never runs between 00:00 and 00:59 UTC never falls in a window and needs "always" (for a
// daily schedule, once a day). Every report and log line lists the finding whatever this says.
func Decide(r *Report, reminder string) Decision {
	switch {
	case r.Status == guard.StatusError:
		return Decision{true, "the run failed"}
	case r.Status != guard.StatusOK:
		return Decision{true, "some changes failed or were not attempted"}
	case r.Changed() && r.Mode == ModeDryRun:
		return Decision{true, "a dry run found changes to make"}
	case r.Changed():
		return Decision{true, "the run changed something"}
	}
	if len(Unenforced(r)) == 0 {
		return Decision{false, "nothing to report"}
	}
	if inReminderWindow(r.StartedAt, reminder) {
		return Decision{true, fmt.Sprintf("finding reminder (FINDING_REMINDER=%s)", reminder)}
	}
	return Decision{false, fmt.Sprintf("finding unchanged; repeated only %s (FINDING_REMINDER=%s)", windowText(reminder), reminder)}
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

func windowText(reminder string) string {
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
func Unenforced(r *Report) []guard.PolicyFinding {
	var out []guard.PolicyFinding
	seen := map[string]bool{}
	for _, f := range r.Policy {
		if f.Kind == "group" && !f.Enforced && !seen[f.Subject] {
			seen[f.Subject] = true
			out = append(out, f)
		}
	}
	return out
}

// findingTitle says what was found, naming the first group.
func findingTitle(fs []guard.PolicyFinding) string {
	switch len(fs) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("finding: %s is granted manage all-resources in tenancy and is not enforced", fs[0].Subject)
	default:
		names := make([]string, 0, 2)
		for _, f := range fs[:2] {
			names = append(names, f.Subject)
		}
		more := ""
		if len(fs) > 2 {
			more = fmt.Sprintf(" and %d more", len(fs)-2)
		}
		return fmt.Sprintf("finding: %d groups are granted manage all-resources in tenancy and are not enforced: %s%s", len(fs), strings.Join(names, ", "), more)
	}
}

// Message is the notification: Title, then why it was sent, then Text, and for a report with
// unenforced policy-admin groups, how often that finding is repeated.
func Message(r *Report, d Decision, reminder string) (title, body string) {
	var b strings.Builder
	fmt.Fprintf(&b, "Sent because: %s\n", d.Reason)
	b.WriteString(Text(r))
	if len(Unenforced(r)) > 0 {
		fmt.Fprintf(&b, "\nWhile nothing else happens, this finding is repeated %s (FINDING_REMINDER=%s). "+
			"To enforce these groups too, set INCLUDE_POLICY_ADMINS=true; or change the policy.\n", windowText(reminder), reminder)
	}
	return Title(r), b.String()
}
