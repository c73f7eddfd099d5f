package e2e

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/emutest"
)

// Issue 24, section 1: a real tenancy is eventually consistent, answers in more than one error
// shape, and takes messages of at most 64 KB. These tests run the binary against the
// emulator's knobs for each (docs/emulator.md, "Consistency and limits").

// A 429 is retried whatever its body: an identity domain's SCIM error schema (no OCI code,
// which the SDK reads as BadErrorResponse) and a front end's text/plain page, on a listing
// and on the deletes, in both families.
func TestEvery429IsRetriedWhateverItsBody(t *testing.T) {
	eachFamily(t, func(t *testing.T, fam family) {
		for _, shape := range []struct {
			name string
			fe   ociemu.ForcedError
		}{
			{"scim-error-schema", ociemu.ForcedError{Status: http.StatusTooManyRequests, SCIM: true}},
			{"text-plain", ociemu.ForcedError{Status: http.StatusTooManyRequests, Text: true}},
		} {
			if shape.fe.SCIM && fam.api != "scim" {
				continue // the IAM API answers in OCI's shape, or a front end's
			}
			t.Run(shape.name, func(t *testing.T) {
				tn := ociemu.Generate(ociemu.GenSpec{Seed: 24, Users: 8, Admins: 2, KeysPerAdmin: 1})
				listing, deleting := shape.fe, shape.fe
				listing.Times = 1
				deleting.Times = 2
				emu := emutest.New(t, tn, ociemu.Options{Faults: ociemu.Faults{Forced: map[string]ociemu.ForcedError{
					fam.listKeys: listing, fam.deleteKey: deleting}}})
				before := emu.Snapshot()
				rep := invoke(t, start(t, emu, fam.cfg(nil)), "")
				if rep.Status != guard.StatusOK {
					t.Fatalf("status %s after 429s shaped %s\n%s", rep.Status, shape.name, problems(rep))
				}
				assertHonest(t, rep, before, emu.Snapshot())
				if n := emu.Counts()[fam.deleteKey]; n != rep.Counts.Deleted+2 {
					t.Fatalf("%d delete requests for %d keys and two 429s", n, rep.Counts.Deleted)
				}
			})
		}
	})
}

// A notification for 500 administrators' keys is published: the encoded request stays within
// ONS's 64 KB (the emulator refuses one byte more), and the message says how much was left out.
func TestNotificationForFiveHundredAdministratorsIsPublished(t *testing.T) {
	tn := ociemu.Generate(ociemu.GenSpec{Seed: 500, Users: 10, Admins: 500, KeysPerAdmin: 1, Credentials: true})
	// Descriptions are free text; <, > and & take six bytes each once JSON-encoded, so the raw
	// text's length is no measure of the request's.
	for i := range tn.Domains {
		for j := range tn.Domains[i].Users {
			for k := range tn.Domains[i].Users[j].Credentials {
				tn.Domains[i].Users[j].Credentials[k].Description = "deploy <ci&cd> & <backup>"
			}
		}
	}
	emu := emutest.New(t, tn, ociemu.Options{})
	rep := invoke(t, start(t, emu, scimFamily.cfg(map[string]string{"DRY_RUN": "true", "ADMIN_CREDENTIALS": "all",
		"NOTIFICATION_TOPIC_ID": tn.Topics[0].ID})), "")
	if rep.Status != guard.StatusOK || rep.Counts.WouldDelete < 1000 {
		t.Fatalf("status %s, %d keys to delete\n%s", rep.Status, rep.Counts.WouldDelete, problems(rep))
	}
	msgs := emu.Published()
	if rep.Notified != "published" || len(msgs) != 1 {
		t.Fatalf("notified %q, %d messages published\n%s", rep.Notified, len(msgs), problems(rep))
	}
	body := msgs[0].Body
	if !strings.Contains(body, "more lines, left out") || !strings.Contains(body, "return value") {
		t.Fatalf("the message does not say what was left out; it ends %q", body[max(0, len(body)-300):])
	}
	t.Logf("published %d bytes of text for %d credentials", len(body), rep.Counts.WouldDelete)
}

// With listings 5 s behind the deletes and keys DELETING for 30 s after one (409
// IncorrectState to a second DELETE meanwhile), two runs one second apart both end ok: the
// second sees the keys still listed, is refused, and learns from listings over the next
// seconds that OCI is deleting them. Every administrator key is gone (deleted or being
// deleted), and none was deleted twice.
func TestTwoRunsOnALaggingListingBothEndOK(t *testing.T) {
	eachFamily(t, func(t *testing.T, fam family) {
		tn := ociemu.Generate(ociemu.GenSpec{Seed: 7, Users: 10, Admins: 3, KeysPerAdmin: 2})
		emu := emutest.New(t, tn, ociemu.Options{Consistency: ociemu.Consistency{
			ListingLag: 5 * time.Second, DeletingFor: 30 * time.Second, ConflictWhileDeleting: true}})
		before := emu.Snapshot()
		want := adminKeys(before, defaultAdmins(before))
		f := start(t, emu, fam.cfg(nil))
		first := invoke(t, f, "")
		if first.Status != guard.StatusOK || first.Counts.Deleted != len(want) {
			t.Fatalf("first run: status %s, %d deleted of %d\n%s", first.Status, first.Counts.Deleted, len(want), problems(first))
		}
		time.Sleep(time.Second)
		second := invoke(t, f, "")
		if second.Status != guard.StatusOK {
			t.Fatalf("second run: status %s\n%s", second.Status, problems(second))
		}
		if got := reported(&second.Result, guard.OutcomeDeleting); !slices.Equal(got, want) {
			t.Errorf("second run: deleting %v, want every administrator key %v\n%s", got, want, problems(second))
		}
		if left := minus(keys(emu.Snapshot()), minus(keys(before), want)); len(left) > 0 {
			t.Errorf("administrator keys left: %v", left)
		}
		for id, n := range emu.AcceptedDeletes() {
			if n != 1 {
				t.Errorf("key %s deleted %d times", id, n)
			}
		}
		if n := len(emu.AcceptedDeletes()); n != len(want) {
			t.Errorf("%d keys deleted, want %d", n, len(want))
		}
	})
}

// An upload event arrives seconds after the upload, before the IAM listing shows the key: the
// run reads the user and key the event names (data.resourceId in the keyId form
// TENANCY/USER/FINGERPRINT), lists that user again until the key shows up (3 s here), and
// deletes it in the same run.
func TestUploadEventForAKeyNotListedYetDeletesIt(t *testing.T) {
	eachFamily(t, func(t *testing.T, fam family) {
		tn := ociemu.Generate(ociemu.GenSpec{Seed: 8, Users: 10, Admins: 2, KeysPerAdmin: 1})
		emu := emutest.New(t, tn, ociemu.Options{})
		adminOCID := strings.Split(adminKeys(emu.Snapshot(), defaultAdmins(emu.Snapshot()))[0], "/")[1]
		f := start(t, emu, fam.cfg(nil))
		if rep := invoke(t, f, ""); rep.Status != guard.StatusOK { // the administrators hold no key now
			t.Fatalf("first run: %s\n%s", rep.Status, problems(rep))
		}
		const fp = "0e:1f:2a:3b:4c:5d:6e:7f:80:91:a2:b3:c4:d5:e6:f7"
		key := ociemu.APIKey{ID: "uploaded-key-1", OCID: "ocid1.apikey.oc1..uploaded1", Fingerprint: fp, PublicKeyPEM: publicKeyOf(tn)}
		if err := emu.AddAPIKey(adminOCID, key, 3*time.Second); err != nil {
			t.Fatal(err)
		}
		event := `{"eventType":"com.oraclecloud.identitycontrolplane.uploadapikey","cloudEventsVersion":"0.1","eventTypeVersion":"2.0",` +
			`"source":"IdentityControlPlane","eventID":"e-upload-1","eventTime":"` + time.Now().UTC().Format(time.RFC3339) + `",` +
			`"contentType":"application/json","extensions":{"compartmentId":"` + tn.ID + `"},` +
			`"data":{"compartmentId":"` + tn.ID + `","resourceId":"` + tn.ID + "/" + adminOCID + "/" + fp + `"}}`
		rep := invoke(t, f, event)
		if rep.Status != guard.StatusOK {
			t.Fatalf("event run: %s\n%s", rep.Status, problems(rep))
		}
		want := []string{"Default/" + adminOCID + "/" + fp}
		if got := reported(&rep.Result, guard.OutcomeDeleted); !slices.Equal(got, want) {
			t.Fatalf("deleted %v, want the uploaded key %v\n%s", got, want, problems(rep))
		}
		if slices.Contains(keys(emu.Snapshot()), want[0]) {
			t.Fatal("the uploaded key is still there")
		}
	})
}

// publicKeyOf is a public key PEM of the tenancy, for an uploaded key (the emulator does not
// check that it matches the fingerprint).
func publicKeyOf(tn *ociemu.Tenancy) string {
	for _, u := range tn.DefaultDomain().Users {
		for _, k := range u.APIKeys {
			return k.PublicKeyPEM
		}
	}
	return ""
}

// Credentials in transitional states: a key OCI is already deleting (IAM lifecycleState
// DELETING, SCIM deleteInProgress), and an auth token likewise, are reported deleting and
// never sent a DELETE; CREATING and INACTIVE keys are an administrator's keys like any other
// and are deleted. Both families (SCIM shows only deleteInProgress).
func TestCredentialsInTransitionalStates(t *testing.T) {
	eachFamily(t, func(t *testing.T, fam family) {
		tn := ociemu.Generate(ociemu.GenSpec{Seed: 12, Users: 6, Admins: 2, KeysPerAdmin: 3, Credentials: true})
		admins := map[string]bool{}
		for _, k := range adminKeys(*tn, defaultAdmins(*tn)) {
			admins[strings.Split(k, "/")[1]] = true
		}
		var deleting []string
		users := tn.DefaultDomain().Users
		for i := range users {
			u := &users[i]
			if !admins[u.OCID] {
				continue
			}
			for j, state := range []string{"CREATING", "INACTIVE", "DELETING"} {
				u.APIKeys[j].State = state
			}
			deleting = append(deleting, "Default/"+u.OCID+"/"+u.APIKeys[2].Fingerprint)
			for j := range u.Credentials {
				if u.Credentials[j].Kind == ociemu.CredAuthTokens {
					u.Credentials[j].State = "DELETING"
				}
			}
		}
		slices.Sort(deleting)
		emu := emutest.New(t, tn, ociemu.Options{})
		rep := invoke(t, start(t, emu, fam.cfg(map[string]string{"ADMIN_CREDENTIALS": "api-keys,auth-tokens"})), "")
		if rep.Status != guard.StatusOK {
			t.Fatalf("status %s\n%s", rep.Status, problems(rep))
		}
		got := slices.DeleteFunc(reported(&rep.Result, guard.OutcomeDeleting), func(k string) bool { return strings.HasSuffix(k, "/") }) // tokens have no fingerprint
		if !slices.Equal(got, deleting) {
			t.Errorf("API keys reported deleting %v, want %v", got, deleting)
		}
		if rep.Counts.Deleting != 2*len(admins) || rep.Counts.Deleted != 2*len(admins) {
			t.Errorf("counts %+v: want %d deleting (a key and a token each) and %d deleted (the CREATING and INACTIVE keys)", rep.Counts, 2*len(admins), 2*len(admins))
		}
		left := keys(emu.Snapshot())
		for _, k := range deleting {
			if !slices.Contains(left, k) {
				t.Errorf("key %s, already being deleted, was deleted again", k)
			}
		}
		if n := len(emu.AcceptedDeletes()); n != 2*len(admins) {
			t.Errorf("%d keys deleted, want %d", n, 2*len(admins))
		}
	})
}
