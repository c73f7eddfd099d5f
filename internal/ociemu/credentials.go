package ociemu

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
)

// Credentials other than API keys, in both API families over one state (a credential deleted
// through IAM is gone from SCIM and the other way round):
//   - IAM (/20160918/users/{userId}/<kind>): List* answers one user's credentials, unpaged for
//     auth tokens, customer secret keys and SMTP credentials, paged (limit/page) for OAuth 2.0
//     client credentials and DB credentials, as their SDK request structs have (or lack)
//     limit/page (identity/list_*_request_response.go); Delete* addresses user and id.
//   - SCIM (/admin/v1/<Resource>): POST /.search with a SearchRequest body and DELETE /{id}
//     (identitydomains.SearchAuthTokens … DeleteUserDbCredential); each resource's user.ocid is
//     idcsSearchable (identitydomains/*_user.go).
//
// The secret of each credential (token, secretKey, password, secret, dbPassword) is in the
// SCIM document unless the request's attributes leave it out, and in IAM's AuthToken.token:
// the real service returns these only when the credential is created; the emulator is
// careless on purpose, so that a test can prove the function never passes one on.

// Credential kinds (Credential.Kind), as ADMIN_CREDENTIALS spells them.
const (
	CredAuthTokens              = "auth-tokens"
	CredCustomerSecretKeys      = "customer-secret-keys"
	CredSMTPCredentials         = "smtp-credentials"
	CredOAuth2ClientCredentials = "oauth2-client-credentials"
	CredDBCredentials           = "db-credentials"
)

// Operations per credential kind.
const (
	OpListAuthTokens                    = "ListAuthTokens"
	OpDeleteAuthToken                   = "DeleteAuthToken"
	OpListCustomerSecretKeys            = "ListCustomerSecretKeys"
	OpDeleteCustomerSecretKey           = "DeleteCustomerSecretKey"
	OpListSmtpCredentials               = "ListSmtpCredentials"
	OpDeleteSmtpCredential              = "DeleteSmtpCredential"
	OpListOAuthClientCredentials        = "ListOAuthClientCredentials"
	OpDeleteOAuthClientCredential       = "DeleteOAuthClientCredential"
	OpListDbCredentials                 = "ListDbCredentials"
	OpDeleteDbCredential                = "DeleteDbCredential"
	OpScimSearchAuthTokens              = "scim.SearchAuthTokens"
	OpScimDeleteAuthToken               = "scim.DeleteAuthToken"
	OpScimSearchCustomerSecretKeys      = "scim.SearchCustomerSecretKeys"
	OpScimDeleteCustomerSecretKey       = "scim.DeleteCustomerSecretKey"
	OpScimSearchSmtpCredentials         = "scim.SearchSmtpCredentials"
	OpScimDeleteSmtpCredential          = "scim.DeleteSmtpCredential"
	OpScimSearchOAuth2ClientCredentials = "scim.SearchOAuth2ClientCredentials"
	OpScimDeleteOAuth2ClientCredential  = "scim.DeleteOAuth2ClientCredential"
	OpScimSearchUserDbCredentials       = "scim.SearchUserDbCredentials"
	OpScimDeleteUserDbCredential        = "scim.DeleteUserDbCredential"
)

type credKind struct {
	kind                   string
	iamPath                string // path segment under /users/{userId}/ (identity_client.go)
	iamList, iamDelete     string
	iamPaged               bool
	scimResource           string // /admin/v1/<scimResource> (identitydomains_client.go)
	scimSearch, scimDelete string
	scimSchema             string
	secretAttr             string // the SCIM attribute holding the secret (SDK models)
	capability             string // the canUse… attribute of the kind (SCIM; IAM UserCapabilities)
}

// credKinds: paths and operation names from the SDK clients; schemas from the SDK models'
// Schemas comments ("urn:ietf:params:scim:schemas:oracle:idcs:authToken" …).
var credKinds = []credKind{
	{CredAuthTokens, "authTokens", OpListAuthTokens, OpDeleteAuthToken, false, "AuthTokens", OpScimSearchAuthTokens, OpScimDeleteAuthToken,
		"urn:ietf:params:scim:schemas:oracle:idcs:authToken", "token", "canUseAuthTokens"},
	{CredCustomerSecretKeys, "customerSecretKeys", OpListCustomerSecretKeys, OpDeleteCustomerSecretKey, false, "CustomerSecretKeys", OpScimSearchCustomerSecretKeys, OpScimDeleteCustomerSecretKey,
		"urn:ietf:params:scim:schemas:oracle:idcs:customerSecretKey", "secretKey", "canUseCustomerSecretKeys"},
	{CredSMTPCredentials, "smtpCredentials", OpListSmtpCredentials, OpDeleteSmtpCredential, false, "SmtpCredentials", OpScimSearchSmtpCredentials, OpScimDeleteSmtpCredential,
		"urn:ietf:params:scim:schemas:oracle:idcs:smtpCredential", "password", "canUseSmtpCredentials"},
	{CredOAuth2ClientCredentials, "oauth2ClientCredentials", OpListOAuthClientCredentials, OpDeleteOAuthClientCredential, true, "OAuth2ClientCredentials", OpScimSearchOAuth2ClientCredentials, OpScimDeleteOAuth2ClientCredential,
		"urn:ietf:params:scim:schemas:oracle:idcs:oauth2ClientCredential", "secret", "canUseOAuth2ClientCredentials"},
	{CredDBCredentials, "dbCredentials", OpListDbCredentials, OpDeleteDbCredential, true, "UserDbCredentials", OpScimSearchUserDbCredentials, OpScimDeleteUserDbCredential,
		"urn:ietf:params:scim:schemas:oracle:idcs:UserDbCredentials", "dbPassword", "canUseDbCredentials"},
}

// CredentialKinds lists the kinds the emulator holds besides API keys.
func CredentialKinds() []string {
	out := make([]string, len(credKinds))
	for i, k := range credKinds {
		out[i] = k.kind
	}
	return out
}

func credKindByCapability(attr string) (credKind, bool) {
	i := slices.IndexFunc(credKinds, func(k credKind) bool { return strings.EqualFold(k.capability, attr) })
	if i < 0 {
		return credKind{}, false
	}
	return credKinds[i], true
}

// canUse says whether u's capability for kind is on.
func (u *User) canUse(kind string) bool { return !slices.Contains(u.CapabilitiesOff, kind) }

// setCapability turns u's capability for kind on or off. Callers hold the store lock.
func (di *domainIndex) setCapability(ui int, kind string, on bool) {
	u := &di.d.Users[ui]
	u.CapabilitiesOff = slices.DeleteFunc(u.CapabilitiesOff, func(k string) bool { return k == kind })
	if !on {
		u.CapabilitiesOff = append(u.CapabilitiesOff, kind)
	}
	di.userDocs[ui] = nil
}

// credentialRoutesIAM adds the IAM List/Delete of every kind.
func (s *Server) credentialRoutesIAM(mux *http.ServeMux) {
	for _, k := range credKinds {
		s.handle(mux, iamPrefix+"/users/{userId}/"+k.iamPath, map[string]route{http.MethodGet: {k.iamList, s.iamListCredentials(k)}})
		s.handle(mux, iamPrefix+"/users/{userId}/"+k.iamPath+"/{credId}", map[string]route{http.MethodDelete: {k.iamDelete, s.iamDeleteCredential(k)}})
	}
}

// credentialRoutesSCIM adds the SCIM search and delete of every kind to one domain.
func (s *Server) credentialRoutesSCIM(mux *http.ServeMux, di *domainIndex) {
	for _, k := range credKinds {
		s.handleIn(di, mux, scimPrefix+"/"+k.scimResource+"/.search", map[string]route{http.MethodPost: {k.scimSearch, s.listing(true, s.credSource(di, k))}})
		s.handleIn(di, mux, scimPrefix+"/"+k.scimResource+"/{id}", map[string]route{http.MethodDelete: {k.scimDelete, s.scimDeleteCredential(di, k)}})
	}
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// iamCredential renders c as the kind's IAM summary (identity/auth_token.go,
// customer_secret_key_summary.go, smtp_credential_summary.go,
// o_auth2_client_credential_summary.go, db_credential_summary.go).
func (s *Server) iamCredential(k credKind, userOCID string, c *Credential) map[string]any {
	m := map[string]any{"id": c.OCID, "userId": userOCID, "description": c.Description, "timeCreated": timeCreated,
		"timeExpires": nullable(c.Expires), "lifecycleState": lifecycleState(c.State)}
	switch k.kind {
	case CredAuthTokens:
		m["token"] = c.Secret // see the file comment: careless on purpose
	case CredCustomerSecretKeys:
		m["displayName"] = c.Description
		delete(m, "description")
	case CredSMTPCredentials:
		m["username"] = "ocid1.user.smtp." + c.ID
	case CredOAuth2ClientCredentials:
		m["name"], m["scopes"], m["compartmentId"], m["expiresOn"] = c.Description, []any{}, s.tenancyID, nullable(c.Expires)
		delete(m, "timeExpires")
	}
	return m
}

func (s *Server) iamListCredentials(k credKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, _ []byte) {
		s.store.mu.Lock()
		defer s.store.mu.Unlock()
		ui, ok := s.lookupUser(w, r)
		if !ok {
			return
		}
		u := &s.store.def.d.Users[ui]
		var mine []*Credential
		for i := range u.Credentials {
			if u.Credentials[i].Kind == k.kind {
				mine = append(mine, &u.Credentials[i])
			}
		}
		if k.iamPaged {
			writePage(s, w, r, len(mine), func(i int) map[string]any { return s.iamCredential(k, u.OCID, mine[i]) })
			return
		}
		out := []map[string]any{}
		for _, c := range mine {
			out = append(out, s.iamCredential(k, u.OCID, c))
		}
		writeJSON(w, http.StatusOK, out)
	}
}

func (s *Server) iamDeleteCredential(k credKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, _ []byte) {
		s.store.mu.Lock()
		defer s.store.mu.Unlock()
		ui, ok := s.lookupUser(w, r)
		if !ok {
			return
		}
		u := &s.store.def.d.Users[ui]
		ci := slices.IndexFunc(u.Credentials, func(c Credential) bool { return c.Kind == k.kind && c.OCID == r.PathValue("credId") })
		if ci < 0 {
			writeFailure(w, errNotFound)
			return
		}
		s.store.def.deleteCredential(ui, ci)
		w.WriteHeader(http.StatusNoContent)
	}
}

// deleteCredential removes credential ci of user ui. Callers hold the store lock.
func (di *domainIndex) deleteCredential(ui, ci int) {
	u := &di.d.Users[ui]
	u.Credentials = append(u.Credentials[:ci:ci], u.Credentials[ci+1:]...)
	di.credOrder = nil
}

// credRefs returns every credential of kind in the domain, in user order. Callers hold the
// store lock.
func (di *domainIndex) credRefs(kind string) []keyRef {
	if di.credOrder == nil {
		di.credOrder = map[string][]keyRef{}
	}
	if refs, ok := di.credOrder[kind]; ok {
		return refs
	}
	refs := []keyRef{}
	for ui, u := range di.d.Users {
		for ci, c := range u.Credentials {
			if c.Kind == kind {
				refs = append(refs, keyRef{ui, ci})
			}
		}
	}
	di.credOrder[kind] = refs
	return refs
}

func (s *Server) credSource(di *domainIndex, k credKind) func() (int, func(int) map[string]any) {
	return func() (int, func(int) map[string]any) {
		refs := di.credRefs(k.kind)
		return len(refs), func(i int) map[string]any { return s.credDoc(di, k, refs[i]) }
	}
}

// credDoc is the SCIM resource of a credential (identitydomains/auth_token.go …).
func (s *Server) credDoc(di *domainIndex, k credKind, ref keyRef) map[string]any {
	u := &di.d.Users[ref.user]
	c := &u.Credentials[ref.key]
	doc := map[string]any{
		"schemas":          []any{k.scimSchema},
		"id":               c.ID,
		"ocid":             c.OCID,
		"description":      c.Description,
		"status":           "ACTIVE",
		"deleteInProgress": c.State == "DELETING",
		"domainOcid":       di.d.ID,
		"compartmentOcid":  di.d.CompartmentID,
		"tenancyOcid":      s.tenancyID,
		"meta":             meta(k.scimResource, di.url+scimPrefix+"/"+k.scimResource+"/"+c.ID),
		k.secretAttr:       c.Secret,
		"user": map[string]any{
			"value": u.ID, "ocid": u.OCID, "display": u.UserName, "name": u.UserName,
			"$ref": di.url + scimPrefix + "/Users/" + u.ID,
		},
	}
	if c.Expires != "" {
		doc["expiresOn"] = c.Expires
	}
	switch k.kind {
	case CredOAuth2ClientCredentials, CredDBCredentials:
		doc["name"] = c.Description
	case CredSMTPCredentials:
		doc["userName"] = "smtp-" + c.ID
	case CredCustomerSecretKeys:
		doc["accessKey"] = c.OCID
	}
	return doc
}

func (s *Server) scimDeleteCredential(di *domainIndex, k credKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, _ []byte) {
		s.store.mu.Lock()
		defer s.store.mu.Unlock()
		id := r.PathValue("id")
		for _, ref := range di.credRefs(k.kind) {
			if di.d.Users[ref.user].Credentials[ref.key].ID != id {
				continue
			}
			if !s.mayWriteUser(di, ref.user) {
				writeSCIMError(w, http.StatusForbidden, scimForbiddenMsg, scimForbiddenID)
				return
			}
			di.deleteCredential(ref.user, ref.key)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeFailure(w, errNotFound)
	}
}

// capabilityValues reads one PATCH operation on the capabilities extension: a full path
// (…:User:canUseAuthTokens) or the extension object. The result maps capability attribute
// (canUseApiKeys, canUseAuthTokens, …) to its new value.
func capabilityValues(path string, raw json.RawMessage) (map[string]bool, error) {
	if attr, ok := strings.CutPrefix(strings.ToLower(path), strings.ToLower(extCapabilities)+":"); ok {
		name := ""
		if strings.EqualFold(attr, "canUseApiKeys") {
			name = "canUseApiKeys"
		} else if k, ok := credKindByCapability(attr); ok {
			name = k.capability
		} else {
			return nil, badRequest("unsupported patch path " + path)
		}
		var v bool
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, badRequest(name + " must be a boolean")
		}
		return map[string]bool{name: v}, nil
	}
	if !strings.EqualFold(path, extCapabilities) {
		return nil, badRequest("unsupported patch path " + path)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || len(obj) == 0 {
		return nil, badRequest("the capabilities value must hold a boolean canUseApiKeys")
	}
	out := map[string]bool{}
	for attr, v := range obj {
		m, err := capabilityValues(extCapabilities+":"+attr, v)
		if err != nil {
			return nil, err
		}
		for a, b := range m {
			out[a] = b
		}
	}
	return out, nil
}

// applyCapabilities sets the capabilities in vals on user ui. Callers hold the store lock.
func (di *domainIndex) applyCapabilities(ui int, vals map[string]bool) {
	for attr, v := range vals {
		if attr == "canUseApiKeys" {
			di.setCanUseAPIKeys(ui, v)
			continue
		}
		if k, ok := credKindByCapability(attr); ok {
			di.setCapability(ui, k.kind, v)
		}
	}
}
