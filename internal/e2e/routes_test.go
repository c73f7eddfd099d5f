package e2e

import (
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/emutest"
)

// testOnlyRoutes are the operations the function never calls that a test needs, each with the
// test and why. Any other route the function does not call is dead: drop it.
var testOnlyRoutes = map[string]string{
	ociemu.OpListUsers: "cmd/ociemu TestPrincipalFilesWorkWithSDK: a person's first call with the principal files the command writes; " +
		"ociemu TestIAMOperationNeedsEachDocumentedPermission",
	ociemu.OpScimGetUser: "ociemu TestSDKDiscoveryAndIAMOperations and TestCredentialsBothFamilies: SCIM sees the capabilities changed " +
		"through IAM (one state for both families)",
	ociemu.OpScimListApiKeys: "ociemu TestLongFilterNeedsSearch and TestSearchMatchesListing: a GET listing with a long filter is refused with 431, " +
		"which is why the adapter searches with POST",
}

// TestEmulatorServesTheFunctionsOperations: every route the emulator serves is an operation the
// function calls (permissions.Operations) or one testOnlyRoutes names, and every operation the
// function calls is served under the same name. The emulator names its operations itself (it
// does not import the product's packages), so this is where the two lists are compared: a name
// that drifted would make the emulator's counts and the function's report disagree.
func TestEmulatorServesTheFunctionsOperations(t *testing.T) {
	srv := emutest.New(t, ociemu.Generate(ociemu.GenSpec{Seed: 1, Users: 1, Admins: 1, Decoys: true}), ociemu.Options{})
	product := map[string]bool{}
	for _, op := range permissions.Operations() {
		product[op] = true
	}
	served := map[string]bool{}
	for _, r := range srv.Routes() {
		served[r.Op] = true
		if !product[r.Op] && testOnlyRoutes[r.Op] == "" {
			t.Errorf("%s %s %s (%s): neither the function nor a test uses it; drop the route", r.API, r.Method, r.Pattern, r.Op)
		}
	}
	for op := range product {
		if !served[op] {
			t.Errorf("the function calls %s, which the emulator does not serve (or names differently)", op)
		}
	}
	for op := range testOnlyRoutes {
		if !served[op] || product[op] {
			t.Errorf("testOnlyRoutes names %s, which is not served or which the function calls", op)
		}
	}
}
