package ociemu

import (
	"context"
	"testing"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/identity"
	"github.com/oracle/oci-go-sdk/v65/identitydomains"
)

// Each anomaly does what docs/emulator.md says, seen through the real SDK.

func adminGroup(t *testing.T, d Domain) Group {
	t.Helper()
	for _, g := range d.Groups {
		if g.DisplayName == AdminGroupName {
			return g
		}
	}
	t.Fatal("no Administrators group")
	return Group{}
}

func TestAnomalyMembersLeaveBetweenPagesShiftsTheNextPage(t *testing.T) {
	f := newFixture(t, GenSpec{Seed: 3, Users: 5, Admins: 4}, Options{Anomalies: Anomalies{PageCap: 2, MembersLeaveBetweenPages: 1}})
	ctx := context.Background()
	g := adminGroup(t, f.def)
	filter := common.String(`groups.value eq "` + g.ID + `"`)
	var got []string
	var totals []int
	for start := 1; start <= 4; start += 2 {
		resp, err := f.scim.ListUsers(ctx, identitydomains.ListUsersRequest{Filter: filter, StartIndex: common.Int(start), Count: common.Int(100)})
		if err != nil {
			t.Fatal(err)
		}
		totals = append(totals, *resp.TotalResults)
		for _, u := range resp.Resources {
			got = append(got, *u.Ocid)
		}
	}
	// page 1: members 1 and 2 (PageCap); member 1 leaves; page 2 from index 3: members 4 only.
	if len(got) != 3 || totals[0] != 4 || totals[1] != 3 || got[2] != g.Members[3] {
		t.Fatalf("read %v with totals %v; want members 1, 2, 4 of %v with totals [4 3]", got, totals, g.Members)
	}
	if snap := f.srv.Snapshot(); len(adminGroup(t, *snap.DefaultDomain()).Members) != 3 {
		t.Fatal("the member did not leave the group")
	}
	// IAM: the same shift through opc-next-page, once more.
	f.srv.SetAnomalies(Anomalies{PageCap: 1, MembersLeaveBetweenPages: 1})
	req := identity.ListUserGroupMembershipsRequest{CompartmentId: common.String(f.p.TenancyID), GroupId: common.String(g.OCID)}
	var iam []string
	for {
		resp, err := f.iam.ListUserGroupMemberships(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range resp.Items {
			iam = append(iam, *m.UserId)
		}
		if resp.OpcNextPage == nil {
			break
		}
		req.Page = resp.OpcNextPage
	}
	if len(iam) != 2 || iam[0] != g.Members[1] || iam[1] != g.Members[3] {
		t.Fatalf("IAM read %v; want members 2 and 4 of %v (member 3 hidden by the shift)", iam, g.Members)
	}
}

func TestAnomalyUnderReportTotalAndRepeatPageToken(t *testing.T) {
	f := newFixture(t, GenSpec{Seed: 3, Users: 5, Admins: 4}, Options{Anomalies: Anomalies{UnderReportTotal: 1, PageCap: 1,
		RepeatPageToken: []string{OpListUserGroupMemberships, OpScimListUsers}}})
	ctx := context.Background()
	g := adminGroup(t, f.def)
	resp, err := f.scim.ListUsers(ctx, identitydomains.ListUsersRequest{Filter: common.String(`groups.value eq "` + g.ID + `"`), StartIndex: common.Int(3)})
	if err != nil {
		t.Fatal(err)
	}
	if *resp.TotalResults != 3 || len(resp.Resources) != 1 || *resp.Resources[0].Ocid != g.Members[0] {
		t.Fatalf("totalResults %d, %d resources; want 3 (4 matched, one under) and the first page whatever startIndex says", *resp.TotalResults, len(resp.Resources))
	}
	req := identity.ListUserGroupMembershipsRequest{CompartmentId: common.String(f.p.TenancyID), GroupId: common.String(g.OCID)}
	first, err := f.iam.ListUserGroupMemberships(ctx, req)
	if err != nil || first.OpcNextPage == nil {
		t.Fatalf("first page: next %v, %v", first.OpcNextPage, err)
	}
	req.Page = first.OpcNextPage
	second, err := f.iam.ListUserGroupMemberships(ctx, req)
	if err != nil || second.OpcNextPage == nil || *second.OpcNextPage != *first.OpcNextPage {
		t.Fatalf("second page: next %v, want the token it was asked for, %q (%v)", second.OpcNextPage, *first.OpcNextPage, err)
	}
}

func TestAnomalyMalformedRecords(t *testing.T) {
	f := newFixture(t, GenSpec{Seed: 3, Users: 5, Admins: 2, KeysPerAdmin: 1}, Options{})
	ctx := context.Background()
	g := adminGroup(t, f.def)
	var admin User
	for _, u := range f.def.Users {
		if u.OCID == g.Members[0] {
			admin = u
		}
	}
	f.srv.SetAnomalies(Anomalies{UserWithoutOCID: admin.UserName, KeyWithoutOwner: admin.APIKeys[0].Fingerprint})
	users, err := f.scim.ListUsers(ctx, identitydomains.ListUsersRequest{Filter: common.String(`userName eq "` + admin.UserName + `"`)})
	if err != nil || len(users.Resources) != 1 || users.Resources[0].Ocid != nil || users.Resources[0].Id == nil {
		t.Fatalf("SCIM user %+v, %v; want it without ocid", users.Resources, err)
	}
	keys, err := f.scim.ListApiKeys(ctx, identitydomains.ListApiKeysRequest{Filter: common.String(`fingerprint eq "` + admin.APIKeys[0].Fingerprint + `"`)})
	if err != nil || len(keys.Resources) != 1 || keys.Resources[0].User != nil {
		t.Fatalf("SCIM key %+v, %v; want it without user", keys.Resources, err)
	}
	ms, err := f.iam.ListUserGroupMemberships(ctx, identity.ListUserGroupMembershipsRequest{CompartmentId: common.String(f.p.TenancyID), GroupId: common.String(g.OCID)})
	if err != nil || len(ms.Items) != 2 || ms.Items[0].UserId != nil || ms.Items[1].UserId == nil {
		t.Fatalf("IAM memberships %+v, %v; want the first without userId", ms.Items, err)
	}
	ks, err := f.iam.ListApiKeys(ctx, identity.ListApiKeysRequest{UserId: common.String(admin.OCID)})
	if err != nil || len(ks.Items) != 1 || ks.Items[0].UserId != nil {
		t.Fatalf("IAM keys %+v, %v; want the key without userId", ks.Items, err)
	}
}
