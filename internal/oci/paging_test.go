package oci_test

import (
	"errors"
	"testing"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/oci"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/emutest"
)

// openWith is the adapter on an emulator with anomalies, in the SCIM family, with its own page
// size.
func openWith(t *testing.T, tn *ociemu.Tenancy, a ociemu.Anomalies, pageSize int) *oci.Directory {
	t.Helper()
	emu := emutest.New(t, tn, ociemu.Options{Anomalies: a})
	p, err := emu.MintPrincipal(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range p.Env() {
		t.Setenv(k, v)
	}
	d, err := oci.NewFromResourcePrincipal(oci.Settings{IdentityEndpoint: emu.IdentityURL(), IdentityAPI: permissions.APISCIM, PageSize: pageSize})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// A totalResults that lags the listing by exactly what lies past a page boundary ends a read by
// position there, with as many members as the total says: six administrators, a total of four,
// pages of two, and two administrators hidden. A read whose last page was full asks one page
// more, which must come back empty (issue 24, 2.1).
func TestAnUnderReportedTotalAtAPageBoundaryHidesNoMember(t *testing.T) {
	tn := ociemu.Generate(ociemu.GenSpec{Seed: 24, Users: 10, Admins: 6, KeysPerAdmin: 1})
	d := openWith(t, tn, ociemu.Anomalies{UnderReportTotal: 2}, 2)
	g, err := d.ResolveGroup(t.Context(), guard.GroupRef{Name: ociemu.AdminGroupName})
	if err != nil {
		t.Fatal(err)
	}
	members, err := d.Members(t.Context(), g)
	if !errors.Is(err, guard.ErrListingUnstable) {
		t.Fatalf("members %d, error %v; want %v (6 members served, totalResults says 4)", len(members), err, guard.ErrListingUnstable)
	}
	t.Log(err)
}

// When the members are an exact multiple of the page size and the total is right, the page past
// the total is empty and the read is accepted: one call more, and nobody refused.
func TestAFullLastPageIsConfirmedByAnEmptyOne(t *testing.T) {
	tn := ociemu.Generate(ociemu.GenSpec{Seed: 24, Users: 10, Admins: 6, KeysPerAdmin: 1})
	d := openWith(t, tn, ociemu.Anomalies{}, 3)
	g, err := d.ResolveGroup(t.Context(), guard.GroupRef{Name: ociemu.AdminGroupName})
	if err != nil {
		t.Fatal(err)
	}
	_, before := d.CallCount()
	members, err := d.Members(t.Context(), g)
	if err != nil || len(members) != 6 {
		t.Fatalf("members %d, error %v; want 6", len(members), err)
	}
	_, after := d.CallCount()
	// two pages of three, the empty page after, and the same again (a listing of several pages
	// is accepted when two reads agree)
	if n := after[permissions.OpSCIMListUsers] - before[permissions.OpSCIMListUsers]; n != 6 {
		t.Errorf("%d ListUsers calls, want 6", n)
	}
}
