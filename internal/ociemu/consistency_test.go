package ociemu

import (
	"net/http"
	"testing"
	"time"
)

// With the consistency knobs, an IAM key listing lags behind a delete (ACTIVE, then DELETING,
// then gone), a second DELETE meanwhile is 409 IncorrectState, and once the deleting window is
// over a DELETE is 404. The truth (Snapshot) has no key from the first delete on; the delete
// was accepted once. A key uploaded with invisibleFor is listed only after it.
func TestConsistencyKnobsIAM(t *testing.T) {
	f := newFixture(t, GenSpec{Seed: 2, Users: 3, Admins: 1, KeysPerAdmin: 1}, Options{Consistency: Consistency{
		ListingLag: time.Second, DeletingFor: 2 * time.Second, ConflictWhileDeleting: true}})
	snap := f.srv.Snapshot()
	var admin User
	for _, u := range snap.DefaultDomain().Users {
		if len(u.APIKeys) > 0 {
			admin = u
		}
	}
	k := admin.APIKeys[0]
	keysURL := f.srv.IdentityURL() + "/20160918/users/" + admin.OCID + "/apiKeys"
	states := func() []string {
		var out []struct {
			Fingerprint    string `json:"fingerprint"`
			LifecycleState string `json:"lifecycleState"`
		}
		wantStatus(t, f.do(t, "GET", keysURL, nil, &out), http.StatusOK)
		var s []string
		for _, x := range out {
			s = append(s, x.Fingerprint+"="+x.LifecycleState)
		}
		return s
	}
	start := time.Now()
	wantStatus(t, f.do(t, "DELETE", keysURL+"/"+k.Fingerprint, nil, nil), http.StatusNoContent)
	if got := states(); len(got) != 1 || got[0] != k.Fingerprint+"=ACTIVE" {
		t.Fatalf("right after the delete the listing shows %v, want the key ACTIVE (1 s lag)", got)
	}
	var e errorBody
	wantStatus(t, f.do(t, "DELETE", keysURL+"/"+k.Fingerprint, nil, &e), http.StatusConflict)
	if e.Code != "IncorrectState" {
		t.Fatalf("second delete: %+v, want IncorrectState", e)
	}
	snap = f.srv.Snapshot()
	for _, u := range snap.DefaultDomain().Users {
		if u.OCID == admin.OCID && len(u.APIKeys) != 0 {
			t.Fatal("the truth (Snapshot) still holds the deleted key")
		}
	}
	time.Sleep(time.Until(start.Add(1500 * time.Millisecond)))
	if got := states(); len(got) != 1 || got[0] != k.Fingerprint+"=DELETING" {
		t.Fatalf("1.5 s after the delete the listing shows %v, want the key DELETING", got)
	}
	time.Sleep(time.Until(start.Add(3500 * time.Millisecond)))
	if got := states(); len(got) != 0 {
		t.Fatalf("3.5 s after the delete the listing shows %v, want nothing", got)
	}
	wantStatus(t, f.do(t, "DELETE", keysURL+"/"+k.Fingerprint, nil, nil), http.StatusNotFound)
	if n := f.srv.AcceptedDeletes()[k.ID]; n != 1 {
		t.Fatalf("the key was deleted %d times, want 1", n)
	}

	nk := APIKey{ID: "new-key", OCID: "ocid1.apikey.oc1..new", Fingerprint: "aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99", PublicKeyPEM: k.PublicKeyPEM}
	if err := f.srv.AddAPIKey(admin.OCID, nk, time.Second); err != nil {
		t.Fatal(err)
	}
	if got := states(); len(got) != 0 {
		t.Fatalf("a key uploaded invisible for 1 s is listed at once: %v", got)
	}
	time.Sleep(1100 * time.Millisecond)
	if got := states(); len(got) != 1 || got[0] != nk.Fingerprint+"=ACTIVE" {
		t.Fatalf("after 1.1 s the listing shows %v, want the new key", got)
	}
}
