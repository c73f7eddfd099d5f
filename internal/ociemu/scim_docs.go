package ociemu

// SCIM documents are built as the map form json.Unmarshal would produce ([]any,
// map[string]any, string, bool), because that is what scimfilter matches against and what
// attribute projection walks. They are cached per resource and never mutated once built:
// a change replaces the cached document instead.

const (
	schemaUser       = "urn:ietf:params:scim:schemas:core:2.0:User"
	schemaGroup      = "urn:ietf:params:scim:schemas:core:2.0:Group"
	schemaAPIKey     = "urn:ietf:params:scim:schemas:oracle:idcs:apikey"
	schemaListResp   = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	schemaPatchOp    = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	extCapabilities  = "urn:ietf:params:scim:schemas:oracle:idcs:extension:capabilities:User"
	pathCanUseAPIKey = extCapabilities + ":canUseApiKeys"
	scimTime         = "2024-01-15T09:30:00.000Z"
)

func meta(resourceType, location string) map[string]any {
	return map[string]any{"resourceType": resourceType, "created": scimTime, "lastModified": scimTime, "location": location}
}

// userDoc returns the full SCIM User. Callers hold the store lock.
func (s *Server) userDoc(di *domainIndex, ui int) map[string]any {
	if doc := di.userDocs[ui]; doc != nil {
		return doc
	}
	u := &di.d.Users[ui]
	groups := make([]any, 0, len(di.groupsOfUser[u.OCID]))
	for _, gi := range di.groupsOfUser[u.OCID] {
		g := &di.d.Groups[gi]
		groups = append(groups, map[string]any{
			"value": g.ID, "ocid": g.OCID, "display": g.DisplayName, "type": "direct",
			"$ref": di.url + "/admin/v1/Groups/" + g.ID,
		})
	}
	doc := map[string]any{
		"schemas":         []any{schemaUser, extCapabilities},
		"id":              u.ID,
		"ocid":            u.OCID,
		"userName":        u.UserName,
		"displayName":     u.UserName,
		"active":          u.Active,
		"domainOcid":      di.d.ID,
		"compartmentOcid": di.d.CompartmentID,
		"tenancyOcid":     s.tenancyID,
		"meta":            meta("User", di.url+"/admin/v1/Users/"+u.ID),
		"groups":          groups,
		extCapabilities: map[string]any{
			"canUseApiKeys": u.CanUseAPIKeys, "canUseAuthTokens": u.canUse(CredAuthTokens), "canUseConsolePassword": true,
			"canUseCustomerSecretKeys": u.canUse(CredCustomerSecretKeys), "canUseOAuth2ClientCredentials": u.canUse(CredOAuth2ClientCredentials),
			"canUseSmtpCredentials": u.canUse(CredSMTPCredentials), "canUseDbCredentials": u.canUse(CredDBCredentials), "canUseConsole": true,
		},
	}
	if u.Email != "" {
		doc["emails"] = []any{map[string]any{"value": u.Email, "type": "work", "primary": true}}
	}
	di.userDocs[ui] = doc
	return doc
}

// groupDoc returns the full SCIM Group, members included. Callers hold the store lock.
func (s *Server) groupDoc(di *domainIndex, gi int) map[string]any {
	if doc := di.groupDocs[gi]; doc != nil {
		return doc
	}
	g := &di.d.Groups[gi]
	members := make([]any, 0, len(g.Members))
	for _, m := range g.Members {
		u := &di.d.Users[di.userByOCID[m]]
		members = append(members, map[string]any{
			"value": u.ID, "ocid": u.OCID, "display": u.UserName, "name": u.UserName, "type": "User",
			"$ref": di.url + "/admin/v1/Users/" + u.ID,
		})
	}
	doc := map[string]any{
		"schemas":         []any{schemaGroup},
		"id":              g.ID,
		"ocid":            g.OCID,
		"displayName":     g.DisplayName,
		"domainOcid":      di.d.ID,
		"compartmentOcid": di.d.CompartmentID,
		"tenancyOcid":     s.tenancyID,
		"meta":            meta("Group", di.url+"/admin/v1/Groups/"+g.ID),
		"members":         members,
	}
	di.groupDocs[gi] = doc
	return doc
}

// keyDoc returns the SCIM ApiKey. Keys are few, so they are not cached.
func (s *Server) keyDoc(di *domainIndex, ref keyRef) map[string]any {
	return s.apiKeyDoc(di, ref.user, &di.d.Users[ref.user].APIKeys[ref.key])
}

// apiKeyDoc is the SCIM document of key k of user ui; deleteInProgress (returned=default,
// identitydomains/api_key.go) says whether the key is DELETING (its fixture State, or, for a
// key deleted lately, keySource's reading of Options.Consistency).
func (s *Server) apiKeyDoc(di *domainIndex, ui int, k *APIKey) map[string]any {
	u := &di.d.Users[ui]
	return map[string]any{
		"deleteInProgress": k.State == "DELETING",
		"schemas":          []any{schemaAPIKey},
		"id":               k.ID,
		"ocid":             k.OCID,
		"fingerprint":      k.Fingerprint,
		"key":              k.PublicKeyPEM,
		"domainOcid":       di.d.ID,
		"compartmentOcid":  di.d.CompartmentID,
		"tenancyOcid":      s.tenancyID,
		"meta":             meta("ApiKey", di.url+"/admin/v1/ApiKeys/"+k.ID),
		"user": map[string]any{
			"value": u.ID, "ocid": u.OCID, "display": u.UserName, "name": u.UserName,
			"$ref": di.url + "/admin/v1/Users/" + u.ID,
		},
	}
}
