package ociemu

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/identitydomains"
)

// TestAppRolesAndGrantsThroughTheSDK: the SDK's own ListAppRoles and ListGrants read the
// domain's administrator roles and their holders, filtered on idcsSearchable attributes, and
// a role that may not read them is refused with 403.
func TestAppRolesAndGrantsThroughTheSDK(t *testing.T) {
	ten := Generate(GenSpec{Seed: 35, Users: 4, Admins: 1, KeysPerAdmin: 1})
	def := ten.DefaultDomain()
	def.RoleGrants = []RoleGrant{
		{Role: RoleUserAdministrator, GranteeType: GranteeUser, GranteeID: def.Users[0].ID},
		{Role: RoleSecurityAdministrator, GranteeType: GranteeApp, GranteeID: "app-1", GranteeName: "ci-client"},
		{Role: RoleAuditAdministrator, GranteeType: GranteeGroup, GranteeID: def.Groups[0].ID},
	}
	f := newFixtureFor(t, ten, Options{})
	none := common.NoRetryPolicy()
	f.scim.SetCustomClientConfiguration(common.CustomClientConfiguration{RetryPolicy: &none})
	ctx := context.Background()

	filter := `app.value eq "IDCSAppId" and (displayName eq "User Administrator" or displayName eq "Security Administrator")`
	roles, err := f.scim.ListAppRoles(ctx, identitydomains.ListAppRolesRequest{Filter: &filter, Attributes: common.String("displayName,app")})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]string{}
	for _, r := range roles.Resources {
		byID[*r.Id] = *r.DisplayName
		if r.App == nil || *r.App.Value != IDCSAppID {
			t.Errorf("role %+v", r)
		}
	}
	if len(byID) != 2 || byID[AppRoleID(def.ID, RoleUserAdministrator)] != RoleUserAdministrator {
		t.Fatalf("app roles %v", byID)
	}
	gf := `entitlement.attributeName eq "appRoles" and (entitlement.attributeValue eq "` + AppRoleID(def.ID, RoleUserAdministrator) +
		`" or entitlement.attributeValue eq "` + AppRoleID(def.ID, RoleSecurityAdministrator) + `")`
	grants, err := f.scim.ListGrants(ctx, identitydomains.ListGrantsRequest{Filter: &gf, Attributes: common.String("grantee.value,grantee.type,grantee.display,entitlement")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range grants.Resources {
		got = append(got, string(g.Grantee.Type)+" "+*g.Grantee.Display+" "+byID[*g.Entitlement.AttributeValue])
		if g.GrantMechanism != "" || g.App != nil {
			t.Errorf("attributes not asked for came back: %+v", g)
		}
	}
	slices.Sort(got)
	want := []string{"App ci-client Security Administrator", "User " + def.Users[0].UserName + " User Administrator"}
	if !slices.Equal(got, want) {
		t.Errorf("grants %q, want %q (the Audit Administrator's group and the function's Identity Domain Administrator are filtered out)", got, want)
	}

	// A User Administrator may read users but not the domain's grants.
	if err := f.srv.SetAuthorization(ten.Policies, map[string]map[string][]string{def.ID: {ten.FunctionDynamicGroups[0].Name: {RoleUserAdministrator}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.scim.ListGrants(ctx, identitydomains.ListGrantsRequest{Filter: &gf}); !scimRefusedWith(err, http.StatusForbidden) {
		t.Errorf("ListGrants as User Administrator: %v, want 403", err)
	}
	if _, err := f.scim.ListUsers(ctx, identitydomains.ListUsersRequest{}); err != nil {
		t.Errorf("ListUsers as User Administrator: %v", err)
	}
}

func scimRefusedWith(err error, status int) bool {
	se, ok := common.IsServiceError(err)
	return ok && se.GetHTTPStatusCode() == status
}
