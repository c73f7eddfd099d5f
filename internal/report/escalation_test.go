package report

import (
	"strings"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
)

func TestTextAndTitleCountEscalationPaths(t *testing.T) {
	r := &Report{Mode: "enforce", Result: guard.Result{Status: guard.StatusOK, Counts: guard.Counts{Deleted: 2, EscalationPaths: 2, EscalationEnforced: 1},
		Escalation: []guard.EscalationFinding{
			{Subject: "group 'HelpDesk'", Path: guard.PathCredentialForAdministrator, PolicyName: "hd", Statement: "Allow group HelpDesk to manage users in tenancy",
				Enforced: true, Note: guard.NoteEscalationIncluded},
			{Subject: "group 'Ops'", Path: guard.PathAddToAdministrators, PolicyName: "a", Statement: "Allow group Ops to use users in tenancy",
				With:        []guard.PolicyStatement{{PolicyName: "b", Statement: "Allow group Ops to use groups in tenancy"}},
				Conditional: true, Why: "deny statement: Deny group Ops to use groups in tenancy", Note: guard.NoteEscalationConditional},
		}}}
	text := Text(r)
	for _, want := range []string{"Escalation paths", "group 'HelpDesk': credential-for-administrator, by policy \"hd\"",
		"with policy \"b\": Allow group Ops to use groups", "conditional: deny statement: Deny group Ops", guard.NoteEscalationIncluded} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if title := Title(r); !strings.Contains(title, "2 escalation path(s), 1 enforced") {
		t.Errorf("title %q", title)
	}
	r.Escalation, r.Counts.EscalationPaths = nil, 0
	if title := Title(r); strings.Contains(title, "escalation") {
		t.Errorf("title %q mentions escalation without paths", title)
	}
}
