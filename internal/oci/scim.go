package oci

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/identitydomains"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
)

const (
	capabilitiesURN = "urn:ietf:params:scim:schemas:oracle:idcs:extension:capabilities:User"
	canUseAPIKeys   = capabilitiesURN + ":canUseApiKeys"
	// memberAttributes are all the guard needs of a member. groups is requested so that every
	// returned user's membership is checked here, not just trusted to the server's filter.
	memberAttributes = "userName,ocid,active,groups," + canUseAPIKeys
	// keyAttributes leave out "key": the public key material has no business in this process.
	keyAttributes = "fingerprint,user,ocid"
)

// ResolveGroup finds exactly one group: by OCID, or by display name in the named domain.
// A policy's "group id <ocid>" does not say which identity domain holds the group, so an OCID
// without a domain is looked up in the Default domain first and then in every other domain.
func (d *Directory) ResolveGroup(ctx context.Context, ref guard.GroupRef) (guard.Group, error) {
	dom, err := d.domain(ctx, ref.Domain)
	if err != nil {
		return guard.Group{}, err
	}
	g, err := d.resolveIn(ctx, dom, ref)
	if !errors.Is(err, guard.ErrNotFound) || ref.OCID == "" || ref.Domain != "" {
		return g, err
	}
	others, lerr := d.allDomains(ctx)
	if lerr != nil {
		return guard.Group{}, lerr
	}
	for _, o := range others {
		if o.URL == dom.URL {
			continue
		}
		if g, err = d.resolveIn(ctx, o, ref); !errors.Is(err, guard.ErrNotFound) {
			return g, err
		}
	}
	return guard.Group{}, err
}

func (d *Directory) resolveIn(ctx context.Context, dom guard.Domain, ref guard.GroupRef) (guard.Group, error) {
	c, err := d.client(dom)
	if err != nil {
		return guard.Group{}, err
	}
	filter := fmt.Sprintf("displayName eq %s", quote(ref.Name))
	if ref.OCID != "" {
		filter = fmt.Sprintf("ocid eq %s", quote(ref.OCID))
	}
	resp, err := c.ListGroups(detach(ctx), identitydomains.ListGroupsRequest{Filter: &filter, Attributes: common.String("displayName,ocid"), Count: common.Int(10)})
	if err != nil {
		return guard.Group{}, opError("scim.ListGroups", err)
	}
	// The server's eq is case-insensitive; the guard insists on the exact group it was given.
	var found []identitydomains.Group
	for _, g := range resp.Resources {
		if (ref.OCID != "" && deref(g.Ocid) == ref.OCID) || (ref.OCID == "" && strings.EqualFold(deref(g.DisplayName), ref.Name)) {
			found = append(found, g)
		}
	}
	switch len(found) {
	case 0:
		return guard.Group{}, fmt.Errorf("group %q in identity domain %q: %w", ref, dom.Name, guard.ErrNotFound)
	case 1:
	default:
		return guard.Group{}, fmt.Errorf("group %q in identity domain %q is ambiguous: %d groups match", ref, dom.Name, len(found))
	}
	g := found[0]
	if ref.Name == "" {
		ref.Name = deref(g.DisplayName)
	}
	return guard.Group{Ref: ref, Domain: dom, ID: deref(g.Id), OCID: deref(g.Ocid)}, nil
}

// Members pages through the users whose groups include g. Every returned user must show the
// membership: a server that ignored the filter would otherwise make everyone an administrator.
func (d *Directory) Members(ctx context.Context, g guard.Group) ([]guard.User, error) {
	c, err := d.client(g.Domain)
	if err != nil {
		return nil, err
	}
	filter := fmt.Sprintf("groups.value eq %s", quote(g.ID))
	var users []guard.User
	err = d.pages(func(start, count int) (int, int, error) {
		resp, err := c.ListUsers(detach(ctx), identitydomains.ListUsersRequest{Filter: &filter, Attributes: common.String(memberAttributes),
			StartIndex: &start, Count: &count, SortBy: common.String("id")})
		if err != nil {
			return 0, 0, opError("scim.ListUsers", err)
		}
		for _, u := range resp.Resources {
			if !slices.ContainsFunc(u.Groups, func(m identitydomains.UserGroups) bool { return deref(m.Value) == g.ID }) {
				return 0, 0, fmt.Errorf("scim.ListUsers returned user %s, who is not a member of group %q: refusing to trust this listing", deref(u.Ocid), g.Ref)
			}
			caps := u.UrnIetfParamsScimSchemasOracleIdcsExtensionCapabilitiesUser
			users = append(users, guard.User{Domain: g.Domain, ID: deref(u.Id), OCID: deref(u.Ocid), UserName: deref(u.UserName),
				Active: u.Active == nil || *u.Active,
				// absent means the default, which is "can use API keys"
				CanUseAPIKeys: caps == nil || caps.CanUseApiKeys == nil || *caps.CanUseApiKeys})
		}
		return len(resp.Resources), deref(resp.TotalResults), nil
	})
	return users, err
}

// APIKeys lists the keys of users, several users per request (an "or" filter), so the cost
// grows with the number of administrators, never with the size of the tenancy.
func (d *Directory) APIKeys(ctx context.Context, dom guard.Domain, users []guard.User) ([]guard.APIKey, error) {
	c, err := d.client(dom)
	if err != nil {
		return nil, err
	}
	var keys []guard.APIKey
	for batch := range slices.Chunk(users, d.settings.KeyBatch) {
		terms := make([]string, len(batch))
		want := make(map[string]bool, len(batch))
		for i, u := range batch {
			terms[i] = "user.ocid eq " + quote(u.OCID)
			want[u.OCID] = true
		}
		filter := strings.Join(terms, " or ")
		err := d.pages(func(start, count int) (int, int, error) {
			resp, err := c.ListApiKeys(detach(ctx), identitydomains.ListApiKeysRequest{Filter: &filter, Attributes: common.String(keyAttributes),
				StartIndex: &start, Count: &count, SortBy: common.String("id")})
			if err != nil {
				return 0, 0, opError("scim.ListApiKeys", err)
			}
			for _, k := range resp.Resources {
				owner := ""
				if k.User != nil {
					owner = deref(k.User.Ocid)
				}
				if !want[owner] {
					return 0, 0, fmt.Errorf("scim.ListApiKeys returned key %s of user %q, which the filter excludes: refusing to trust this listing", deref(k.Fingerprint), owner)
				}
				keys = append(keys, guard.APIKey{Domain: dom, ID: deref(k.Id), Fingerprint: deref(k.Fingerprint), UserOCID: owner})
			}
			return len(resp.Resources), deref(resp.TotalResults), nil
		})
		if err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// DeleteAPIKey deletes one key by its SCIM id.
func (d *Directory) DeleteAPIKey(ctx context.Context, k guard.APIKey) error {
	c, err := d.client(k.Domain)
	if err != nil {
		return err
	}
	_, err = c.DeleteApiKey(detach(ctx), identitydomains.DeleteApiKeyRequest{ApiKeyId: &k.ID})
	return opError("scim.DeleteApiKey", err)
}

// DisableAPIKeys sets canUseApiKeys=false. Identity Domains PATCH is used rather than IAM
// UpdateUserCapabilities because it works in every identity domain, not only the Default one,
// and replaces just this one attribute instead of the whole capability set.
func (d *Directory) DisableAPIKeys(ctx context.Context, u guard.User) error {
	c, err := d.client(u.Domain)
	if err != nil {
		return err
	}
	var off any = false
	_, err = c.PatchUser(detach(ctx), identitydomains.PatchUserRequest{UserId: &u.ID, Attributes: common.String("ocid"),
		PatchOp: identitydomains.PatchOp{
			Schemas:    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			Operations: []identitydomains.Operations{{Op: identitydomains.OperationsOpReplace, Path: common.String(canUseAPIKeys), Value: &off}},
		}})
	return opError("scim.PatchUser", err)
}

// pages walks a SCIM listing by 1-based startIndex until totalResults are read. A short page
// before the total is reached is an error, not the end: stopping there would hide users.
func (d *Directory) pages(page func(start, count int) (got, total int, err error)) error {
	for start := 1; ; {
		got, total, err := page(start, d.settings.PageSize)
		if err != nil {
			return err
		}
		start += got
		if start > total {
			return nil
		}
		if got == 0 {
			return fmt.Errorf("listing stopped at item %d of %d", start-1, total)
		}
	}
}

// quote makes a SCIM filter string literal.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
