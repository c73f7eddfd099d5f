package report

import (
	"strings"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
)

func TestTextNamesWhoWhatAndWhy(t *testing.T) {
	r := &Report{Result: guard.Result{Status: guard.StatusPartial, Counts: guard.Counts{Deleted: 1, Failed: 1}, Admins: []guard.AdminResult{{UserName: "alice", OCID: "ocid1.user.oc1..a", Domain: "Default", Keys: []guard.KeyResult{
		{Fingerprint: "aa:bb", Outcome: guard.OutcomeDeleted},
		{Fingerprint: "cc:dd", Outcome: guard.OutcomeFailed, Reason: "404 NotAuthorizedOrNotFound"},
	}}}, Errors: []guard.Problem{{Stage: "delete", Message: "m", Hint: "Allow dynamic-group x to manage users in tenancy"}}}, Mode: "enforce", CallID: "call-9"}
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
