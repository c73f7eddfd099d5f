package ociemu

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
)

// Domain administrator roles as the Identity Domains API shows them: each role is an AppRole
// of the domain's own application (the app whose id is "IDCSAppId"), and each holder is a
// Grant whose entitlement is that AppRole. Shapes from the SDK (oci-go-sdk v65,
// identitydomains/app_role.go, app_role_app.go, grant.go, grant_grantee.go,
// grant_entitlement.go, grant_app.go):
//
//   - AppRole: schemas, id, displayName (idcsSearchable), adminRole, app {value
//     (idcsSearchable), display}, meta. GET /admin/v1/AppRoles (ListAppRoles).
//   - Grant: schemas, id, grantMechanism (ADMINISTRATOR_TO_USER | _GROUP | _APP |
//     _DYNAMIC_RESOURCE_GROUP), grantee {value, type (User, Group, App, DynamicResourceGroup),
//     display, $ref}, app {value, display}, entitlement {attributeName "appRoles",
//     attributeValue: the AppRole's id ("If attributeName is 'appRoles', then attributeValue
//     is the ID of the AppRole")}, meta. GET /admin/v1/Grants (ListGrants). grantee.value,
//     grantee.type, entitlement.attributeName and entitlement.attributeValue are
//     idcsSearchable: the filters the function sends use only those.
//
// grantee.display is "returned: request" in the SDK; the emulator returns it always (lenient),
// the function asks for it by name, as the real service needs.
//
// Who holds a role (Domain.RoleGrants), plus, as on a real tenancy: each of the domain's
// dynamic groups holding a role (Domain.DynamicGroupRoles) as a DynamicResourceGroup grant, and
// the domain's "Administrators" group holding Identity Domain Administrator ("Removing an
// Identity Domain Administrator", iam-identity-removeadmin.htm, see authz_scim.go).
//
// Authorization (ASSUMPTION, Oracle documents no role per SCIM operation): reading app roles
// and grants is an administrator's view of the domain's security set-up, allowed to the
// Identity Domain Administrator and the Security Administrator only; a User Administrator
// (who may read users and groups) is refused, so a function holding only that role gets a 403.

// Operation names of the role reads.
const (
	OpScimListAppRoles = "scim.ListAppRoles"
	OpScimListGrants   = "scim.ListGrants"
)

// IDCSAppID is the id of the identity domain's own application, whose AppRoles are the
// domain's administrator roles.
const IDCSAppID = "IDCSAppId"

// Grantee types (SDK GrantGranteeTypeEnum).
const (
	GranteeUser         = "User"
	GranteeGroup        = "Group"
	GranteeApp          = "App"
	GranteeDynamicGroup = "DynamicResourceGroup"
)

// RoleGrant is one holder of one domain role: a user or group of the domain (by SCIM id), an
// application (a confidential app's client: by its id and name), or a dynamic group.
type RoleGrant struct {
	Role        string `json:"role"` // a KnownDomainRoles name
	GranteeType string `json:"granteeType"`
	GranteeID   string `json:"granteeId"`
	// GranteeName is the display name; for users and groups the emulator fills it from the
	// domain when empty.
	GranteeName string `json:"granteeName,omitempty"`
}

const (
	schemaAppRole = "urn:ietf:params:scim:schemas:oracle:idcs:AppRole"
	schemaGrant   = "urn:ietf:params:scim:schemas:oracle:idcs:Grant"
)

// roleReadRoles may read app roles and grants. The check is made here, in the handler, after
// the request has been authenticated (the operations are not in SCIMOperationRoles, whose
// table covers the user and credential operations).
var roleReadRoles = []string{RoleIdentityDomainAdministrator, RoleSecurityAdministrator}

func (s *Server) roleRoutesSCIM(mux *http.ServeMux, di *domainIndex) {
	s.handleIn(di, mux, scimPrefix+"/AppRoles", map[string]route{http.MethodGet: {OpScimListAppRoles, s.roleRead(di, s.appRoleSource(di))}})
	s.handleIn(di, mux, scimPrefix+"/Grants", map[string]route{http.MethodGet: {OpScimListGrants, s.roleRead(di, s.grantSource(di))}})
}

// roleRead serves a listing of app roles or grants to a function holding one of roleReadRoles
// in the domain, and refuses anyone else with 403 and the SCIM error body.
func (s *Server) roleRead(di *domainIndex, source func() (int, func(int) map[string]any)) handlerFunc {
	list := s.listing(false, source)
	return func(w http.ResponseWriter, r *http.Request, body []byte) {
		s.store.mu.Lock()
		allowed := holdsAny(s.functionRoles(di), roleReadRoles)
		s.store.mu.Unlock()
		if !allowed {
			writeSCIMError(w, http.StatusForbidden, scimForbiddenMsg, scimForbiddenID)
			return
		}
		list(w, r, body)
	}
}

// AppRoleID is the emulator's stable id of a domain role in one domain.
func AppRoleID(domainID, role string) string { return stableID("approle", domainID, role) }

func stableID(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:16])
}

func (s *Server) appRoleSource(di *domainIndex) func() (int, func(int) map[string]any) {
	return func() (int, func(int) map[string]any) {
		return len(KnownDomainRoles), func(i int) map[string]any {
			id := AppRoleID(di.d.ID, KnownDomainRoles[i])
			return map[string]any{
				"schemas":     []any{schemaAppRole},
				"id":          id,
				"displayName": KnownDomainRoles[i],
				"adminRole":   true,
				"app":         map[string]any{"value": IDCSAppID, "display": "IDCS Application", "$ref": di.url + "/admin/v1/Apps/" + IDCSAppID},
				"meta":        meta("AppRole", di.url+"/admin/v1/AppRoles/"+id),
			}
		}
	}
}

// roleGrants are every grant of the domain: the fixture's, the dynamic groups', and the
// Administrators group's. Callers hold the store lock.
func (s *Server) roleGrants(di *domainIndex) []RoleGrant {
	out := slices.Clone(di.d.RoleGrants)
	for i := range out {
		if out[i].GranteeName == "" {
			out[i].GranteeName = s.granteeName(di, out[i])
		}
	}
	names := make([]string, 0, len(di.d.DynamicGroupRoles))
	for name := range di.d.DynamicGroupRoles {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		for _, role := range di.d.DynamicGroupRoles[name] {
			out = append(out, RoleGrant{Role: role, GranteeType: GranteeDynamicGroup, GranteeID: stableID("dg", di.d.ID, name), GranteeName: name})
		}
	}
	for _, g := range di.d.Groups {
		if g.DisplayName == DomainAdminGroupName {
			out = append(out, RoleGrant{Role: RoleIdentityDomainAdministrator, GranteeType: GranteeGroup, GranteeID: g.ID, GranteeName: g.DisplayName})
		}
	}
	return out
}

func (s *Server) granteeName(di *domainIndex, g RoleGrant) string {
	switch g.GranteeType {
	case GranteeUser:
		if ui, ok := di.userByID[g.GranteeID]; ok {
			return di.d.Users[ui].UserName
		}
	case GranteeGroup:
		for _, gr := range di.d.Groups {
			if gr.ID == g.GranteeID {
				return gr.DisplayName
			}
		}
	}
	return g.GranteeID
}

var grantMechanisms = map[string]string{
	GranteeUser: "ADMINISTRATOR_TO_USER", GranteeGroup: "ADMINISTRATOR_TO_GROUP",
	GranteeApp: "ADMINISTRATOR_TO_APP", GranteeDynamicGroup: "ADMINISTRATOR_TO_DYNAMIC_RESOURCE_GROUP",
}

var granteePaths = map[string]string{GranteeUser: "Users", GranteeGroup: "Groups", GranteeApp: "Apps", GranteeDynamicGroup: "DynamicResourceGroups"}

func (s *Server) grantSource(di *domainIndex) func() (int, func(int) map[string]any) {
	return func() (int, func(int) map[string]any) {
		grants := s.roleGrants(di)
		return len(grants), func(i int) map[string]any {
			g := grants[i]
			id := stableID("grant", di.d.ID, g.Role, g.GranteeType, g.GranteeID)
			return map[string]any{
				"schemas":        []any{schemaGrant},
				"id":             id,
				"grantMechanism": grantMechanisms[g.GranteeType],
				"grantee": map[string]any{"value": g.GranteeID, "type": g.GranteeType, "display": g.GranteeName,
					"$ref": di.url + "/admin/v1/" + granteePaths[g.GranteeType] + "/" + g.GranteeID},
				"app":         map[string]any{"value": IDCSAppID, "display": "IDCS Application"},
				"entitlement": map[string]any{"attributeName": "appRoles", "attributeValue": AppRoleID(di.d.ID, g.Role)},
				"meta":        meta("Grant", di.url+"/admin/v1/Grants/"+id),
			}
		}
	}
}
