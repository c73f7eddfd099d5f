package oci

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/identitydomains"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
)

// Who holds the Default domain's administrator roles (guard.RoleSource). An identity domain's
// administrator roles are AppRoles of its own application, the one whose id is "IDCSAppId";
// each holder is a Grant whose entitlement is {attributeName "appRoles", attributeValue: the
// AppRole's id} (SDK identitydomains/grant_entitlement.go: "If attributeName is 'appRoles', then
// attributeValue is the ID of the AppRole"). Every filter attribute below is idcsSearchable in
// the SDK: AppRole.displayName, AppRole.app.value (app_role.go, app_role_app.go);
// Grant.entitlement.attributeName and .attributeValue (grant_entitlement.go). The listings are
// checked here, not trusted to the filter. Cost: one AppRoles call and one Grants page per
// 1,000 grants, in the Default domain only; nothing through the IAM family.

// idcsAppID is the id of an identity domain's own application.
const idcsAppID = "IDCSAppId"

var _ guard.RoleSource = (*Directory)(nil)

// DomainRoleHolders lists the grants of roles in the Default identity domain.
func (d *Directory) DomainRoleHolders(ctx context.Context, roles []string) (guard.Domain, []guard.RoleGrant, error) {
	dom, err := d.domain(ctx, "")
	if err != nil {
		return dom, nil, err
	}
	if dom.API == permissions.APIIAM {
		return dom, nil, fmt.Errorf("%w: the Default domain is served through the IAM API (IDENTITY_API=%s), whose policy statements grant no domain role, and only a domain role can read the Identity Domains API's grants; with IDENTITY_API=scim the function reads them through its domain role", guard.ErrRolesNotReadable, d.api)
	}
	c, err := d.client(dom)
	if err != nil {
		return dom, nil, err
	}
	ids, err := d.appRoleIDs(ctx, c, dom, roles)
	if err != nil || len(ids) == 0 {
		return dom, nil, err
	}
	grants, err := d.roleGrants(ctx, c, dom, ids)
	return dom, grants, err
}

// appRoleIDs maps the id of each named role of the IDCSAppId application to its name.
func (d *Directory) appRoleIDs(ctx context.Context, c *identitydomains.IdentityDomainsClient, dom guard.Domain, roles []string) (map[string]string, error) {
	terms := make([]string, len(roles))
	for i, r := range roles {
		terms[i] = "displayName eq " + quote(r)
	}
	filter := fmt.Sprintf("app.value eq %s and (%s)", quote(idcsAppID), strings.Join(terms, " or "))
	op := permissions.OpSCIMListAppRoles
	found, err := scimPages(ctx, d, op,
		func(start, count int) ([]identitydomains.AppRole, *int, error) {
			resp, err := c.ListAppRoles(detach(ctx, op), identitydomains.ListAppRolesRequest{Filter: &filter,
				Attributes: common.String("displayName,app"), StartIndex: &start, Count: &count})
			if err != nil {
				return nil, nil, roleReadError(op, dom, err)
			}
			return resp.Resources, resp.TotalResults, nil
		},
		func(r identitydomains.AppRole) (string, error) {
			name := deref(r.DisplayName)
			if r.App == nil || deref(r.App.Value) != idcsAppID || !slices.ContainsFunc(roles, func(x string) bool { return strings.EqualFold(x, name) }) {
				return "", fmt.Errorf("%s returned app role %q of app %v, which the filter excludes: refusing to trust this listing", op, name, r.App)
			}
			if deref(r.Id) == "" {
				return "", malformed(op, fmt.Sprintf("app role %q without its id", name))
			}
			return deref(r.Id), nil
		})
	ids := map[string]string{}
	for _, r := range found {
		ids[deref(r.Id)] = deref(r.DisplayName)
	}
	return ids, err
}

// roleGrants lists the grants whose entitlement is one of the app roles.
func (d *Directory) roleGrants(ctx context.Context, c *identitydomains.IdentityDomainsClient, dom guard.Domain, roles map[string]string) ([]guard.RoleGrant, error) {
	ids := make([]string, 0, len(roles))
	for id := range roles {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	terms := make([]string, len(ids))
	for i, id := range ids {
		terms[i] = "entitlement.attributeValue eq " + quote(id)
	}
	filter := fmt.Sprintf(`entitlement.attributeName eq "appRoles" and (%s)`, strings.Join(terms, " or "))
	op := permissions.OpSCIMListGrants
	found, err := scimPages(ctx, d, op,
		func(start, count int) ([]identitydomains.Grant, *int, error) {
			// grantee.display is "returned: request" (grant_grantee.go): asked for by name.
			resp, err := c.ListGrants(detach(ctx, op), identitydomains.ListGrantsRequest{Filter: &filter,
				Attributes: common.String("grantee.value,grantee.type,grantee.display,entitlement"), StartIndex: &start, Count: &count})
			if err != nil {
				return nil, nil, roleReadError(op, dom, err)
			}
			return resp.Resources, resp.TotalResults, nil
		},
		func(g identitydomains.Grant) (string, error) {
			if grantRole(g, roles) == "" || g.Grantee == nil {
				return "", fmt.Errorf("%s returned grant %s, which the filter excludes: refusing to trust this listing", op, deref(g.Id))
			}
			if deref(g.Id) == "" || deref(g.Grantee.Value) == "" {
				return "", malformed(op, fmt.Sprintf("grant %q without its id or grantee (grantee %q)", deref(g.Id), deref(g.Grantee.Value)))
			}
			return deref(g.Id), nil
		})
	if err != nil {
		return nil, err
	}
	out := make([]guard.RoleGrant, 0, len(found))
	for _, g := range found {
		name := deref(g.Grantee.Display)
		if name == "" {
			name = deref(g.Grantee.Value)
		}
		out = append(out, guard.RoleGrant{ID: deref(g.Id), Role: grantRole(g, roles), GranteeType: string(g.Grantee.Type),
			GranteeID: deref(g.Grantee.Value), GranteeName: name})
	}
	return out, nil
}

// grantRole is the name of the role a grant's entitlement gives, "" when none of roles.
func grantRole(g identitydomains.Grant, roles map[string]string) string {
	if e := g.Entitlement; e != nil && deref(e.AttributeName) == "appRoles" {
		return roles[deref(e.AttributeValue)]
	}
	return ""
}

// roleReadError is the error of a role read; a refusal (403, or 401 from a domain that does not
// know the principal) means the function holds no role that may read grants: not evaluated,
// with Oracle's answer as the reason.
func roleReadError(op string, dom guard.Domain, err error) error {
	err = domainError(op, dom, err)
	var e *OpError
	if errors.As(err, &e) && (e.Status == http.StatusForbidden || e.Status == http.StatusUnauthorized) {
		return fmt.Errorf("%w: %w", guard.ErrRolesNotReadable, err)
	}
	return err
}

// UsersByID reads users of dom by SCIM id, KeyBatch ids per "or" filter, with the attributes
// Members reads; a user the filter excludes, or one twice, makes the listing untrusted.
func (d *Directory) UsersByID(ctx context.Context, dom guard.Domain, ids []string) ([]guard.User, error) {
	c, err := d.client(dom)
	if err != nil {
		return nil, err
	}
	var users []guard.User
	for batch := range slices.Chunk(ids, d.settings.KeyBatch) {
		terms := make([]string, len(batch))
		for i, id := range batch {
			terms[i] = "id eq " + quote(id)
		}
		filter := strings.Join(terms, " or ")
		op := permissions.OpSCIMListUsers
		found, err := scimPages(ctx, d, op,
			func(start, count int) ([]identitydomains.User, *int, error) {
				resp, err := c.ListUsers(detach(ctx, op), identitydomains.ListUsersRequest{Filter: &filter,
					Attributes: common.String(memberAttributes), StartIndex: &start, Count: &count})
				if err != nil {
					return nil, nil, domainError(op, dom, err)
				}
				return resp.Resources, resp.TotalResults, nil
			},
			func(u identitydomains.User) (string, error) {
				id := deref(u.Id)
				if !slices.Contains(batch, id) {
					return "", fmt.Errorf("%s returned user %s, which the filter excludes: refusing to trust this listing", op, deref(u.Ocid))
				}
				if deref(u.Ocid) == "" {
					return "", malformed(op, fmt.Sprintf("user %q (id %q) without its ocid", deref(u.UserName), id))
				}
				return id, nil
			})
		if err != nil {
			return nil, err
		}
		for _, u := range found {
			users = append(users, scimUser(dom, u))
		}
	}
	return users, nil
}
