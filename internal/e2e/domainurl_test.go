package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/emutest"
)

// domainsOf are the tenancy's Default domain and its secondary domain (decoyTenancy has one).
func domainsOf(t *testing.T, tn ociemu.Tenancy) (def, secondary ociemu.Domain) {
	t.Helper()
	for _, d := range tn.Domains {
		switch {
		case d.Type == ociemu.DomainTypeDefault:
			def = d
		case d.DisplayName == ociemu.SecondaryDomainName:
			secondary = d
		}
	}
	if def.ID == "" || secondary.ID == "" {
		t.Fatal("the tenancy has no Default and secondary domain")
	}
	return def, secondary
}

// IDENTITY_DOMAIN_URL is the Default domain's URL (docs/configuration.md). A secondary domain's
// URL there made that domain's Administrators the run's administrators, reported as the Default
// domain's. The function checks the URL against the Default domain that ListDomains gives and
// stops with a configuration error naming both, nothing changed (issue 24, 2.2).
func TestIdentityDomainURLOfASecondaryDomainIsAConfigurationError(t *testing.T) {
	emu := emutest.New(t, decoyTenancy(30), ociemu.Options{})
	before := emu.Snapshot()
	def, secondary := domainsOf(t, before)
	f := start(t, emu, map[string]string{"IDENTITY_API": "scim", "IDENTITY_DOMAIN_URL": emu.DomainURL(secondary.ID),
		"NOTIFICATION_TOPIC_ID": before.Topics[0].ID})
	rep := invoke(t, f, "")
	if rep.Status != guard.StatusError || len(rep.Errors) != 1 || rep.Errors[0].Stage != "config" ||
		!strings.Contains(rep.Errors[0].Message, emu.DomainURL(secondary.ID)) || !strings.Contains(rep.Errors[0].Message, emu.DomainURL(def.ID)) {
		t.Fatalf("status %s errors %+v; want one config error naming both URLs", rep.Status, rep.Errors)
	}
	t.Logf("the error: %s", rep.Errors[0].Message)
	if !slices.Equal(keys(before), keys(emu.Snapshot())) {
		t.Error("keys were deleted")
	}
	if n := emu.Counts()[ociemu.OpScimListGroups]; n != 0 {
		t.Errorf("%d SCIM group lookups: the run went on with the wrong domain", n)
	}
	if n := len(emu.Published()); n != 1 {
		t.Errorf("%d notifications, want the error's one", n)
	}
}

// The Default domain's URL is accepted however it is spelled: ListDomains gives
// https://idcs-….identity.oraclecloud.com:443 (the emulator's public endpoints, as OCI), the
// configuration may leave out the default port and add a slash. The run enforces the Default
// domain's Administrators, named Default in the report.
func TestIdentityDomainURLOfTheDefaultDomainInAnotherSpelling(t *testing.T) {
	emu := emutest.New(t, decoyTenancy(30), ociemu.Options{PublicEndpoints: true})
	before := emu.Snapshot()
	def, _ := domainsOf(t, before)
	listed := emu.ListedDomainURL(def.ID)
	if !strings.HasSuffix(listed, ":443") {
		t.Fatalf("ListDomains gives %s; the test wants the :443 form OCI gives", listed)
	}
	want := adminKeys(before, defaultAdmins(before))
	f := startPublic(t, emu, map[string]string{"IDENTITY_API": "scim", "IDENTITY_DOMAIN_URL": strings.TrimSuffix(listed, ":443") + "/"})
	rep := invoke(t, f, "")
	if rep.Status != guard.StatusOK || len(rep.Groups) == 0 || rep.Groups[0].Domain != "Default" {
		t.Fatalf("status %s groups %+v errors %+v", rep.Status, rep.Groups, rep.Errors)
	}
	if gone := minus(keys(before), keys(emu.Snapshot())); !slices.Equal(gone, want) {
		t.Fatalf("deleted %v\nwant exactly the Default domain's administrators' keys %v", gone, want)
	}
}
