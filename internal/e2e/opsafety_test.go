package e2e

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/harness"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/emutest"
)

// breakGlass is the Default Administrators' first member holding keys: the account an
// operator would exempt.
func breakGlass(t *testing.T, tn ociemu.Tenancy) ociemu.User {
	t.Helper()
	for _, d := range tn.Domains {
		if d.Type != ociemu.DomainTypeDefault {
			continue
		}
		for _, g := range d.Groups {
			if g.DisplayName != ociemu.AdminGroupName {
				continue
			}
			for _, u := range d.Users {
				if slices.Contains(g.Members, u.OCID) && len(u.APIKeys) > 0 {
					return u
				}
			}
		}
	}
	t.Fatal("the tenancy has no administrator with keys")
	return ociemu.User{}
}

// oneOff changes the character at i to another one of the same kind.
func oneOff(s string, i int) string {
	c := s[i]
	switch {
	case c == 'z':
		c = 'y'
	case c == '9':
		c = '8'
	default:
		c++
	}
	return s[:i] + string(c) + s[i+1:]
}

// A one-letter typo of the exempt administrator's name, a mistyped OCID, and a list separated
// by ";" each end the run with status error, nothing changed, the entry named and what to do
// instead (the closest administrator, or commas); the notification is sent, exactly once.
func TestMistypedExemptionsChangeNothing(t *testing.T) {
	tn := decoyTenancy(80)
	admin := breakGlass(t, *tn)
	other := ""
	for _, u := range tn.Domains[0].Users {
		if u.OCID != admin.OCID && strings.HasPrefix(u.UserName, "admin") {
			other = u.UserName
			break
		}
	}
	typo := admin.UserName[:len(admin.UserName)-2] + admin.UserName[len(admin.UserName)-1:] // admin0001 -> admin001
	for _, tc := range []struct {
		name, exempt string
		stage        string // the problem's stage
		suggestion   string // what the problem must offer
	}{
		{"one-letter typo of the name", typo, "exemptions", "closest: " + admin.UserName},
		{"mistyped OCID", oneOff(admin.OCID, len(admin.OCID)-5), "exemptions", "closest: " + admin.OCID},
		{"semicolon-separated list", admin.UserName + ";" + other, "config", "separate entries with commas only"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, dry := range []string{"true", "false"} {
				emu := emutest.New(t, tn, ociemu.Options{})
				before := emu.Snapshot()
				rep := invoke(t, start(t, emu, map[string]string{"EXEMPT_USERS": tc.exempt, "DRY_RUN": dry,
					"NOTIFICATION_TOPIC_ID": tn.Topics[0].ID}), "")
				if rep.Status != guard.StatusError || len(rep.Errors) != 1 || rep.Errors[0].Stage != tc.stage {
					t.Fatalf("DRY_RUN=%s: status %s errors %+v", dry, rep.Status, rep.Errors)
				}
				text := rep.Errors[0].Message + " " + rep.Errors[0].Hint
				if !strings.Contains(text, tc.suggestion) || !strings.Contains(text, "nothing was changed") {
					t.Errorf("the problem does not say %q and that nothing changed: %+v", tc.suggestion, rep.Errors[0])
				}
				if !slices.Equal(keys(emu.Snapshot()), keys(before)) {
					t.Fatal("a mistyped exemption changed the tenancy")
				}
				for op, n := range emu.Counts() {
					if n > 0 && (strings.Contains(op, "Delete") || strings.Contains(op, "Update") || strings.Contains(op, "Patch")) {
						t.Errorf("%d %s calls", n, op)
					}
				}
				msgs := emu.Published()
				if len(msgs) != 1 || !strings.Contains(msgs[0].Title, "[error]") || !strings.Contains(msgs[0].Body, tc.suggestion) {
					t.Errorf("%d messages, want one naming %q: %+v", len(msgs), tc.suggestion, msgs)
				}
			}
		})
	}
}

// The report, the log summary and the notification say how the exemptions matched.
func TestNotificationNamesTheMatchedExemptions(t *testing.T) {
	tn := decoyTenancy(60)
	admin := breakGlass(t, *tn)
	emu := emutest.New(t, tn, ociemu.Options{})
	before := emu.Snapshot()
	f := start(t, emu, map[string]string{"EXEMPT_USERS": strings.ToUpper(admin.UserName), "NOTIFICATION_TOPIC_ID": tn.Topics[0].ID})
	rep := invoke(t, f, "")
	want := "exemptions: 1 of 1 matched: " + admin.UserName
	if rep.Status != guard.StatusOK || rep.Exemptions.Summary != want || len(rep.Exemptions.Matched) != 1 {
		t.Fatalf("status %s exemptions %+v, want %q", rep.Status, rep.Exemptions, want)
	}
	if got := minus(keys(before), keys(emu.Snapshot())); !slices.Equal(got, adminKeys(before, defaultAdmins(before), admin.OCID)) {
		t.Fatalf("deleted %v", got)
	}
	msgs := emu.Published()
	if len(msgs) != 1 || !strings.Contains(msgs[0].Body, "Exemptions: 1 of 1 matched: "+admin.UserName) {
		t.Errorf("the notification does not name the matched exemption: %+v", msgs)
	}
	if summary := summaryLine(t, f); !strings.Contains(summary, `"exemptions":"`+want+`"`) {
		t.Errorf("the log summary does not carry %q: %s", want, summary)
	}
}

// A configuration typo with a valid topic publishes exactly one message, with the problem in it
// and no other key's value, and makes no other API call.
func TestConfigurationErrorIsHeard(t *testing.T) {
	tn := decoyTenancy(30)
	emu := emutest.New(t, tn, ociemu.Options{})
	before := emu.Snapshot()
	rep := invoke(t, start(t, emu, map[string]string{"DRYRUN": "true", "NOTIFICATION_TOPIC_ID": tn.Topics[0].ID,
		"ADMIN_GROUPS": "Administrators,SecretOpsGroupName"}), "")
	if rep.Status != guard.StatusError || rep.Errors[0].Stage != "config" || rep.Notified != "published" {
		t.Fatalf("status %s notified %q errors %+v", rep.Status, rep.Notified, rep.Errors)
	}
	msgs := emu.Published()
	if len(msgs) != 1 || emu.Total() != 1 || emu.Counts()[ociemu.OpPublishMessage] != 1 {
		t.Fatalf("%d messages, %d API calls %v; want exactly the one publish", len(msgs), emu.Total(), emu.Counts())
	}
	if !strings.Contains(msgs[0].Title, "[error]: run failed (config)") || !strings.Contains(msgs[0].Body, "DRYRUN is not a configuration key") {
		t.Errorf("message %q:\n%s", msgs[0].Title, msgs[0].Body)
	}
	if strings.Contains(msgs[0].Body, "SecretOpsGroupName") {
		t.Errorf("the message carries another key's value:\n%s", msgs[0].Body)
	}
	if !slices.Equal(keys(emu.Snapshot()), keys(before)) {
		t.Fatal("a configuration error changed the tenancy")
	}
	// Without a valid topic there is nobody to tell, and no call at all.
	emu2 := emutest.New(t, tn, ociemu.Options{})
	rep = invoke(t, start(t, emu2, map[string]string{"DRYRUN": "true", "NOTIFICATION_TOPIC_ID": "my-topic"}), "")
	if rep.Status != guard.StatusError || emu2.Total() != 0 || rep.Notified != "" {
		t.Errorf("invalid topic: status %s, %d calls, notified %q", rep.Status, emu2.Total(), rep.Notified)
	}
}

// Without the DeleteApiKey grant every delete is refused: nothing changes, the run is an error,
// the cause is given once at the top (operation, code, count, the statement to add), and each
// key keeps a short reason. The dry run before it could not tell (OCI cannot check a write's
// authorization without making it): it says ok.
func TestAllWritesRefusedIsAnError(t *testing.T) {
	tn := withPolicies()
	c := lpCase{f: permissions.Features{IdentityAPI: permissions.APIAuto}, cfg: map[string]string{"IDENTITY_API": permissions.APIAuto}}
	g := exactGrants(tn, c)
	// The grant lists keys and may not delete them: the listing statement without DeleteApiKey.
	listOnly := 0
	for i, s := range g.statements {
		if before, _, ok := strings.Cut(s, " where any {request.operation='ListApiKeys', request.operation='DeleteApiKey'}"); ok {
			g.statements[i], listOnly = before+" where request.operation='ListApiKeys'", listOnly+1
		}
	}
	if listOnly != 1 {
		t.Fatalf("no ListApiKeys/DeleteApiKey statement among %q", g.statements)
	}
	emu := emutest.New(t, tn, ociemu.Options{})
	authorize(t, emu, tn, g)
	before := emu.Snapshot()
	f := start(t, emu, c.cfg)
	if dry := invoke(t, f, `{"dryRun": true}`); dry.Status != guard.StatusOK || dry.Counts.WouldDelete == 0 {
		t.Fatalf("dry run: status %s counts %+v", dry.Status, dry.Counts)
	}
	rep := invoke(t, f, "")
	if rep.Status != guard.StatusError || rep.Counts.Deleted != 0 || rep.Counts.Failed == 0 {
		t.Fatalf("status %s counts %+v\n%s", rep.Status, rep.Counts, problems(rep))
	}
	if len(rep.Errors) != 1 {
		t.Fatalf("want one problem at the top, got %d:\n%s", len(rep.Errors), problems(rep))
	}
	p := rep.Errors[0]
	if p.Stage != "delete" || p.Code != "NotAuthorizedOrNotFound" || !strings.Contains(p.Message, "DeleteApiKey failed for") ||
		!strings.Contains(p.Hint, iamFamily.missingGrant) {
		t.Errorf("top problem %+v", p)
	}
	for _, a := range rep.Admins {
		for _, k := range a.Keys {
			if k.Outcome != guard.OutcomeFailed || k.Code != "NotAuthorizedOrNotFound" || strings.Contains(k.Reason, "Allow dynamic-group") || len(k.Reason) > 200 {
				t.Errorf("key %s: %s %q %q: want failed, the code and a short reason", k.Fingerprint, k.Outcome, k.Code, k.Reason)
			}
		}
	}
	if !slices.Equal(keys(emu.Snapshot()), keys(before)) {
		t.Fatal("refused deletes changed the tenancy")
	}
}

// summaryLine is the function's last "summary" log line. The function writes it before its
// answer, but its stderr reaches the agent's buffer through a pipe copied concurrently, so the
// line is waited for (a few seconds at most) rather than read at once.
func summaryLine(t *testing.T, f *harness.Function) string {
	t.Helper()
	for wait := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		lines := strings.Split(f.Agent.Stderr(), "\n")
		for i := len(lines) - 1; i >= 0; i-- {
			if strings.Contains(lines[i], `"msg":"summary"`) {
				return lines[i]
			}
		}
		if time.Now().After(wait) {
			t.Fatalf("no summary log line:\n%s", f.Agent.Stderr())
		}
	}
}
