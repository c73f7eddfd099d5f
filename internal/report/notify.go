package report

import (
	"fmt"
	"strings"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
)

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

// DryRun says whether the report is of a dry run.
func (r *Report) DryRun() bool { return r.Mode == ModeDryRun }

// Message is the notification: Title, then why it was sent, then Text, and for a report with
// unenforced policy-admin groups, how often that finding is repeated.
func Message(r *Report, d guard.Notification, reminder string) (title, body string) {
	var b strings.Builder
	fmt.Fprintf(&b, "Sent because: %s\n", d.Reason)
	b.WriteString(Text(r))
	if len(r.Unenforced()) > 0 {
		fmt.Fprintf(&b, "\nWhile nothing else happens, this finding is repeated %s (FINDING_REMINDER=%s). "+
			"To enforce these groups too, set INCLUDE_POLICY_ADMINS=true; or change the policy.\n", guard.ReminderWindow(reminder), reminder)
	}
	return Title(r), b.String()
}
