package e2e

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/emutest"
)

// instanceActionEnd is the real-shaped compute instanceaction.end event with fields OCI does
// not send today (see internal/trigger's tests for its sources).
func instanceActionEnd(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../trigger/testdata/instanceaction-end.json")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Every real trigger enforces: the event (unknown fields and all), an explicit {} (what the
// Terraform stack's direct schedule sends), and an empty body.
func TestEveryRealTriggerEnforces(t *testing.T) {
	for name, tc := range map[string]struct {
		body string
		kind string
	}{
		"instanceaction.end event with unknown fields": {instanceActionEnd(t), "event"},
		"empty object":  {"{}", "manual"},
		"empty body":    {"", "manual"},
		"dryRun false":  {`{"dryRun": false}`, "options"},
		"padded object": {" {\n} \n", "manual"},
	} {
		t.Run(name, func(t *testing.T) {
			emu := emutest.New(t, decoyTenancy(100), ociemu.Options{})
			before := emu.Snapshot()
			want := adminKeys(before, defaultAdmins(before))
			rep := invoke(t, start(t, emu, nil), tc.body)
			if rep.Status != guard.StatusOK || rep.Mode != "enforce" {
				t.Fatalf("status %s mode %s errors %+v", rep.Status, rep.Mode, rep.Errors)
			}
			if gone := minus(keys(before), keys(emu.Snapshot())); len(want) == 0 || !slices.Equal(gone, want) {
				t.Fatalf("deleted %v\nwant exactly the admin keys %v", gone, want)
			}
			tr, _ := rep.Trigger.(map[string]any)
			if tr["kind"] != tc.kind {
				t.Errorf("trigger %v, want kind %s", rep.Trigger, tc.kind)
			}
			if tc.kind == "event" && (tr["instanceActionType"] != "start" || tr["eventId"] != "4d6b1d3e-6a7c-4c1e-9d8f-2b5f0a1c9e77" ||
				tr["resourceId"] != "ocid1.instance.oc1.iad.anuwcljtnightlytrigger") {
				t.Errorf("event not recorded: %v", tr)
			}
		})
	}
}

// A body that tries to change the run but is not exactly {"dryRun": bool} changes nothing and
// makes no API call, whether it looks like options or like an event.
func TestMistypedOptionsChangeNothing(t *testing.T) {
	emu := emutest.New(t, decoyTenancy(50), ociemu.Options{})
	before := keys(emu.Snapshot())
	f := start(t, emu, nil)
	event := strings.TrimSuffix(strings.TrimSpace(instanceActionEnd(t)), "}")
	for _, body := range []string{
		`{"dryrun": true}`, `{"DryRun": true}`, `{"dry_run": true}`, `{"dryRun": true, "dryRun": false}`,
		event + `, "dryRun": true}`, event + `, "dry_run": true}`,
		`{"eventType": "com.oraclecloud.computeapi.instanceaction.end", "dryrun": true}`,
	} {
		rep := invoke(t, f, body)
		if rep.Status != guard.StatusError || len(rep.Errors) == 0 || rep.Errors[0].Stage != "trigger" ||
			!strings.Contains(rep.Errors[0].Message, "nothing was changed") {
			t.Errorf("body %.60q: status %s errors %+v", body, rep.Status, rep.Errors)
		}
	}
	if emu.Total() != 0 {
		t.Errorf("mistyped bodies caused %d API calls: %v", emu.Total(), emu.Counts())
	}
	if !slices.Equal(keys(emu.Snapshot()), before) {
		t.Fatal("a mistyped body changed the tenancy")
	}
}

// DRYRUN=true meant as DRY_RUN=true: a configuration error, no API call, nothing changed.
func TestNearMissConfigurationKeysChangeNothing(t *testing.T) {
	for _, name := range []string{"DRYRUN", "Dry_Run", "DRY_RUM", "dry_run"} {
		t.Run(name, func(t *testing.T) {
			emu := emutest.New(t, decoyTenancy(50), ociemu.Options{})
			before := keys(emu.Snapshot())
			rep := invoke(t, start(t, emu, map[string]string{name: "true"}), "")
			if rep.Status != guard.StatusError || rep.Errors[0].Stage != "config" || !strings.Contains(rep.Errors[0].Message, name+" is not a configuration key") {
				t.Fatalf("status %s errors %+v", rep.Status, rep.Errors)
			}
			if emu.Total() != 0 || !slices.Equal(keys(emu.Snapshot()), before) {
				t.Fatalf("%d API calls; tenancy changed: %v", emu.Total(), !slices.Equal(keys(emu.Snapshot()), before))
			}
		})
	}
}

// The message counts the calls made up to publishing; the report counts the publish too.
func TestNotificationCountsTheCallsBeforeIt(t *testing.T) {
	tn := decoyTenancy(50)
	emu := emutest.New(t, tn, ociemu.Options{})
	rep := invoke(t, start(t, emu, map[string]string{"NOTIFICATION_TOPIC_ID": tn.Topics[0].ID}), "")
	msgs := emu.Published()
	if rep.Notified != "published" || len(msgs) != 1 {
		t.Fatalf("notified %q, %d messages", rep.Notified, len(msgs))
	}
	before := emu.Total() - emu.Counts()[ociemu.OpPublishMessage]
	if want := fmt.Sprintf("API calls so far: %d ", before); before == 0 || !strings.Contains(msgs[0].Body, want) {
		t.Errorf("message lacks %q:\n%s", want, msgs[0].Body)
	}
	if rep.APICalls.Total != emu.Total() {
		t.Errorf("report counts %d calls, the emulator saw %d", rep.APICalls.Total, emu.Total())
	}
	if !strings.HasPrefix(msgs[0].Body, "Sent because: the run changed something") {
		t.Errorf("message does not say why:\n%s", msgs[0].Body)
	}
}

// After the keys are gone, an unenforced policy-admin group is the only news. With
// FINDING_REMINDER=always every such run publishes under a title that names the finding; with
// the default (weekly) the binary's own clock decides, and the report's start time must agree
// with guard.NotifyDecision.
func TestFindingOnlyRuns(t *testing.T) {
	tn := withPolicies()
	emu := emutest.New(t, tn, ociemu.Options{})
	f := start(t, emu, map[string]string{"NOTIFICATION_TOPIC_ID": tn.Topics[0].ID, "FINDING_REMINDER": "always"})
	if rep := invoke(t, f, ""); rep.Status != guard.StatusOK || rep.Counts.Deleted == 0 {
		t.Fatalf("first run: status %s counts %+v", rep.Status, rep.Counts)
	}
	rep := invoke(t, f, "")
	msgs := emu.Published()
	if rep.Status != guard.StatusOK || rep.Changed() || rep.Notified != "published" || len(msgs) != 2 {
		t.Fatalf("finding-only run: status %s notified %q, %d messages", rep.Status, rep.Notified, len(msgs))
	}
	want := "admin-apikey-guard [ok]: finding: group 'Engineering'/'Administrators' is granted manage all-resources in tenancy and is not enforced"
	if msgs[1].Title != want {
		t.Errorf("title %q\nwant  %q", msgs[1].Title, want)
	}

	g := start(t, emu, map[string]string{"NOTIFICATION_TOPIC_ID": tn.Topics[0].ID})
	rep = invoke(t, g, "")
	d := guard.NotifyDecision(rep.Result, rep.DryRun(), rep.StartedAt, guard.ReminderWeekly)
	wantNotified := map[bool]string{true: "published", false: "suppressed"}[d.Publish]
	if rep.Notified != wantNotified || len(emu.Published()) != 2+map[bool]int{true: 1}[d.Publish] {
		t.Errorf("weekly run started %v: notified %q, want %q (%s)", rep.StartedAt, rep.Notified, wantNotified, d.Reason)
	}
}
