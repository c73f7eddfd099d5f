package ociemu

import (
	"context"
	"testing"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/identity"
	"github.com/oracle/oci-go-sdk/v65/identitydomains"
	"github.com/oracle/oci-go-sdk/v65/ons"
)

// TestSDKWalksAllUsers walks 2,500 users with the real SDK in both API families, which
// proves signing, paging and JSON shapes are what the SDK expects.
func TestSDKWalksAllUsers(t *testing.T) {
	f := newFixture(t, GenSpec{Seed: 7, Users: 2495, Admins: 5, KeysPerAdmin: 2, AdminsLast: true}, Options{})
	ctx := context.Background()
	want := f.def.Users
	if len(want) != 2500 {
		t.Fatalf("generated %d users", len(want))
	}

	var iamUsers []identity.User
	req := identity.ListUsersRequest{CompartmentId: common.String(f.p.TenancyID)}
	pages := 0
	for {
		resp, err := f.iam.ListUsers(ctx, req)
		if err != nil {
			t.Fatalf("IAM ListUsers page %d: %v", pages, err)
		}
		pages++
		iamUsers = append(iamUsers, resp.Items...)
		if resp.OpcNextPage == nil {
			break
		}
		req.Page = resp.OpcNextPage
	}
	if pages != 25 || len(iamUsers) != len(want) {
		t.Fatalf("IAM: %d users in %d pages, want %d in 25", len(iamUsers), pages, len(want))
	}
	for i, u := range iamUsers {
		if *u.Id != want[i].OCID || *u.Name != want[i].UserName || *u.CompartmentId != f.p.TenancyID ||
			*u.Capabilities.CanUseApiKeys != want[i].CanUseAPIKeys || u.LifecycleState != identity.UserLifecycleStateActive {
			t.Fatalf("IAM user %d = %+v, want %+v", i, u, want[i])
		}
	}

	var scimUsers []identitydomains.User
	for start := 1; ; {
		resp, err := f.scim.ListUsers(ctx, identitydomains.ListUsersRequest{StartIndex: common.Int(start), Count: common.Int(1000)})
		if err != nil {
			t.Fatalf("SCIM ListUsers startIndex %d: %v", start, err)
		}
		if *resp.TotalResults != len(want) || *resp.StartIndex != start {
			t.Fatalf("SCIM totalResults %d startIndex %d", *resp.TotalResults, *resp.StartIndex)
		}
		scimUsers = append(scimUsers, resp.Resources...)
		start += len(resp.Resources)
		if len(resp.Resources) == 0 || start > *resp.TotalResults {
			break
		}
	}
	if len(scimUsers) != len(want) {
		t.Fatalf("SCIM: %d users, want %d", len(scimUsers), len(want))
	}
	for i, u := range scimUsers {
		w := want[i]
		caps := u.UrnIetfParamsScimSchemasOracleIdcsExtensionCapabilitiesUser
		if *u.Id != w.ID || *u.Ocid != w.OCID || *u.UserName != w.UserName || *u.Active != w.Active ||
			caps == nil || *caps.CanUseApiKeys != w.CanUseAPIKeys {
			t.Fatalf("SCIM user %d = %+v, want %+v", i, u, w)
		}
	}
	// groups is returned: request (identitydomains/user.go): absent unless asked for.
	last := scimUsers[len(scimUsers)-1]
	if last.Groups != nil {
		t.Fatalf("groups returned without being asked for: %+v", last.Groups)
	}
	resp, err := f.scim.ListUsers(ctx, identitydomains.ListUsersRequest{Filter: common.String(`userName eq "` + *last.UserName + `"`), Attributes: common.String("groups")})
	if err != nil || len(resp.Resources) != 1 {
		t.Fatalf("ListUsers attributes=groups: %v, %d users", err, len(resp.Resources))
	}
	if g := resp.Resources[0].Groups; len(g) != 1 || *g[0].Display != AdminGroupName {
		t.Fatalf("last user (an admin) groups = %+v", g)
	}
}

func TestSDKDiscoveryAndIAMOperations(t *testing.T) {
	f := newFixture(t, GenSpec{Seed: 3, Users: 30, Admins: 3, KeysPerAdmin: 2, Decoys: true}, Options{})
	ctx := context.Background()
	tenancy := common.String(f.p.TenancyID)

	domains, err := f.iam.ListDomains(ctx, identity.ListDomainsRequest{CompartmentId: tenancy, Type: common.String("DEFAULT")})
	if err != nil {
		t.Fatal(err)
	}
	if len(domains.Items) != 1 || *domains.Items[0].Url != f.srv.DomainURL(f.def.ID) || domains.Items[0].Type != identity.DomainTypeDefault {
		t.Fatalf("ListDomains(DEFAULT) = %+v", domains.Items)
	}
	comps, err := f.iam.ListCompartments(ctx, identity.ListCompartmentsRequest{CompartmentId: tenancy, CompartmentIdInSubtree: common.Bool(true)})
	if err != nil || len(comps.Items) != 2 {
		t.Fatalf("ListCompartments = %d items, %v", len(comps.Items), err)
	}
	// The secondary domain lives in the security compartment, not in the tenancy.
	sec, err := f.iam.ListDomains(ctx, identity.ListDomainsRequest{CompartmentId: tenancy, DisplayName: common.String(SecondaryDomainName)})
	if err != nil || len(sec.Items) != 0 {
		t.Fatalf("secondary domain listed in tenancy: %+v %v", sec.Items, err)
	}

	groups, err := f.iam.ListGroups(ctx, identity.ListGroupsRequest{CompartmentId: tenancy})
	if err != nil {
		t.Fatal(err)
	}
	var admins identity.Group
	for _, g := range groups.Items {
		if *g.Name == AdminGroupName {
			admins = g
		}
	}
	if admins.Id == nil {
		t.Fatalf("no Administrators group in %+v", groups.Items)
	}
	ms, err := f.iam.ListUserGroupMemberships(ctx, identity.ListUserGroupMembershipsRequest{CompartmentId: tenancy, GroupId: admins.Id})
	if err != nil || len(ms.Items) != 3 {
		t.Fatalf("admin memberships = %d, %v", len(ms.Items), err)
	}
	admin := ms.Items[0].UserId

	keys, err := f.iam.ListApiKeys(ctx, identity.ListApiKeysRequest{UserId: admin})
	if err != nil || len(keys.Items) == 0 {
		t.Fatalf("ListApiKeys = %+v, %v", keys.Items, err)
	}
	wantKeyID := f.p.TenancyID + "/" + *admin + "/" + *keys.Items[0].Fingerprint
	if *keys.Items[0].KeyId != wantKeyID {
		t.Fatalf("keyId = %q, want %q", *keys.Items[0].KeyId, wantKeyID)
	}
	if _, err := f.iam.DeleteApiKey(ctx, identity.DeleteApiKeyRequest{UserId: admin, Fingerprint: keys.Items[0].Fingerprint}); err != nil {
		t.Fatal(err)
	}
	after, _ := f.iam.ListApiKeys(ctx, identity.ListApiKeysRequest{UserId: admin})
	if len(after.Items) != len(keys.Items)-1 {
		t.Fatalf("after delete %d keys, want %d", len(after.Items), len(keys.Items)-1)
	}
	_, err = f.iam.DeleteApiKey(ctx, identity.DeleteApiKeyRequest{UserId: admin, Fingerprint: keys.Items[0].Fingerprint,
		RequestMetadata: common.RequestMetadata{RetryPolicy: noRetry()}})
	if se, ok := common.IsServiceError(err); !ok || se.GetHTTPStatusCode() != 404 || se.GetCode() != "NotAuthorizedOrNotFound" {
		t.Fatalf("second delete: %v", err)
	}

	upd, err := f.iam.UpdateUserCapabilities(ctx, identity.UpdateUserCapabilitiesRequest{UserId: admin,
		UpdateUserCapabilitiesDetails: identity.UpdateUserCapabilitiesDetails{CanUseApiKeys: common.Bool(false)}})
	if err != nil || *upd.Capabilities.CanUseApiKeys {
		t.Fatalf("UpdateUserCapabilities = %+v, %v", upd.Capabilities, err)
	}
	// Capabilities are one state: SCIM sees the change made through IAM.
	scimUser, err := f.scim.GetUser(ctx, identitydomains.GetUserRequest{UserId: common.String(f.def.Users[f.userIndex(t, *admin)].ID)})
	if err != nil || *scimUser.UrnIetfParamsScimSchemasOracleIdcsExtensionCapabilitiesUser.CanUseApiKeys {
		t.Fatalf("SCIM GetUser after IAM update: %v", err)
	}

	pols, err := f.iam.ListPolicies(ctx, identity.ListPoliciesRequest{CompartmentId: tenancy})
	if err != nil || len(pols.Items) != len(f.ten.Policies) {
		t.Fatalf("ListPolicies = %d, %v", len(pols.Items), err)
	}

	msg, err := f.ons.PublishMessage(ctx, ons.PublishMessageRequest{TopicId: common.String(f.ten.Topics[0].ID),
		MessageDetails: ons.MessageDetails{Title: common.String("t"), Body: common.String("b")}})
	if err != nil || msg.MessageId == nil {
		t.Fatalf("PublishMessage: %v", err)
	}
	if got := f.srv.Published(); len(got) != 1 || got[0] != (Message{TopicID: f.ten.Topics[0].ID, Title: "t", Body: "b"}) {
		t.Fatalf("Published = %+v", got)
	}
}

func (f *fixture) userIndex(t *testing.T, ocid string) int {
	t.Helper()
	for i, u := range f.def.Users {
		if u.OCID == ocid {
			return i
		}
	}
	t.Fatalf("no user %s", ocid)
	return -1
}

func noRetry() *common.RetryPolicy {
	p := common.NoRetryPolicy()
	return &p
}
