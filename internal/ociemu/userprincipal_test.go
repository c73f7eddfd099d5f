package ociemu

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"testing"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/identity"
	"github.com/oracle/oci-go-sdk/v65/identitydomains"
)

// userClients are SDK clients signing as a user with an API key, as ~/.oci/config does.
type userClients struct {
	iam  identity.IdentityClient
	scim identitydomains.IdentityDomainsClient
}

func signAsUser(t *testing.T, srv *Server, ten *Tenancy, userOCID, fingerprint string, key *rsa.PrivateKey) userClients {
	t.Helper()
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	cp := common.NewRawConfigurationProvider(ten.ID, userOCID, ten.Region, fingerprint, pemKey, nil)
	iam, err := identity.NewIdentityClientWithConfigurationProvider(cp)
	if err != nil {
		t.Fatal(err)
	}
	iam.Host = srv.IdentityURL()
	scim, err := identitydomains.NewIdentityDomainsClientWithConfigurationProvider(cp, srv.DomainURL(ten.DefaultDomain().ID))
	if err != nil {
		t.Fatal(err)
	}
	// No SDK retries: each assertion is about the emulator's first answer. With the default
	// policy, the UpdateUserCapabilities below opens the SDK's eventual-consistency window
	// (identity/identity_client.go, common/eventual_consistency.go) and the refusals after it
	// are retried for about 240 s before the test sees them.
	none := common.NoRetryPolicy()
	iam.SetCustomClientConfiguration(common.CustomClientConfiguration{RetryPolicy: &none})
	scim.SetCustomClientConfiguration(common.CustomClientConfiguration{RetryPolicy: &none})
	return userClients{iam: iam, scim: scim}
}

func rsaKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func serviceStatus(err error) int {
	var se common.ServiceError
	if errors.As(err, &se) {
		return se.GetHTTPStatusCode()
	}
	return 0
}

// TestUserPrincipal: a user signing with an uploaded API key is authenticated by that key and
// authorized by the policies of their groups; anything else about the key is a 401.
func TestUserPrincipal(t *testing.T) {
	ten := Generate(GenSpec{Seed: 3, Users: 20, Admins: 2, KeysPerAdmin: 1})
	def := ten.DefaultDomain()
	admin, developer := def.Users[0], User{}
	for _, u := range def.Users {
		if u.UserName == "admin0001" {
			admin = u
		}
	}
	for _, g := range def.Groups {
		if g.DisplayName == "Developers" {
			for _, u := range def.Users {
				if u.OCID == g.Members[0] {
					developer = u
				}
			}
		}
	}
	// Developers may look users up, not read their keys ("inspect users": USER_INSPECT only).
	ten.Policies = append(ten.Policies, Policy{ID: "ocid1.policy.oc1..dev", Name: "dev", CompartmentID: ten.ID,
		Statements: []string{"Allow group Developers to inspect users in tenancy"}})
	adminKey, devKey := rsaKey(t), rsaKey(t)
	adminAPIKey, err := ten.AddAPIKey(admin.OCID, &adminKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	devAPIKey, err := ten.AddAPIKey(developer.OCID, &devKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, ten, Options{})
	ctx := context.Background()
	listKeys := func(c userClients, user string) error {
		_, err := c.iam.ListApiKeys(ctx, identity.ListApiKeysRequest{UserId: common.String(user)})
		return err
	}

	asAdmin := signAsUser(t, srv, ten, admin.OCID, adminAPIKey.Fingerprint, adminKey)
	if err := listKeys(asAdmin, developer.OCID); err != nil {
		t.Fatalf("an administrator (manage all-resources through group Administrators) was refused: %v", err)
	}
	asDev := signAsUser(t, srv, ten, developer.OCID, devAPIKey.Fingerprint, devKey)
	if _, err := asDev.iam.GetUser(ctx, identity.GetUserRequest{UserId: common.String(admin.OCID)}); err != nil {
		t.Fatalf("GetUser with inspect users through group Developers: %v", err)
	}
	if err := listKeys(asDev, admin.OCID); serviceStatus(err) != 404 {
		t.Fatalf("ListApiKeys needs USER_READ, which inspect users does not give: err = %v, want 404", err)
	}
	if _, err := asAdmin.scim.ListUsers(ctx, identitydomains.ListUsersRequest{}); serviceStatus(err) != 403 {
		t.Fatalf("SCIM as a user principal: err = %v, want 403 (no domain role is modelled for users)", err)
	}

	refused := map[string]userClients{
		"the key of another user":    signAsUser(t, srv, ten, admin.OCID, devAPIKey.Fingerprint, devKey),
		"a key that is not uploaded": signAsUser(t, srv, ten, admin.OCID, adminAPIKey.Fingerprint, rsaKey(t)),
		"an unknown fingerprint":     signAsUser(t, srv, ten, admin.OCID, "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff", adminKey),
	}
	other := *ten
	other.ID = "ocid1.tenancy.oc1..another"
	refused["another tenancy"] = signAsUser(t, srv, &other, admin.OCID, adminAPIKey.Fingerprint, adminKey)
	for name, c := range refused {
		if err := listKeys(c, admin.OCID); serviceStatus(err) != 401 {
			t.Errorf("%s: err = %v, want 401", name, err)
		}
	}

	// The developer's key stops working once its capability is off, and the administrator's once
	// it is deleted: the very next request is refused.
	if _, err := asAdmin.iam.UpdateUserCapabilities(ctx, identity.UpdateUserCapabilitiesRequest{UserId: common.String(developer.OCID),
		UpdateUserCapabilitiesDetails: identity.UpdateUserCapabilitiesDetails{CanUseApiKeys: common.Bool(false)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := asDev.iam.GetUser(ctx, identity.GetUserRequest{UserId: common.String(admin.OCID)}); serviceStatus(err) != 401 {
		t.Fatalf("canUseApiKeys=false: err = %v, want 401", err)
	}
	if _, err := asAdmin.iam.DeleteApiKey(ctx, identity.DeleteApiKeyRequest{UserId: common.String(admin.OCID),
		Fingerprint: common.String(adminAPIKey.Fingerprint)}); err != nil {
		t.Fatalf("deleting one's own signing key: %v", err)
	}
	if err := listKeys(asAdmin, admin.OCID); serviceStatus(err) != 401 {
		t.Fatalf("after deleting the signing key: err = %v, want 401", err)
	}
}
