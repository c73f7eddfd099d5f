package oci

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/identity"
	"github.com/oracle/oci-go-sdk/v65/identitydomains"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
)

// Credentials other than API keys (ADMIN_CREDENTIALS), through the family that serves the
// domain, with the same rules as API keys: IAM lists one user per call (ListAuthTokens …,
// which have no batch form), SCIM lists 50 users per POST /<Resource>/.search with an "or"
// filter on user.ocid (idcsSearchable in the SDK schema of every credential's user). Only
// what names a credential is read: id, description, creation and expiry; never the token,
// secret key, password or client secret.

var _ guard.CredentialDirectory = (*Directory)(nil)

// credentialAttributes are requested of every SCIM credential search: the secret-bearing
// attributes (token, secretKey, password, secret, dbPassword …) are left out.
// deleteInProgress is asked for by name: with attributes set a domain returns only those and
// the returned=always ones, and deleteInProgress is returned=default (identitydomains/auth_token.go …).
var credentialAttributes = []string{"ocid", "user", "description", "expiresOn", "meta", "deleteInProgress"}

// nameAttribute is the attribute a kind's SCIM resource is named by besides description.
var nameAttribute = map[guard.Kind]string{guard.KindOAuth2ClientCredentials: "name", guard.KindDBCredentials: "name"}

func kindOps(k guard.Kind) (permissions.CredentialOps, error) {
	ops, ok := permissions.CredentialOpsFor(string(k))
	if !ok {
		return ops, fmt.Errorf("credential kind %q is not served by this directory", k)
	}
	return ops, nil
}

// Credentials lists the users' credentials of kind k, all of one identity domain.
func (d *Directory) Credentials(ctx context.Context, k guard.Kind, dom guard.Domain, users []guard.User) ([]guard.Credential, error) {
	ops, err := kindOps(k)
	if err != nil {
		return nil, err
	}
	if dom.API == permissions.APIIAM {
		return d.iamCredentials(ctx, k, ops, dom, users)
	}
	return d.scimCredentials(ctx, k, ops, dom, users)
}

// DeleteCredential deletes one credential other than an API key.
func (d *Directory) DeleteCredential(ctx context.Context, c guard.Credential) error {
	ops, err := kindOps(c.Kind)
	if err != nil {
		return err
	}
	if c.Domain.API == permissions.APIIAM {
		return d.iamDeleteCredential(ctx, ops, c)
	}
	return d.scimDeleteCredential(ctx, ops, c)
}

// DisableCapabilities switches off the users' capabilities of the given kinds in one update.
func (d *Directory) DisableCapabilities(ctx context.Context, u guard.User, kinds []guard.Kind) error {
	if u.Domain.API == permissions.APIIAM {
		return d.iamDisableKinds(ctx, u, kinds)
	}
	return d.scimDisableKinds(ctx, u, kinds)
}

// iamCred is what the IAM family's summaries of every kind share.
type iamCred struct {
	id, user, description string
	created, expires      *common.SDKTime
	// state is the credential's lifecycleState: every kind has CREATING, ACTIVE, DELETING and
	// DELETED, all but DB credentials INACTIVE too (the SDK's summary enums).
	state string
}

func sdkTime(t *common.SDKTime) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.Time
}

// iamListKind reads one user's credentials of one kind (every page where the operation pages).
// The SDK has a request and a summary type per kind, so the call and the fields read are the
// kind's own; iamCreds and iamAllPages do what every kind shares.
func (d *Directory) iamListKind(ctx context.Context, k guard.Kind, op, user string) ([]iamCred, error) {
	c := detach(ctx, op)
	switch k {
	case guard.KindAuthTokens:
		resp, err := d.iam.ListAuthTokens(c, identity.ListAuthTokensRequest{UserId: &user})
		return iamCreds(resp.Items, err, func(x identity.AuthToken) iamCred {
			return iamCred{deref(x.Id), deref(x.UserId), deref(x.Description), x.TimeCreated, x.TimeExpires, string(x.LifecycleState)}
		})
	case guard.KindCustomerSecretKeys:
		resp, err := d.iam.ListCustomerSecretKeys(c, identity.ListCustomerSecretKeysRequest{UserId: &user})
		return iamCreds(resp.Items, err, func(x identity.CustomerSecretKeySummary) iamCred {
			return iamCred{deref(x.Id), deref(x.UserId), deref(x.DisplayName), x.TimeCreated, x.TimeExpires, string(x.LifecycleState)}
		})
	case guard.KindSMTPCredentials:
		resp, err := d.iam.ListSmtpCredentials(c, identity.ListSmtpCredentialsRequest{UserId: &user})
		return iamCreds(resp.Items, err, func(x identity.SmtpCredentialSummary) iamCred {
			return iamCred{deref(x.Id), deref(x.UserId), deref(x.Description), x.TimeCreated, x.TimeExpires, string(x.LifecycleState)}
		})
	case guard.KindOAuth2ClientCredentials:
		items, err := iamAllPages(op, func(page *string) ([]identity.OAuth2ClientCredentialSummary, *string, error) {
			resp, err := d.iam.ListOAuthClientCredentials(detach(ctx, op), identity.ListOAuthClientCredentialsRequest{UserId: &user, Limit: common.Int(iamPageLimit), Page: page})
			return resp.Items, resp.OpcNextPage, err
		})
		return iamCreds(items, err, func(x identity.OAuth2ClientCredentialSummary) iamCred {
			// An OAuth 2.0 client credential may have a name and no description.
			desc := cmp.Or(deref(x.Description), deref(x.Name))
			return iamCred{deref(x.Id), deref(x.UserId), desc, x.TimeCreated, x.ExpiresOn, string(x.LifecycleState)}
		})
	case guard.KindDBCredentials:
		items, err := iamAllPages(op, func(page *string) ([]identity.DbCredentialSummary, *string, error) {
			resp, err := d.iam.ListDbCredentials(detach(ctx, op), identity.ListDbCredentialsRequest{UserId: &user, Limit: common.Int(iamPageLimit), Page: page})
			return resp.Items, resp.OpcNextPage, err
		})
		return iamCreds(items, err, func(x identity.DbCredentialSummary) iamCred {
			return iamCred{deref(x.Id), deref(x.UserId), deref(x.Description), x.TimeCreated, x.TimeExpires, string(x.LifecycleState)}
		})
	}
	return nil, nil
}

// The lifecycleState values every IAM credential kind shares (the SDK's enums spell them alike).
const (
	lifecycleDeleting = "DELETING"
	lifecycleDeleted  = "DELETED"
)

// iamCreds converts a listing of one kind, or passes its error on.
func iamCreds[T any](items []T, err error, conv func(T) iamCred) ([]iamCred, error) {
	if err != nil {
		return nil, err
	}
	var out []iamCred
	for _, x := range items {
		out = append(out, conv(x))
	}
	return out, nil
}

// iamCredentials lists each user's credentials of kind k: one call per administrator.
func (d *Directory) iamCredentials(ctx context.Context, k guard.Kind, ops permissions.CredentialOps, dom guard.Domain, users []guard.User) ([]guard.Credential, error) {
	perUser := make([][]guard.Credential, len(users))
	err := d.eachIndex(ctx, len(users), func(ctx context.Context, i int) error {
		u := users[i]
		items, err := d.iamListKind(ctx, k, ops.IAMList, u.OCID)
		if err != nil {
			return domainError(ops.IAMList, dom, err)
		}
		for _, x := range items {
			if x.id == "" {
				return malformed(ops.IAMList, fmt.Sprintf("a %s of user %s without its id", k, u.OCID))
			}
			// An item without userId is the user's own (the SDK marks userId optional).
			if x.user != "" && x.user != u.OCID {
				return fmt.Errorf("%s for user %s returned %s %s of user %q: refusing to trust this listing", ops.IAMList, u.OCID, k, x.id, x.user)
			}
			if x.state == lifecycleDeleted {
				continue
			}
			perUser[i] = append(perUser[i], guard.Credential{Kind: k, Domain: dom, ID: x.id, UserOCID: u.OCID,
				Description: x.description, Created: sdkTime(x.created), Expires: sdkTime(x.expires), Deleting: x.state == lifecycleDeleting})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return slices.Concat(perUser...), nil
}

// iamDeleteCredential deletes one credential in the home region (writeIAM), as every IAM write.
func (d *Directory) iamDeleteCredential(ctx context.Context, ops permissions.CredentialOps, c guard.Credential) error {
	iam, err := d.writeIAM(ctx)
	if err != nil {
		return d.writeError(domainError(ops.IAMDelete, c.Domain, err))
	}
	cx := detach(ctx, ops.IAMDelete)
	switch c.Kind {
	case guard.KindAuthTokens:
		_, err = iam.DeleteAuthToken(cx, identity.DeleteAuthTokenRequest{UserId: &c.UserOCID, AuthTokenId: &c.ID})
	case guard.KindCustomerSecretKeys:
		_, err = iam.DeleteCustomerSecretKey(cx, identity.DeleteCustomerSecretKeyRequest{UserId: &c.UserOCID, CustomerSecretKeyId: &c.ID})
	case guard.KindSMTPCredentials:
		_, err = iam.DeleteSmtpCredential(cx, identity.DeleteSmtpCredentialRequest{UserId: &c.UserOCID, SmtpCredentialId: &c.ID})
	case guard.KindOAuth2ClientCredentials:
		_, err = iam.DeleteOAuthClientCredential(cx, identity.DeleteOAuthClientCredentialRequest{UserId: &c.UserOCID, Oauth2ClientCredentialId: &c.ID})
	case guard.KindDBCredentials:
		_, err = iam.DeleteDbCredential(cx, identity.DeleteDbCredentialRequest{UserId: &c.UserOCID, DbCredentialId: &c.ID})
	}
	return d.writeError(domainError(ops.IAMDelete, c.Domain, err))
}

// iamDisableKinds sends UpdateUserCapabilities with only the kinds' fields, all false (the
// same assumption as iamDisable: absent fields are kept), in the home region (writeIAM).
func (d *Directory) iamDisableKinds(ctx context.Context, u guard.User, kinds []guard.Kind) error {
	iam, err := d.writeIAM(ctx)
	if err != nil {
		return d.writeError(domainError(permissions.OpUpdateUserCapabilities, u.Domain, err))
	}
	var det identity.UpdateUserCapabilitiesDetails
	off := common.Bool(false)
	for _, k := range kinds {
		switch k {
		case guard.KindAPIKeys:
			det.CanUseApiKeys = off
		case guard.KindAuthTokens:
			det.CanUseAuthTokens = off
		case guard.KindCustomerSecretKeys:
			det.CanUseCustomerSecretKeys = off
		case guard.KindSMTPCredentials:
			det.CanUseSmtpCredentials = off
		case guard.KindOAuth2ClientCredentials:
			det.CanUseOAuth2ClientCredentials = off
		case guard.KindDBCredentials:
			det.CanUseDBCredentials = off
		}
	}
	_, err = iam.UpdateUserCapabilities(detach(ctx, permissions.OpUpdateUserCapabilities), identity.UpdateUserCapabilitiesRequest{UserId: &u.OCID, UpdateUserCapabilitiesDetails: det})
	return d.writeError(domainError(permissions.OpUpdateUserCapabilities, u.Domain, err))
}

// iamCapabilitiesOff reads the capabilities other than canUseApiKeys that are off (absent
// means the default, on).
func iamCapabilitiesOff(c *identity.UserCapabilities) guard.KindSet {
	if c == nil {
		return 0
	}
	return capabilitiesOff(map[guard.Kind]*bool{guard.KindAuthTokens: c.CanUseAuthTokens, guard.KindCustomerSecretKeys: c.CanUseCustomerSecretKeys,
		guard.KindSMTPCredentials: c.CanUseSmtpCredentials, guard.KindOAuth2ClientCredentials: c.CanUseOAuth2ClientCredentials, guard.KindDBCredentials: c.CanUseDbCredentials})
}

// scimCapabilitiesOff is iamCapabilitiesOff for the SCIM capabilities extension.
func scimCapabilitiesOff(c *identitydomains.ExtensionCapabilitiesUser) guard.KindSet {
	if c == nil {
		return 0
	}
	return capabilitiesOff(map[guard.Kind]*bool{guard.KindAuthTokens: c.CanUseAuthTokens, guard.KindCustomerSecretKeys: c.CanUseCustomerSecretKeys,
		guard.KindSMTPCredentials: c.CanUseSmtpCredentials, guard.KindOAuth2ClientCredentials: c.CanUseOAuth2ClientCredentials, guard.KindDBCredentials: c.CanUseDbCredentials})
}

// capabilitiesOff is the set of kinds whose capability flag is present and false; the two
// families name the flags alike but in different SDK types.
func capabilitiesOff(flags map[guard.Kind]*bool) guard.KindSet {
	var s guard.KindSet
	for k, v := range flags {
		if v != nil && !*v {
			s = s.With(k)
		}
	}
	return s
}

// scimCapability is the capabilities-extension attribute of each kind.
var scimCapability = map[guard.Kind]string{
	guard.KindAPIKeys:                 "canUseApiKeys",
	guard.KindAuthTokens:              "canUseAuthTokens",
	guard.KindCustomerSecretKeys:      "canUseCustomerSecretKeys",
	guard.KindSMTPCredentials:         "canUseSmtpCredentials",
	guard.KindOAuth2ClientCredentials: "canUseOAuth2ClientCredentials",
	guard.KindDBCredentials:           "canUseDbCredentials",
}

// scimCred is what the SCIM credential resources of every kind share.
type scimCred struct {
	id, owner, description, name, expiresOn, created string
	deleting                                         bool // deleteInProgress
}

// scimSearchKind reads one page of one kind's search. The SDK has a request, a resource and a
// user-reference type per kind; the requests have the same fields, and so have the user
// references, so one search body (converted to the kind's request type) and one owner reader
// serve every kind, and the compiler fails the conversions if the SDK's types ever drift apart.
// Only the call and the resource's fields are the kind's own.
func (d *Directory) scimSearchKind(ctx context.Context, c *identitydomains.IdentityDomainsClient, k guard.Kind, op, filter string, start, count int) ([]scimCred, *int, error) {
	attrs := credentialAttributes
	if a := nameAttribute[k]; a != "" {
		attrs = append(slices.Clip(attrs), a)
	}
	body := identitydomains.AuthTokenSearchRequest{Schemas: []string{searchRequestSchema}, Filter: &filter, Attributes: attrs, StartIndex: &start, Count: &count}
	cx := detach(ctx, op)
	switch k {
	case guard.KindAuthTokens:
		resp, err := c.SearchAuthTokens(cx, identitydomains.SearchAuthTokensRequest{AuthTokenSearchRequest: body})
		return scimPage(resp.Resources, resp.TotalResults, err, func(x identitydomains.AuthToken) scimCred {
			return scimCred{deref(x.Id), scimOwner(x.User), deref(x.Description), "", deref(x.ExpiresOn), scimCreated(x.Meta), deref(x.DeleteInProgress)}
		})
	case guard.KindCustomerSecretKeys:
		resp, err := c.SearchCustomerSecretKeys(cx, identitydomains.SearchCustomerSecretKeysRequest{CustomerSecretKeySearchRequest: identitydomains.CustomerSecretKeySearchRequest(body)})
		return scimPage(resp.Resources, resp.TotalResults, err, func(x identitydomains.CustomerSecretKey) scimCred {
			return scimCred{deref(x.Id), scimOwner((*identitydomains.AuthTokenUser)(x.User)), deref(x.Description), "", deref(x.ExpiresOn), scimCreated(x.Meta), deref(x.DeleteInProgress)}
		})
	case guard.KindSMTPCredentials:
		resp, err := c.SearchSmtpCredentials(cx, identitydomains.SearchSmtpCredentialsRequest{SmtpCredentialSearchRequest: identitydomains.SmtpCredentialSearchRequest(body)})
		return scimPage(resp.Resources, resp.TotalResults, err, func(x identitydomains.SmtpCredential) scimCred {
			return scimCred{deref(x.Id), scimOwner((*identitydomains.AuthTokenUser)(x.User)), deref(x.Description), "", deref(x.ExpiresOn), scimCreated(x.Meta), deref(x.DeleteInProgress)}
		})
	case guard.KindOAuth2ClientCredentials:
		resp, err := c.SearchOAuth2ClientCredentials(cx, identitydomains.SearchOAuth2ClientCredentialsRequest{OAuth2ClientCredentialSearchRequest: identitydomains.OAuth2ClientCredentialSearchRequest(body)})
		return scimPage(resp.Resources, resp.TotalResults, err, func(x identitydomains.OAuth2ClientCredential) scimCred {
			return scimCred{deref(x.Id), scimOwner((*identitydomains.AuthTokenUser)(x.User)), deref(x.Description), deref(x.Name), deref(x.ExpiresOn), scimCreated(x.Meta), deref(x.DeleteInProgress)}
		})
	case guard.KindDBCredentials:
		resp, err := c.SearchUserDbCredentials(cx, identitydomains.SearchUserDbCredentialsRequest{UserDbCredentialsSearchRequest: identitydomains.UserDbCredentialsSearchRequest(body)})
		return scimPage(resp.Resources, resp.TotalResults, err, func(x identitydomains.UserDbCredential) scimCred {
			return scimCred{deref(x.Id), scimOwner((*identitydomains.AuthTokenUser)(x.User)), deref(x.Description), deref(x.Name), deref(x.ExpiresOn), scimCreated(x.Meta), deref(x.DeleteInProgress)}
		})
	}
	return nil, nil, fmt.Errorf("credential kind %q has no SCIM search", k)
}

// scimPage converts one page of a kind's search, or passes its error on.
func scimPage[T any](resources []T, total *int, err error, conv func(T) scimCred) ([]scimCred, *int, error) {
	if err != nil {
		return nil, nil, err
	}
	var out []scimCred
	for _, x := range resources {
		out = append(out, conv(x))
	}
	return out, total, nil
}

// scimOwner is the OCID of the user a SCIM credential belongs to ("" when the reference is
// absent). Every kind's user reference has AuthTokenUser's fields; callers convert to it.
func scimOwner(u *identitydomains.AuthTokenUser) string {
	if u == nil {
		return ""
	}
	return deref(u.Ocid)
}

// scimCreated is the resource's meta.created ("" when meta is absent).
func scimCreated(m *identitydomains.Meta) string {
	if m == nil {
		return ""
	}
	return deref(m.Created)
}

func scimTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339, s) // unparseable: not shown, the id still names it
	return t
}

// scimCredentials lists the users' credentials of kind k, KeyBatch users per search, with the
// same checks as scimAPIKeys (searchByOwner).
func (d *Directory) scimCredentials(ctx context.Context, k guard.Kind, ops permissions.CredentialOps, dom guard.Domain, users []guard.User) ([]guard.Credential, error) {
	c, err := d.client(dom)
	if err != nil {
		return nil, err
	}
	found, err := searchByOwner(ctx, d, users, ops.SCIMSearch,
		func(filter string, start, count int) ([]scimCred, *int, error) {
			items, total, err := d.scimSearchKind(ctx, c, k, ops.SCIMSearch, filter, start, count)
			if err != nil {
				return nil, nil, domainError(ops.SCIMSearch, dom, err)
			}
			return items, total, nil
		},
		func(x scimCred) (string, string, string) { return x.id, x.owner, string(k) + " " + x.id })
	if err != nil {
		return nil, err
	}
	out := make([]guard.Credential, len(found))
	for i, f := range found {
		x := f.item
		desc := x.description
		if desc == "" {
			desc = x.name
		}
		out[i] = guard.Credential{Kind: k, Domain: dom, ID: x.id, UserOCID: x.owner, Description: desc,
			Created: scimTime(x.created), Expires: scimTime(x.expiresOn), Deleting: x.deleting}
	}
	return out, nil
}

func (d *Directory) scimDeleteCredential(ctx context.Context, ops permissions.CredentialOps, cred guard.Credential) error {
	c, err := d.client(cred.Domain)
	if err != nil {
		return err
	}
	cx := detach(ctx, ops.SCIMDelete)
	switch cred.Kind {
	case guard.KindAuthTokens:
		_, err = c.DeleteAuthToken(cx, identitydomains.DeleteAuthTokenRequest{AuthTokenId: &cred.ID})
	case guard.KindCustomerSecretKeys:
		_, err = c.DeleteCustomerSecretKey(cx, identitydomains.DeleteCustomerSecretKeyRequest{CustomerSecretKeyId: &cred.ID})
	case guard.KindSMTPCredentials:
		_, err = c.DeleteSmtpCredential(cx, identitydomains.DeleteSmtpCredentialRequest{SmtpCredentialId: &cred.ID})
	case guard.KindOAuth2ClientCredentials:
		_, err = c.DeleteOAuth2ClientCredential(cx, identitydomains.DeleteOAuth2ClientCredentialRequest{OAuth2ClientCredentialId: &cred.ID})
	case guard.KindDBCredentials:
		_, err = c.DeleteUserDbCredential(cx, identitydomains.DeleteUserDbCredentialRequest{UserDbCredentialId: &cred.ID})
	}
	return domainError(ops.SCIMDelete, cred.Domain, err)
}

// scimDisableKinds replaces each kind's capability attribute with false in one PATCH.
func (d *Directory) scimDisableKinds(ctx context.Context, u guard.User, kinds []guard.Kind) error {
	c, err := d.client(u.Domain)
	if err != nil {
		return err
	}
	var off any = false
	var ops []identitydomains.Operations
	for _, k := range kinds {
		ops = append(ops, identitydomains.Operations{Op: identitydomains.OperationsOpReplace, Path: common.String(capabilitiesURN + ":" + scimCapability[k]), Value: &off})
	}
	_, err = c.PatchUser(detach(ctx, permissions.OpSCIMPatchUser), identitydomains.PatchUserRequest{UserId: &u.ID, Attributes: common.String("ocid"),
		PatchOp: identitydomains.PatchOp{Schemas: []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, Operations: ops}})
	return domainError(permissions.OpSCIMPatchUser, u.Domain, err)
}
