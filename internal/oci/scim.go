package oci

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/identitydomains"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
)

const (
	capabilitiesURN = "urn:ietf:params:scim:schemas:oracle:idcs:extension:capabilities:User"
	canUseAPIKeys   = capabilitiesURN + ":canUseApiKeys"
	// memberAttributes are all the guard needs of a member, each asked for by name: with
	// attributes set, a domain returns only those and the returned=always ones (id, userName),
	// and groups is returned=request anyway (identitydomains/user.go, Groups: "returned:
	// request"; ListUsersRequest.Attributes). groups is requested so that every returned user's
	// membership is checked here, not just trusted to the server's filter.
	memberAttributes = "userName,ocid,active,groups," + canUseAPIKeys + "," + capabilitiesURN + ":canUseAuthTokens," +
		capabilitiesURN + ":canUseCustomerSecretKeys," + capabilitiesURN + ":canUseSmtpCredentials," +
		capabilitiesURN + ":canUseOAuth2ClientCredentials," + capabilitiesURN + ":canUseDbCredentials"
	// searchRequestSchema is the SCIM SearchRequest message (RFC 7644 §3.4.3), as the SDK's
	// ApiKeySearchRequest.Schemas requires.
	searchRequestSchema = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
)

// keyAttributes leave out "key": the public key material has no business in this process.
// deleteInProgress ("set to true when synchronous deletion of the resource would take too
// long", returned=default, identitydomains/api_key.go) must be asked for by name.
var keyAttributes = []string{"fingerprint", "user", "ocid", "deleteInProgress"}

// scimResolve finds the group in one identity domain through the Identity Domains API.
func (d *Directory) scimResolve(ctx context.Context, dom guard.Domain, ref guard.GroupRef) (guard.Group, error) {
	c, err := d.client(dom)
	if err != nil {
		return guard.Group{}, err
	}
	filter := fmt.Sprintf("displayName eq %s", quote(ref.Name))
	if ref.OCID != "" {
		filter = fmt.Sprintf("ocid eq %s", quote(ref.OCID))
	}
	resp, err := c.ListGroups(detach(ctx, permissions.OpSCIMListGroups), identitydomains.ListGroupsRequest{Filter: &filter, Attributes: common.String("displayName,ocid"), Count: common.Int(10)})
	if err != nil {
		return guard.Group{}, domainError(permissions.OpSCIMListGroups, dom, err)
	}
	// The server's eq is case-insensitive; the guard insists on the exact group it was given.
	var found []identitydomains.Group
	for _, g := range resp.Resources {
		if (ref.OCID != "" && deref(g.Ocid) == ref.OCID) || (ref.OCID == "" && strings.EqualFold(deref(g.DisplayName), ref.Name)) {
			found = append(found, g)
		}
	}
	if err := exactlyOneGroup(len(found), ref, dom); err != nil {
		return guard.Group{}, err
	}
	g := found[0]
	if deref(g.Id) == "" || deref(g.Ocid) == "" {
		return guard.Group{}, malformed(permissions.OpSCIMListGroups, fmt.Sprintf("group %q without its id or ocid", deref(g.DisplayName)))
	}
	if ref.Name == "" {
		ref.Name = deref(g.DisplayName)
	}
	return guard.Group{Ref: ref, Domain: dom, ID: deref(g.Id), OCID: deref(g.Ocid)}, nil
}

// scimMembers pages through the users whose groups include g. Every returned user must show
// the membership: a server that ignored the filter would otherwise make everyone an
// administrator. No sortBy is sent (Oracle documents none as sortable for this use), so the
// pages are judged instead (scimPages, paging.go): the same totalResults on every page, exactly
// that many distinct users, and a listing of several pages read twice alike.
func (d *Directory) scimMembers(ctx context.Context, g guard.Group) ([]guard.User, error) {
	c, err := d.client(g.Domain)
	if err != nil {
		return nil, err
	}
	filter := fmt.Sprintf("groups.value eq %s", quote(g.ID))
	op := permissions.OpSCIMListUsers
	found, err := scimPages(ctx, d, op,
		func(start, count int) ([]identitydomains.User, *int, error) {
			resp, err := c.ListUsers(detach(ctx, op), identitydomains.ListUsersRequest{Filter: &filter,
				Attributes: common.String(memberAttributes), StartIndex: &start, Count: &count})
			if err != nil {
				return nil, nil, domainError(op, g.Domain, err)
			}
			return resp.Resources, resp.TotalResults, nil
		},
		func(u identitydomains.User) (string, error) {
			if deref(u.Id) == "" || deref(u.Ocid) == "" {
				return "", malformed(op, fmt.Sprintf("a member of group %q without its id or ocid (userName %q, id %q, ocid %q)", g.Ref, deref(u.UserName), deref(u.Id), deref(u.Ocid)))
			}
			if !slices.ContainsFunc(u.Groups, func(m identitydomains.UserGroups) bool { return deref(m.Value) == g.ID }) {
				return "", fmt.Errorf("%s returned user %s, who is not a member of group %q: refusing to trust this listing", op, deref(u.Ocid), g.Ref)
			}
			return deref(u.Id), nil
		})
	if err != nil {
		return nil, err
	}
	users := make([]guard.User, len(found))
	for i, u := range found {
		users[i] = scimUser(g.Domain, u)
	}
	return users, nil
}

// scimUser is the guard's view of a SCIM user read with memberAttributes.
func scimUser(dom guard.Domain, u identitydomains.User) guard.User {
	caps := u.UrnIetfParamsScimSchemasOracleIdcsExtensionCapabilitiesUser
	return guard.User{Domain: dom, ID: deref(u.Id), OCID: deref(u.Ocid), UserName: deref(u.UserName),
		Active: u.Active == nil || *u.Active,
		// absent means the default, which is "can use API keys"
		CanUseAPIKeys:   caps == nil || caps.CanUseApiKeys == nil || *caps.CanUseApiKeys,
		CapabilitiesOff: scimCapabilitiesOff(caps), Detailed: true}
}

// scimAPIKeys lists the keys of users, several users per request (an "or" filter), so the
// cost grows with the number of administrators, never with the size of the tenancy. The
// filter travels in the body of POST /ApiKeys/.search (SearchApiKeys), not in the URL: 50
// OCIDs make a 5 KB filter, which beside a resource-principal token would pass the 8 KiB
// request-head limit of a front end.
func (d *Directory) scimAPIKeys(ctx context.Context, dom guard.Domain, users []guard.User) ([]guard.APIKey, error) {
	c, err := d.client(dom)
	if err != nil {
		return nil, err
	}
	op := permissions.OpSCIMSearchApiKeys
	found, err := searchByOwner(ctx, d, users, op,
		func(filter string, start, count int) ([]identitydomains.ApiKey, *int, error) {
			resp, err := c.SearchApiKeys(detach(ctx, op), identitydomains.SearchApiKeysRequest{
				ApiKeySearchRequest: identitydomains.ApiKeySearchRequest{Schemas: []string{searchRequestSchema},
					Filter: &filter, Attributes: keyAttributes, StartIndex: &start, Count: &count}})
			if err != nil {
				return nil, nil, domainError(op, dom, err)
			}
			return resp.Resources, resp.TotalResults, nil
		},
		func(k identitydomains.ApiKey) (string, string, string) {
			owner := ""
			if k.User != nil {
				owner = deref(k.User.Ocid)
			}
			label := "key " + deref(k.Fingerprint)
			if deref(k.Fingerprint) == "" {
				label = "" // a key is named by its fingerprint: without one, it is malformed
			}
			return deref(k.Id), owner, label
		})
	if err != nil {
		return nil, err
	}
	keys := make([]guard.APIKey, len(found))
	for i, x := range found {
		keys[i] = guard.APIKey{Domain: dom, ID: deref(x.item.Id), Fingerprint: deref(x.item.Fingerprint), UserOCID: x.owner,
			Deleting: deref(x.item.DeleteInProgress)}
	}
	return keys, nil
}

// owned is an item of searchByOwner with the owner it was checked against.
type owned[T any] struct {
	item  T
	owner string
}

// searchByOwner pages a SCIM search of the users' items (keys, tokens, …), KeyBatch users per
// "or" filter on user.ocid (scimPages: judged, read again while it moves), and refuses a listing
// that returns an item of a user it did not ask for, or an item without its id, owner or name:
// a server that ignored the filter would otherwise pass for the administrators' credentials, and
// an owner-less item must never be taken for anyone's. describe gives an item's SCIM id, its
// owner's OCID and how to name it in an error ("" when the item lacks what names it).
func searchByOwner[T any](ctx context.Context, d *Directory, users []guard.User, op string, search func(filter string, start, count int) ([]T, *int, error),
	describe func(T) (id, owner, label string)) ([]owned[T], error) {
	var out []owned[T]
	for batch := range slices.Chunk(users, d.settings.KeyBatch) {
		terms := make([]string, len(batch))
		want := make(map[string]bool, len(batch))
		for i, u := range batch {
			if u.OCID == "" {
				// Never a filter on an empty OCID: it would match owner-less items.
				return nil, fmt.Errorf("%w: user %q has no OCID, so its credentials cannot be searched for", guard.ErrMalformedRecord, u.UserName)
			}
			terms[i] = "user.ocid eq " + quote(u.OCID)
			want[u.OCID] = true
		}
		filter := strings.Join(terms, " or ")
		items, err := scimPages(ctx, d, op,
			func(start, count int) ([]T, *int, error) { return search(filter, start, count) },
			func(x T) (string, error) {
				id, owner, label := describe(x)
				switch {
				case id == "" || label == "":
					return "", malformed(op, fmt.Sprintf("an item without its id or name (id %q, %q)", id, label))
				case owner == "":
					return "", malformed(op, fmt.Sprintf("%s without its user (no user.ocid)", label))
				case !want[owner]:
					return "", fmt.Errorf("%s returned %s of user %q, which the filter excludes: refusing to trust this listing", op, label, owner)
				}
				return id, nil
			})
		if err != nil {
			return nil, err
		}
		for _, x := range items {
			_, owner, _ := describe(x)
			out = append(out, owned[T]{x, owner})
		}
	}
	return out, nil
}

// scimDelete deletes one key by its SCIM id.
func (d *Directory) scimDelete(ctx context.Context, k guard.APIKey) error {
	c, err := d.client(k.Domain)
	if err != nil {
		return err
	}
	_, err = c.DeleteApiKey(detach(ctx, permissions.OpSCIMDeleteApiKey), identitydomains.DeleteApiKeyRequest{ApiKeyId: &k.ID})
	return domainError(permissions.OpSCIMDeleteApiKey, k.Domain, err)
}

// scimDisable sets canUseApiKeys=false with a PATCH that replaces this one attribute only.
func (d *Directory) scimDisable(ctx context.Context, u guard.User) error {
	c, err := d.client(u.Domain)
	if err != nil {
		return err
	}
	var off any = false
	_, err = c.PatchUser(detach(ctx, permissions.OpSCIMPatchUser), identitydomains.PatchUserRequest{UserId: &u.ID, Attributes: common.String("ocid"),
		PatchOp: identitydomains.PatchOp{
			Schemas:    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			Operations: []identitydomains.Operations{{Op: identitydomains.OperationsOpReplace, Path: common.String(canUseAPIKeys), Value: &off}},
		}})
	return domainError(permissions.OpSCIMPatchUser, u.Domain, err)
}

// quote makes a SCIM filter string literal.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
