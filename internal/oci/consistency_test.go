package oci_test

import (
	"errors"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/guard/directorytest"
	"github.com/apikeyguard/admin-apikey-guard/internal/oci"
	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
)

// After an IAM write the SDK's default retry policy enters an eventual-consistency window
// (common.EcContext, 240 s process-wide) in which a 404 is retried for minutes. The adapter's
// policy has no such mode: a 404 right after a capability update is answered at once, one
// request, so the guard can confirm "already gone" by re-listing within its deadline.
func TestA404AfterAnIAMWriteIsNotRetried(t *testing.T) {
	w := directorytest.World{Domains: []directorytest.Domain{{Name: "Default",
		Users: []directorytest.User{{Name: "alice", Keys: 1}}, Groups: []directorytest.Group{{Name: "Administrators", Members: []string{"alice"}}}}}}
	dir, _ := openOnEmulator(t, w, permissions.APIIAM)
	d := dir.(*oci.Directory)
	g, err := d.ResolveGroup(t.Context(), guard.GroupRef{Name: "Administrators"})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := d.Members(t.Context(), g)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := d.APIKeys(t.Context(), g.Domain, ms)
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys %v, %v", keys, err)
	}
	if err := d.DisableAPIKeys(t.Context(), ms[0]); err != nil { // an IAM write
		t.Fatal(err)
	}
	if err := d.DeleteAPIKey(t.Context(), keys[0]); err != nil {
		t.Fatal(err)
	}
	_, before := d.CallCount()
	err = d.DeleteAPIKey(t.Context(), keys[0])
	if !errors.Is(err, guard.ErrNotFound) {
		t.Fatalf("second delete: %v, want not found", err)
	}
	if _, after := d.CallCount(); after[permissions.OpDeleteApiKey]-before[permissions.OpDeleteApiKey] != 1 {
		t.Errorf("the 404 took %d requests, want 1 (no eventual-consistency retries)", after[permissions.OpDeleteApiKey]-before[permissions.OpDeleteApiKey])
	}
}
