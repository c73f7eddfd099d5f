package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/emutest"
)

func decoyTenancy(users int) *ociemu.Tenancy {
	return ociemu.Generate(ociemu.GenSpec{Seed: 42, Users: users, Admins: 6, KeysPerAdmin: 2, OtherKeyFraction: 0.3, Decoys: true})
}

func TestEnforceDeletesExactlyTheAdministratorsKeys(t *testing.T) {
	emu := emutest.New(t, decoyTenancy(300), ociemu.Options{})
	before := emu.Snapshot()
	want := adminKeys(before, defaultAdmins(before))
	if len(want) == 0 {
		t.Fatal("the generated tenancy has no admin keys")
	}
	f := start(t, emu, nil)
	rep := invoke(t, f, "")
	if rep.Status != guard.StatusOK || rep.Mode != "enforce" {
		t.Fatalf("status %s mode %s errors %+v", rep.Status, rep.Mode, rep.Errors)
	}
	after := emu.Snapshot()
	if gone := minus(keys(before), keys(after)); !slices.Equal(gone, want) {
		t.Fatalf("deleted %d keys, want exactly the %d admin keys\n gone: %v\n want: %v", len(gone), len(want), gone, want)
	}
	if got := reported(&rep.Result, guard.OutcomeDeleted); !slices.Equal(got, want) {
		t.Errorf("report lists deleted %v, want %v", got, want)
	}
	if len(rep.Groups) != 1 || rep.Groups[0].Domain != "Default" || rep.Groups[0].OCID == "" {
		t.Errorf("groups %+v", rep.Groups)
	}
	if rep.APICalls.Total == 0 || rep.APICalls.Total != emu.Total() {
		t.Errorf("report counts %d API calls, the emulator saw %d", rep.APICalls.Total, emu.Total())
	}
}

func TestDryRunByConfigAndByBodyChangesNothing(t *testing.T) {
	for name, tc := range map[string]struct {
		cfg  map[string]string
		body string
	}{
		"config": {cfg: map[string]string{"DRY_RUN": "true"}},
		"body":   {body: `{"dryRun": true}`},
		// a body can only make a run safer: it cannot undo a configured dry run
		"config wins over body": {cfg: map[string]string{"DRY_RUN": "true"}, body: `{"dryRun": false}`},
	} {
		t.Run(name, func(t *testing.T) {
			emu := emutest.New(t, decoyTenancy(200), ociemu.Options{})
			before := emu.Snapshot()
			rep := invoke(t, start(t, emu, tc.cfg), tc.body)
			if rep.Status != guard.StatusOK || rep.Mode != "dry-run" {
				t.Fatalf("status %s mode %s", rep.Status, rep.Mode)
			}
			if !slices.Equal(keys(emu.Snapshot()), keys(before)) {
				t.Fatal("a dry run changed the tenancy")
			}
			if n := emu.Counts()[ociemu.OpScimDeleteApiKey] + emu.Counts()[ociemu.OpDeleteApiKey]; n != 0 {
				t.Fatalf("%d delete calls in a dry run", n)
			}
			if got, want := reported(&rep.Result, guard.OutcomeWouldDelete), adminKeys(before, defaultAdmins(before)); !slices.Equal(got, want) {
				t.Errorf("would delete %v, want %v", got, want)
			}
		})
	}
}

func TestBadBodiesChangeNothing(t *testing.T) {
	emu := emutest.New(t, decoyTenancy(50), ociemu.Options{})
	before := keys(emu.Snapshot())
	f := start(t, emu, nil)
	for _, body := range []string{`{"dryrun": true}`, `{"dryRun": "yes"}`, `not json`, `{"dryRun": false, "adminGroups": "x"}`, `[]`} {
		rep := invoke(t, f, body)
		if rep.Status != guard.StatusError || len(rep.Errors) == 0 || rep.Errors[0].Stage != "trigger" {
			t.Errorf("body %s: status %s errors %+v", body, rep.Status, rep.Errors)
		}
		if !strings.Contains(rep.Errors[0].Message, "nothing was changed") {
			t.Errorf("body %s: error does not say nothing changed: %s", body, rep.Errors[0].Message)
		}
	}
	if emu.Total() != 0 {
		t.Errorf("bad bodies caused %d API calls: %v", emu.Total(), emu.Counts())
	}
	if !slices.Equal(keys(emu.Snapshot()), before) {
		t.Fatal("a bad body changed the tenancy")
	}
}

func TestBadConfigChangesNothing(t *testing.T) {
	emu := emutest.New(t, decoyTenancy(50), ociemu.Options{})
	rep := invoke(t, start(t, emu, map[string]string{"DRY_RUN": "maybe", "ADMIN_GROUPS": "a/b/c"}), "")
	if rep.Status != guard.StatusError || emu.Total() != 0 || rep.Errors[0].Stage != "config" {
		t.Fatalf("status %s calls %d errors %+v", rep.Status, emu.Total(), rep.Errors)
	}
}

func TestMissingGroupFailsLoud(t *testing.T) {
	emu := emutest.New(t, decoyTenancy(50), ociemu.Options{})
	before := keys(emu.Snapshot())
	rep := invoke(t, start(t, emu, map[string]string{"ADMIN_GROUPS": "Administrators,SecurityAdmins"}), "")
	if rep.Status != guard.StatusError || !strings.Contains(fmt.Sprint(rep.Errors), "SecurityAdmins") {
		t.Fatalf("status %s errors %+v", rep.Status, rep.Errors)
	}
	if !slices.Equal(keys(emu.Snapshot()), before) {
		t.Fatal("keys were deleted although a configured group is missing")
	}
}

func TestAdministratorsOnTheLastPageAreFound(t *testing.T) {
	tn := ociemu.Generate(ociemu.GenSpec{Seed: 7, Users: 2600, Admins: 5, KeysPerAdmin: 1, OtherKeyFraction: 0.1, AdminsLast: true})
	emu := emutest.New(t, tn, ociemu.Options{})
	before := emu.Snapshot()
	rep := invoke(t, start(t, emu, nil), "")
	want := adminKeys(before, defaultAdmins(before))
	if got := minus(keys(before), keys(emu.Snapshot())); rep.Status != guard.StatusOK || !slices.Equal(got, want) || len(want) != 5 {
		t.Fatalf("status %s deleted %v want %v", rep.Status, got, want)
	}
}

func TestThrottlingAndOutagesReachTheSameEndState(t *testing.T) {
	emu := emutest.New(t, decoyTenancy(300), ociemu.Options{Faults: ociemu.Faults{Seed: 3, Rate429: 0.15, Rate503: 0.10}})
	before := emu.Snapshot()
	want := minus(keys(before), adminKeys(before, defaultAdmins(before)))
	rep := invoke(t, start(t, emu, nil), "")
	if rep.Status != guard.StatusOK {
		t.Fatalf("status %s errors %+v counts %+v", rep.Status, rep.Errors, rep.Counts)
	}
	if got := keys(emu.Snapshot()); !slices.Equal(got, want) {
		t.Fatalf("end state differs: %d keys left, want %d", len(got), len(want))
	}
}

func TestExemptAdministratorKeepsKeys(t *testing.T) {
	emu := emutest.New(t, decoyTenancy(100), ociemu.Options{})
	before := emu.Snapshot()
	admins := adminKeys(before, defaultAdmins(before))
	// exempt the first admin by name, in another case, and the second by OCID
	var exemptName, exemptOCID string
	for _, d := range before.Domains {
		for _, g := range d.Groups {
			if d.Type == ociemu.DomainTypeDefault && g.DisplayName == "Administrators" {
				exemptOCID = g.Members[1]
				for _, u := range d.Users {
					if u.OCID == g.Members[0] {
						exemptName = u.UserName
					}
				}
			}
		}
	}
	rep := invoke(t, start(t, emu, map[string]string{"EXEMPT_USERS": strings.ToUpper(exemptName) + "," + exemptOCID}), "")
	want := adminKeys(before, defaultAdmins(before), exemptName, exemptOCID)
	if got := minus(keys(before), keys(emu.Snapshot())); !slices.Equal(got, want) {
		t.Fatalf("deleted %v want %v", got, want)
	}
	if got := reported(&rep.Result, guard.OutcomeExempt); len(got) != len(admins)-len(want) || len(got) == 0 {
		t.Errorf("exempt keys reported %v", got)
	}
}

func TestSecondRunDeletesNothing(t *testing.T) {
	emu := emutest.New(t, decoyTenancy(100), ociemu.Options{})
	f := start(t, emu, nil)
	if rep := invoke(t, f, ""); rep.Counts.Deleted == 0 {
		t.Fatal("first run deleted nothing")
	}
	rep := invoke(t, f, "")
	if rep.Status != guard.StatusOK || rep.Counts.Deleted != 0 || rep.Counts.Failed != 0 {
		t.Fatalf("second run: %s %+v", rep.Status, rep.Counts)
	}
}

// The cost of a run depends on the administrators, never on the number of other users, and
// each family is at its floor for n administrators holding k keys:
//   - IAM: ListPolicies 1 + ListGroups 1 + ListUserGroupMemberships ⌈n/1000⌉ + GetUser n +
//     ListApiKeys n + DeleteApiKey k (the IAM API has no batch read of users or keys);
//   - SCIM: ListPolicies 1 + ListDomains 1 + ListGroups 1 + ListUsers ⌈n/1000⌉ +
//     SearchApiKeys ⌈n/50⌉ + DeleteApiKey k.
func TestAPICallsAtTheFloorWhateverTheTenancySize(t *testing.T) {
	const n, k = 10, 20
	floors := map[string]map[string]int{
		"iam": {ociemu.OpListPolicies: 1, ociemu.OpListGroups: 1, ociemu.OpListUserGroupMemberships: 1,
			ociemu.OpGetUser: n, ociemu.OpListApiKeys: n, ociemu.OpDeleteApiKey: k},
		"scim": {ociemu.OpListPolicies: 1, ociemu.OpListDomains: 1, ociemu.OpScimListGroups: 1, ociemu.OpScimListUsers: 1,
			ociemu.OpScimSearchApiKeys: 1, ociemu.OpScimDeleteApiKey: k,
			// who holds the Default domain's administrator roles (escalation paths, issue 23)
			ociemu.OpScimListAppRoles: 1, ociemu.OpScimListGrants: 1},
	}
	for _, fam := range families {
		t.Run(fam.String(), func(t *testing.T) {
			for _, users := range []int{100, 10000} {
				tn := ociemu.Generate(ociemu.GenSpec{Seed: 1, Users: users, Admins: n, KeysPerAdmin: k / n, OtherKeyFraction: 0.1})
				emu := emutest.New(t, tn, ociemu.Options{})
				rep := invoke(t, start(t, emu, fam.cfg(nil)), "")
				if rep.Status != guard.StatusOK || rep.Counts.Deleted != k {
					t.Fatalf("%d users: %s %+v", users, rep.Status, rep.Counts)
				}
				t.Logf("%d users: %d calls %v", users, emu.Total(), emu.Counts())
				if got, want := fmt.Sprint(emu.Counts()), fmt.Sprint(floors[fam.String()]); got != want {
					t.Errorf("%d users: calls %s, want the floor %s", users, got, want)
				}
			}
		})
	}
}

func TestInstanceStartEventIsRecorded(t *testing.T) {
	emu := emutest.New(t, decoyTenancy(20), ociemu.Options{})
	rep := invoke(t, start(t, emu, map[string]string{"DRY_RUN": "true"}), instanceStartEvent)
	tr, _ := rep.Trigger.(map[string]any)
	if rep.Status != guard.StatusOK || tr["kind"] != "event" || tr["eventId"] != "evt-1" || tr["instanceActionType"] != "start" {
		t.Fatalf("trigger %+v status %s", rep.Trigger, rep.Status)
	}
}

const instanceStartEvent = `{"eventType":"com.oraclecloud.computeapi.instanceaction.end","cloudEventsVersion":"0.1",
"eventTypeVersion":"2.0","source":"ComputeApi","eventTime":"2026-11-23T00:00:04Z","contentType":"application/json",
"data":{"compartmentId":"ocid1.compartment.oc1..sched","resourceName":"nightly","resourceId":"ocid1.instance.oc1.iad.x",
"additionalDetails":{"instanceActionType":"start"}},"eventID":"evt-1","extensions":{"compartmentId":"ocid1.compartment.oc1..sched"}}`
