package report

import (
	"fmt"
	"strings"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
)

// domainRolesText says whether the Default domain's administrator roles were read for
// escalation paths: "not evaluated" is never silent.
func domainRolesText(b *strings.Builder, e *guard.RoleEvaluation) {
	switch {
	case e == nil:
	case e.Evaluated:
		fmt.Fprintf(b, "\nDomain roles (%s): evaluated (%s)\n", e.Domain, strings.Join(e.Roles, ", "))
	default:
		fmt.Fprintf(b, "\nDomain roles: not evaluated: %s\n", e.Reason)
	}
}

// escalationText lists who can make themselves an administrator, one line per subject and
// path, with the statement (or grant) and what keeps a conditional path from being enforced.
func escalationText(b *strings.Builder, paths []guard.EscalationFinding) {
	if len(paths) == 0 {
		return
	}
	b.WriteString("\nEscalation paths (who can make themselves an administrator):\n")
	for _, e := range paths {
		where := fmt.Sprintf("policy %q: %s", e.PolicyName, e.Statement)
		if e.Grant != "" {
			where = "the " + e.Grant
		}
		fmt.Fprintf(b, "  %s: %s, by %s\n", e.Subject, e.Path, where)
		for _, w := range e.With {
			fmt.Fprintf(b, "    with policy %q: %s\n", w.PolicyName, w.Statement)
		}
		if e.Why != "" {
			fmt.Fprintf(b, "    conditional: %s\n", e.Why)
		}
		fmt.Fprintf(b, "    %s\n", e.Note)
	}
}
