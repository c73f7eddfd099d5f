package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/harness"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/emutest"
)

// Production wiring and the home region (Oracle, "Managing Regions": IAM writes only at the
// home region's endpoint). The function runs in eu-frankfurt-1, the tenancy's home is
// us-ashburn-1 (IAD), and the binary is started with no endpoint override at all: the SDK
// builds identity.eu-frankfurt-1.oci.oraclecloud.com, notification.eu-frankfurt-1.oraclecloud.com
// and the domains' https://idcs-….identity.oraclecloud.com:443 from ListDomains, and reaches
// them through the emulator's HTTPS proxy (HTTPS_PROXY, SSL_CERT_FILE with its CA).

const (
	functionRegion = "eu-frankfurt-1"
	homeRegion     = "us-ashburn-1"
)

// awayFromHome is a tenancy whose function runs outside the home region.
func awayFromHome(tn *ociemu.Tenancy) *ociemu.Tenancy {
	tn.Region, tn.HomeRegion = functionRegion, homeRegion
	return tn
}

// startPublic is start with the production wiring (harness.Options.Public): no host outside the
// emulator's public endpoints may be asked for.
func startPublic(t *testing.T, emu *ociemu.Server, cfg map[string]string) *harness.Function {
	t.Helper()
	f := startWith(t, emu, cfg, true)
	t.Cleanup(func() {
		if u := emu.UnknownHosts(); len(u) > 0 {
			t.Errorf("the function asked the proxy for hosts the emulator does not serve: %v", u)
		}
	})
	return f
}

// Every administrator credential of every kind is gone and every capability is off, in both
// families, with no endpoint override; IAM writes reached the home region's IAM only, found with
// one ListRegionSubscriptions, and only because there was something to write.
func TestProductionWiringWritesInTheHomeRegion(t *testing.T) {
	eachFamily(t, func(t *testing.T, fam family) {
		tn := awayFromHome(credTenancy(60))
		emu := emutest.New(t, tn, ociemu.Options{PublicEndpoints: true})
		before := emu.Snapshot()
		admins := defaultAdmins(before)
		f := startPublic(t, emu, fam.cfg(map[string]string{"ADMIN_CREDENTIALS": "all", "DISABLE_CAPABILITIES": "all",
			"NOTIFICATION_TOPIC_ID": tn.Topics[0].ID}))

		// A dry run writes nothing, so it does not look the home region up either.
		rep := invoke(t, f, `{"dryRun": true}`)
		if rep.Status != guard.StatusOK || rep.Counts.WouldDelete == 0 {
			t.Fatalf("dry run: status %s, counts %+v\n%s", rep.Status, rep.Counts, problems(rep))
		}
		if n := emu.Counts()[ociemu.OpListRegionSubscriptions]; n != 0 {
			t.Errorf("a dry run called ListRegionSubscriptions %d times", n)
		}

		rep = invoke(t, f, "")
		if rep.Status != guard.StatusOK || rep.Notified != "published" {
			t.Fatalf("status %s, notification %q\n%s", rep.Status, rep.Notified, problems(rep))
		}
		after := emu.Snapshot()
		if gone, want := minus(keys(before), keys(after)), adminKeys(before, admins); len(want) == 0 || !slices.Equal(gone, want) {
			t.Errorf("API keys gone %v, want %v", gone, want)
		}
		if gone, want := minus(creds(before), creds(after)), adminCreds(before, admins); len(want) == 0 || !slices.Equal(gone, want) {
			t.Errorf("credentials gone %v\n want %v", gone, want)
		}
		for _, a := range rep.Admins {
			if a.Capability == nil || a.Capability.Outcome != guard.OutcomeDisabled && a.Capability.Outcome != guard.OutcomeUnchanged {
				t.Errorf("administrator %s: capabilities %+v", a.UserName, a.Capability)
			}
		}
		assertCapabilitiesOff(t, after, rep.Admins)

		writes := emu.IAMWritesByRegion()
		lookups := emu.Counts()[ociemu.OpListRegionSubscriptions]
		if fam.api == "scim" {
			// SCIM writes go to the domain URL, which is not regional: no IAM write, no lookup.
			if len(writes) != 0 || lookups != 0 {
				t.Errorf("scim: IAM writes %v, ListRegionSubscriptions %d; want none", writes, lookups)
			}
		} else {
			if writes[homeRegion] == 0 || len(writes) != 1 {
				t.Errorf("IAM writes by region %v, want all in %s", writes, homeRegion)
			}
			if lookups != 1 || rep.APICalls.ByOperation[permissions.OpListRegionSubscriptions] != 1 {
				t.Errorf("ListRegionSubscriptions: emulator %d, report %d; want 1", lookups, rep.APICalls.ByOperation[permissions.OpListRegionSubscriptions])
			}
		}
		t.Logf("%s: %d calls, %v, IAM writes by region %v", fam, rep.APICalls.Total, rep.APICalls.ByOperation, writes)

		// Nothing left to write: no lookup on the next run.
		counts := emu.Counts()
		if rep = invoke(t, f, ""); rep.Status != guard.StatusOK || rep.Counts.Keys != 0 {
			t.Fatalf("second run: status %s, counts %+v", rep.Status, rep.Counts)
		}
		if emu.Counts()[ociemu.OpListRegionSubscriptions] != counts[ociemu.OpListRegionSubscriptions] {
			t.Error("a run with nothing to write looked the home region up")
		}
	})
}

// assertCapabilitiesOff: every reported administrator has every capability off in the tenancy.
func assertCapabilitiesOff(t *testing.T, tn ociemu.Tenancy, admins []guard.AdminResult) {
	t.Helper()
	for _, a := range admins {
		for _, d := range tn.Domains {
			for _, u := range d.Users {
				if u.OCID != a.OCID {
					continue
				}
				if u.CanUseAPIKeys || len(u.CapabilitiesOff) != len(ociemu.CredentialKinds()) {
					t.Errorf("administrator %s: canUseApiKeys %v, off %v", u.UserName, u.CanUseAPIKeys, u.CapabilitiesOff)
				}
			}
		}
	}
}

// A write sent to an IAM endpoint outside the home region is refused 403 NotAllowed; the report
// says where IAM writes must go (the home region, from Oracle's message), never a missing grant,
// and nothing was deleted. Here OCI_IDENTITY_ENDPOINT points at the function's region, which
// serves every IAM call then (README "Configuration"): reads succeed, writes cannot.
func TestWriteOutsideTheHomeRegionIsReportedAsSuch(t *testing.T) {
	emu := emutest.New(t, awayFromHome(decoyTenancy(40)), ociemu.Options{})
	before := emu.Snapshot()
	rep := invoke(t, start(t, emu, map[string]string{"OCI_IDENTITY_ENDPOINT": emu.IdentityURLIn(functionRegion),
		"DISABLE_API_KEY_CAPABILITY": "true"}), "")
	// Every write refused and nothing changed: status error (issue 19), the cause once per
	// operation at the top, each entry a short reason with OCI's code.
	if rep.Status != guard.StatusError || rep.Counts.Deleted != 0 || rep.Counts.Failed == 0 || len(rep.Errors) == 0 {
		t.Fatalf("status %s, counts %+v, want error with every write refused\n%s", rep.Status, rep.Counts, problems(rep))
	}
	if !slices.Equal(keys(emu.Snapshot()), keys(before)) {
		t.Fatal("a refused write changed the tenancy")
	}
	for _, p := range rep.Errors {
		if p.Code != "NotAllowed" || !strings.Contains(p.Hint, "IAM writes must go to home region IAD") ||
			strings.Contains(p.Hint, "policy statement") || strings.Contains(p.Hint, "lacks") {
			t.Errorf("problem %+v: want NotAllowed and the home region, no grant", p)
		}
	}
	for _, a := range rep.Admins {
		for _, k := range append(a.Keys, *a.Capability) {
			if k.Outcome == guard.OutcomeUnchanged && k.Capabilities != nil {
				continue // already off: nothing to write
			}
			if k.Outcome != guard.OutcomeFailed || k.Code != "NotAllowed" {
				t.Errorf("%s entry %+v: want failed with NotAllowed", a.UserName, k)
			}
		}
	}
	if w := emu.IAMWritesByRegion(); w[homeRegion] != 0 || w[functionRegion] == 0 {
		t.Errorf("IAM writes by region %v", w)
	}
}
