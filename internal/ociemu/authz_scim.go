package ociemu

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// SCIM (Identity Domains API) authorization: a request of the resource principal is
// allowed only through a domain role that one of the function's dynamic groups holds in
// that domain ("Assigning a Domain Role": every dynamic group is associated with the OCI
// IAM application, and a domain role assigned there lets the dynamic group's members act
// in the identity domain; https://docs.oracle.com/en-us/iaas/Content/Identity/dynamicgroups/assign-domain-role.htm).
//
// Oracle does not document which role each SCIM operation needs. The emulator ASSUMES,
// from "Understanding Administrator Roles"
// (https://docs.oracle.com/en-us/iaas/Content/Identity/roles/understand-administrator-roles.htm)
// and "Managing Users" (Required Policy or Role: Identity Domain Administrator or Security
// Administrator; https://docs.oracle.com/iaas/Content/Identity/users/about-managing-users.htm):
//
//   - reads (list/get/search users, groups, API keys): Identity Domain Administrator,
//     Security Administrator, User Administrator or User Manager;
//   - writes (delete an API key, PATCH a user's canUseApiKeys) on an ordinary user:
//     Identity Domain Administrator, Security Administrator or User Administrator;
//   - writes on a user who holds the Identity Domain Administrator role, i.e. a member of
//     the domain's "Administrators" group (the group mapped to that role: "Removing an
//     Identity Domain Administrator", iam-identity-removeadmin.htm): Identity Domain
//     Administrator only. A lower role acting on a higher one is assumed refused, as in
//     delegated-administration systems generally; Oracle does not say.
//
// A refusal is 403 with the SCIM error body (see writeSCIMError).

// Domain roles (administrator roles of an identity domain).
const (
	RoleIdentityDomainAdministrator = "Identity Domain Administrator"
	RoleSecurityAdministrator       = "Security Administrator"
	RoleUserAdministrator           = "User Administrator"
	RoleUserManager                 = "User Manager"
	RoleApplicationAdministrator    = "Application Administrator"
	RoleAuditAdministrator          = "Audit Administrator"
	RoleHelpDeskAdministrator       = "Help Desk Administrator"
)

// KnownDomainRoles are the role names a fixture may use.
var KnownDomainRoles = []string{RoleIdentityDomainAdministrator, RoleSecurityAdministrator, RoleUserAdministrator,
	RoleUserManager, RoleApplicationAdministrator, RoleAuditAdministrator, RoleHelpDeskAdministrator}

// DomainAdminGroupName is the group whose members hold the Identity Domain Administrator
// role in a domain (the Default domain's "Administrators"; the emulator uses the same name
// in every domain).
const DomainAdminGroupName = "Administrators"

var (
	scimReadRoles       = []string{RoleIdentityDomainAdministrator, RoleSecurityAdministrator, RoleUserAdministrator, RoleUserManager}
	scimWriteRoles      = []string{RoleIdentityDomainAdministrator, RoleSecurityAdministrator, RoleUserAdministrator}
	scimAdminWriteRoles = []string{RoleIdentityDomainAdministrator}
)

// SCIMOperationRoles is the assumed operation → accepted roles table (targets that are
// domain administrators need RoleIdentityDomainAdministrator for the write operations).
var SCIMOperationRoles = map[string][]string{
	OpScimListUsers:     scimReadRoles,
	OpScimGetUser:       scimReadRoles,
	OpScimListGroups:    scimReadRoles,
	OpScimListApiKeys:   scimReadRoles,
	OpScimSearchApiKeys: scimReadRoles,
	OpScimDeleteApiKey:  scimWriteRoles,
	OpScimPatchUser:     scimWriteRoles,
	// Credentials other than API keys: the same assumption, reads and writes.
	OpScimSearchAuthTokens:              scimReadRoles,
	OpScimSearchCustomerSecretKeys:      scimReadRoles,
	OpScimSearchSmtpCredentials:         scimReadRoles,
	OpScimSearchOAuth2ClientCredentials: scimReadRoles,
	OpScimSearchUserDbCredentials:       scimReadRoles,
	OpScimDeleteAuthToken:               scimWriteRoles,
	OpScimDeleteCustomerSecretKey:       scimWriteRoles,
	OpScimDeleteSmtpCredential:          scimWriteRoles,
	OpScimDeleteOAuth2ClientCredential:  scimWriteRoles,
	OpScimDeleteUserDbCredential:        scimWriteRoles,
}

// functionRoles returns the domain roles the function holds in di, through the dynamic
// groups of that domain it belongs to.
func (s *Server) functionRoles(di *domainIndex) []string {
	var out []string
	for _, dg := range s.store.t.FunctionDynamicGroups {
		if !strings.EqualFold(dg.Domain, di.d.DisplayName) {
			continue
		}
		for name, roles := range di.d.DynamicGroupRoles {
			if strings.EqualFold(name, dg.Name) {
				out = append(out, roles...)
			}
		}
	}
	return out
}

func holdsAny(have, want []string) bool {
	return slices.ContainsFunc(have, func(r string) bool { return slices.Contains(want, r) })
}

// authorizeSCIM is the domain-level check made before the operation runs.
func (s *Server) authorizeSCIM(di *domainIndex, op string) bool {
	want, ok := SCIMOperationRoles[op]
	if !ok {
		return true // unknown routes answer 404 anyway
	}
	return holdsAny(s.functionRoles(di), want)
}

// mayWriteUser is the target-level check of the write operations. Callers hold the store lock.
func (s *Server) mayWriteUser(di *domainIndex, ui int) bool {
	ocid := di.d.Users[ui].OCID
	for _, gi := range di.groupsOfUser[ocid] {
		if di.d.Groups[gi].DisplayName == DomainAdminGroupName {
			return holdsAny(s.functionRoles(di), scimAdminWriteRoles)
		}
	}
	return true
}

// SCIM error messages.
const (
	schemaSCIMError  = "urn:ietf:params:scim:api:messages:2.0:Error"
	schemaIDCSError  = "urn:ietf:params:scim:api:oracle:idcs:extension:messages:Error"
	scimForbiddenMsg = "You do not have the required domain role to perform this operation."
	scimForbiddenID  = "error.common.common.notAuthorized"
)

// writeSCIMError answers with the Identity Domains error shape ("Response Body" of the
// identity domains REST API, https://docs.oracle.com/en-us/iaas/Content/Identity/api-getstarted/ResponseBody.htm):
// {"schemas":[…Error, …idcs…Error],"detail":"…","status":"403","urn:…:idcs:extension:messages:Error":{"messageId":"…"}}.
// Note that status is a string. The messageId values are the emulator's own (assumption).
func writeSCIMError(w http.ResponseWriter, status int, detail, messageID string) {
	writeJSON(w, status, map[string]any{
		"schemas":       []string{schemaSCIMError, schemaIDCSError},
		"detail":        detail,
		"status":        strconv.Itoa(status),
		schemaIDCSError: map[string]string{"messageId": messageID},
	})
}
