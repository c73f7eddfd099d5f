package ociemu

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/identity"
	"github.com/oracle/oci-go-sdk/v65/identitydomains"
)

// credOf returns u's credential of kind (the test fixtures generate one of each).
func credOf(u User, kind string) Credential {
	i := slices.IndexFunc(u.Credentials, func(c Credential) bool { return c.Kind == kind })
	if i < 0 {
		return Credential{ID: "missing", OCID: "missing"}
	}
	return u.Credentials[i]
}

// credIAMCall performs one credential operation of the IAM API with the real SDK.
func credIAMCall(f *fixture, op string, u User) error {
	ctx := context.Background()
	id := common.String(u.OCID)
	var err error
	switch op {
	case OpListAuthTokens:
		_, err = f.iam.ListAuthTokens(ctx, identity.ListAuthTokensRequest{UserId: id})
	case OpDeleteAuthToken:
		_, err = f.iam.DeleteAuthToken(ctx, identity.DeleteAuthTokenRequest{UserId: id, AuthTokenId: common.String(credOf(u, CredAuthTokens).OCID)})
	case OpListCustomerSecretKeys:
		_, err = f.iam.ListCustomerSecretKeys(ctx, identity.ListCustomerSecretKeysRequest{UserId: id})
	case OpDeleteCustomerSecretKey:
		_, err = f.iam.DeleteCustomerSecretKey(ctx, identity.DeleteCustomerSecretKeyRequest{UserId: id, CustomerSecretKeyId: common.String(credOf(u, CredCustomerSecretKeys).OCID)})
	case OpListSmtpCredentials:
		_, err = f.iam.ListSmtpCredentials(ctx, identity.ListSmtpCredentialsRequest{UserId: id})
	case OpDeleteSmtpCredential:
		_, err = f.iam.DeleteSmtpCredential(ctx, identity.DeleteSmtpCredentialRequest{UserId: id, SmtpCredentialId: common.String(credOf(u, CredSMTPCredentials).OCID)})
	case OpListOAuthClientCredentials:
		_, err = f.iam.ListOAuthClientCredentials(ctx, identity.ListOAuthClientCredentialsRequest{UserId: id})
	case OpDeleteOAuthClientCredential:
		_, err = f.iam.DeleteOAuthClientCredential(ctx, identity.DeleteOAuthClientCredentialRequest{UserId: id, Oauth2ClientCredentialId: common.String(credOf(u, CredOAuth2ClientCredentials).OCID)})
	case OpListDbCredentials:
		_, err = f.iam.ListDbCredentials(ctx, identity.ListDbCredentialsRequest{UserId: id})
	case OpDeleteDbCredential:
		_, err = f.iam.DeleteDbCredential(ctx, identity.DeleteDbCredentialRequest{UserId: id, DbCredentialId: common.String(credOf(u, CredDBCredentials).OCID)})
	default:
		return fmt.Errorf("no call for %s", op)
	}
	return err
}

// credSCIMCall performs one credential operation of the Identity Domains API with the real SDK.
func credSCIMCall(f *fixture, op string, u User) error {
	ctx := context.Background()
	sch := []string{schemaSearchRequest}
	var err error
	switch op {
	case OpScimSearchAuthTokens:
		_, err = f.scim.SearchAuthTokens(ctx, identitydomains.SearchAuthTokensRequest{AuthTokenSearchRequest: identitydomains.AuthTokenSearchRequest{Schemas: sch}})
	case OpScimDeleteAuthToken:
		_, err = f.scim.DeleteAuthToken(ctx, identitydomains.DeleteAuthTokenRequest{AuthTokenId: common.String(credOf(u, CredAuthTokens).ID)})
	case OpScimSearchCustomerSecretKeys:
		_, err = f.scim.SearchCustomerSecretKeys(ctx, identitydomains.SearchCustomerSecretKeysRequest{CustomerSecretKeySearchRequest: identitydomains.CustomerSecretKeySearchRequest{Schemas: sch}})
	case OpScimDeleteCustomerSecretKey:
		_, err = f.scim.DeleteCustomerSecretKey(ctx, identitydomains.DeleteCustomerSecretKeyRequest{CustomerSecretKeyId: common.String(credOf(u, CredCustomerSecretKeys).ID)})
	case OpScimSearchSmtpCredentials:
		_, err = f.scim.SearchSmtpCredentials(ctx, identitydomains.SearchSmtpCredentialsRequest{SmtpCredentialSearchRequest: identitydomains.SmtpCredentialSearchRequest{Schemas: sch}})
	case OpScimDeleteSmtpCredential:
		_, err = f.scim.DeleteSmtpCredential(ctx, identitydomains.DeleteSmtpCredentialRequest{SmtpCredentialId: common.String(credOf(u, CredSMTPCredentials).ID)})
	case OpScimSearchOAuth2ClientCredentials:
		_, err = f.scim.SearchOAuth2ClientCredentials(ctx, identitydomains.SearchOAuth2ClientCredentialsRequest{OAuth2ClientCredentialSearchRequest: identitydomains.OAuth2ClientCredentialSearchRequest{Schemas: sch}})
	case OpScimDeleteOAuth2ClientCredential:
		_, err = f.scim.DeleteOAuth2ClientCredential(ctx, identitydomains.DeleteOAuth2ClientCredentialRequest{OAuth2ClientCredentialId: common.String(credOf(u, CredOAuth2ClientCredentials).ID)})
	case OpScimSearchUserDbCredentials:
		_, err = f.scim.SearchUserDbCredentials(ctx, identitydomains.SearchUserDbCredentialsRequest{UserDbCredentialsSearchRequest: identitydomains.UserDbCredentialsSearchRequest{Schemas: sch}})
	case OpScimDeleteUserDbCredential:
		_, err = f.scim.DeleteUserDbCredential(ctx, identitydomains.DeleteUserDbCredentialRequest{UserDbCredentialId: common.String(credOf(u, CredDBCredentials).ID)})
	default:
		return fmt.Errorf("no call for %s", op)
	}
	return err
}

// Every kind through both families over one state: listed by the SDK in IAM and SCIM (the
// filter on user.ocid included), deleted through one family and gone from the other;
// capabilities switched off through each family seen by the other.
func TestCredentialsBothFamilies(t *testing.T) {
	f := newFixtureFor(t, Generate(GenSpec{Seed: 41, Users: 3, Admins: 2, KeysPerAdmin: 1, Credentials: true}), Options{})
	ctx := context.Background()
	admin := f.def.Users[adminIndex(f.def)]
	for _, k := range credKinds {
		if err := credIAMCall(f, k.iamList, admin); err != nil {
			t.Fatalf("%s: %v", k.iamList, err)
		}
	}
	toks, err := f.iam.ListAuthTokens(ctx, identity.ListAuthTokensRequest{UserId: common.String(admin.OCID)})
	if err != nil || len(toks.Items) != 1 || *toks.Items[0].Id != credOf(admin, CredAuthTokens).OCID {
		t.Fatalf("ListAuthTokens = %+v, %v", toks.Items, err)
	}
	filter := fmt.Sprintf("user.ocid eq %q", admin.OCID)
	found, err := f.scim.SearchCustomerSecretKeys(ctx, identitydomains.SearchCustomerSecretKeysRequest{CustomerSecretKeySearchRequest: identitydomains.CustomerSecretKeySearchRequest{
		Schemas: []string{schemaSearchRequest}, Filter: &filter, Attributes: []string{"user", "description"}}})
	if err != nil || len(found.Resources) != 1 || *found.Resources[0].Id != credOf(admin, CredCustomerSecretKeys).ID {
		t.Fatalf("SearchCustomerSecretKeys = %+v, %v", found.Resources, err)
	}
	if found.Resources[0].SecretKey != nil {
		t.Error("a projection without secretKey returned the secret key")
	}
	// Deleted through IAM: gone from SCIM.
	if err := credIAMCall(f, OpDeleteAuthToken, admin); err != nil {
		t.Fatal(err)
	}
	left, err := f.scim.SearchAuthTokens(ctx, identitydomains.SearchAuthTokensRequest{AuthTokenSearchRequest: identitydomains.AuthTokenSearchRequest{
		Schemas: []string{schemaSearchRequest}, Filter: &filter}})
	if err != nil || len(left.Resources) != 0 {
		t.Fatalf("after IAM DeleteAuthToken, SCIM search = %d, %v", len(left.Resources), err)
	}
	// Deleted through SCIM: gone from IAM; a second delete is 404.
	if err := credSCIMCall(f, OpScimDeleteUserDbCredential, admin); err != nil {
		t.Fatal(err)
	}
	db, err := f.iam.ListDbCredentials(ctx, identity.ListDbCredentialsRequest{UserId: common.String(admin.OCID)})
	if err != nil || len(db.Items) != 0 {
		t.Fatalf("after SCIM delete, ListDbCredentials = %d, %v", len(db.Items), err)
	}
	if err := credSCIMCall(f, OpScimDeleteUserDbCredential, admin); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("second delete: %v, want 404", err)
	}
	// Capabilities: off through SCIM PATCH, seen by IAM GetUser; off through IAM, seen by SCIM.
	var off any = false
	if _, err := f.scim.PatchUser(ctx, identitydomains.PatchUserRequest{UserId: common.String(admin.ID), PatchOp: identitydomains.PatchOp{
		Schemas: []string{schemaPatchOp}, Operations: []identitydomains.Operations{{Op: identitydomains.OperationsOpReplace,
			Path: common.String(extCapabilities + ":canUseAuthTokens"), Value: &off}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.iam.UpdateUserCapabilities(ctx, identity.UpdateUserCapabilitiesRequest{UserId: common.String(admin.OCID),
		UpdateUserCapabilitiesDetails: identity.UpdateUserCapabilitiesDetails{CanUseDBCredentials: common.Bool(false), CanUseOAuth2ClientCredentials: common.Bool(false)}}); err != nil {
		t.Fatal(err)
	}
	got, err := f.iam.GetUser(ctx, identity.GetUserRequest{UserId: common.String(admin.OCID)})
	if err != nil {
		t.Fatal(err)
	}
	c := got.Capabilities
	if *c.CanUseAuthTokens || *c.CanUseDbCredentials || *c.CanUseOAuth2ClientCredentials || !*c.CanUseSmtpCredentials || !*c.CanUseApiKeys {
		t.Errorf("capabilities after the updates = %+v", c)
	}
	su, err := f.scim.GetUser(ctx, identitydomains.GetUserRequest{UserId: common.String(admin.ID)})
	if err != nil {
		t.Fatal(err)
	}
	sc := su.UrnIetfParamsScimSchemasOracleIdcsExtensionCapabilitiesUser
	if sc == nil || *sc.CanUseDbCredentials || *sc.CanUseAuthTokens || !*sc.CanUseCustomerSecretKeys {
		t.Errorf("SCIM capabilities after the updates = %+v", sc)
	}
}
