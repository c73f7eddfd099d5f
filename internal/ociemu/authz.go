package ociemu

import (
	"net/http"
	"slices"
	"strings"
)

// IAM authorization: every IAM and Notifications request is evaluated against the tenancy's
// policies for its requester (today the function's resource principal, through its dynamic
// groups), the way OCI documents it. This model is the emulator's own: its operation →
// permission table, its verb → permission sets and its statement parser (policystmt.go) are
// written from Oracle's pages, not taken from the product (internal/permissions,
// internal/policy), so that the least-privilege tests compare two independent readings.
//
// Sources (named per row below):
//   - [iamOps]: "Details for IAM with Identity Domains", table "Permissions Required for Each
//     API Operation", https://docs.oracle.com/iaas/Content/Identity/policyreference/iampolicyreference.htm
//   - [iamVerbs]: the same page, tables "Details for Verbs + Resource-Type Combinations", one
//     per resource type (inspect ⊂ read ⊂ use ⊂ manage, cumulative);
//   - [onsVerbs]/[onsOps]: "Details for Notifications", ons-topics table and its operation
//     table, https://docs.oracle.com/iaas/Content/Identity/Reference/notificationpolicyreference.htm
//   - conditions: "Conditions" and "General Variables for All Requests"
//     (request.permission, request.operation, request.principal.*),
//     https://docs.oracle.com/iaas/Content/Identity/policysyntax/conditions.htm

// Permission names (only those of the operations the emulator serves, and their verb sets).
const (
	PermDomainInspect      = "DOMAIN_INSPECT"
	PermCompartmentInspect = "COMPARTMENT_INSPECT"
	PermPolicyRead         = "POLICY_READ"
	PermGroupInspect       = "GROUP_INSPECT"
	PermUserInspect        = "USER_INSPECT"
	PermUserRead           = "USER_READ"
	PermUserUpdate         = "USER_UPDATE"
	PermUserAPIKeyRemove   = "USER_APIKEY_REMOVE"
	PermUserUnblock        = "USER_UNBLOCK"
	// Credential removal permissions ("manage users" in the verb table below).
	PermUserAuthTokenRemove  = "USER_AUTHTOKEN_REMOVE"
	PermUserSecretKeyRemove  = "USER_SECRETKEY_REMOVE"
	PermUserOAuth2CredRemove = "USER_OAUTH2_CLIENT_CRED_REMOVE"
	PermONSTopicPublish      = "ONS_TOPIC_PUBLISH"
	// PermTenancyInspect: "inspect tenancies" (iampolicyreference.htm, tenancies), which
	// ListRegionSubscriptions needs.
	PermTenancyInspect = "TENANCY_INSPECT"
	// SMTP credentials are their own resource type, "credentials" (not users).
	PermCredentialInspect = "CREDENTIAL_INSPECT"
	PermCredentialRemove  = "CREDENTIAL_REMOVE"
)

// Source tags of the rows below.
const (
	srcIAMOps   = "iampolicyreference.htm, Permissions Required for Each API Operation"
	srcONSOps   = "notificationpolicyreference.htm, Permissions Required for Each API Operation"
	assumedPerm = "ASSUMPTION: not in Oracle's operation table"
)

// OperationGrant is what one operation needs: every permission listed, and where the row
// comes from.
type OperationGrant struct {
	Permissions []string
	Source      string
}

// OperationPermissions is the table the emulator enforces: every permission listed must be
// granted for the operation to be allowed. An operation that is not here (none the emulator
// serves over IAM or Notifications) is not checked.
//
// UpdateUserCapabilities is absent from Oracle's operation table. Oracle's CIS landing zone
// grants it under "manage users … where request.operation='UpdateUserCapabilities'", so
// manage users suffices; the emulator requires USER_UPDATE plus a manage-only permission,
// USER_UNBLOCK, by analogy with UpdateUserState (the documented operation that changes a
// user's security state). "use users" is therefore not enough here: an assumption.
//
// DeleteDbCredential: the users verb table names no permission for DB credentials, so the
// emulator requires USER_UPDATE plus a manage-only permission, as for UpdateUserCapabilities:
// "use users" is not enough (an assumption, at least as strict as the removal permissions
// Oracle documents for the other kinds).
//
// SMTP credentials are not users' permissions: "The credentials resource type refers to only
// the SMTP credentials. Permissions to work with other credentials … are included with users"
// (iampolicyreference.htm, resource type credentials), so manage users does not reach them.
var OperationPermissions = map[string]OperationGrant{
	OpListDomains:              {[]string{PermDomainInspect}, srcIAMOps + ": ListDomains"},
	OpListCompartments:         {[]string{PermCompartmentInspect}, srcIAMOps + ": ListCompartments"},
	OpListPolicies:             {[]string{PermPolicyRead}, srcIAMOps + ": ListPolicies"},
	OpListGroups:               {[]string{PermGroupInspect}, srcIAMOps + ": ListGroups"},
	OpGetGroup:                 {[]string{PermGroupInspect}, srcIAMOps + ": GetGroup"},
	OpListUsers:                {[]string{PermUserInspect}, srcIAMOps + ": ListUsers"},
	OpGetUser:                  {[]string{PermUserInspect}, srcIAMOps + ": GetUser"},
	OpListUserGroupMemberships: {[]string{PermGroupInspect, PermUserInspect}, srcIAMOps + ": ListUserGroupMemberships (both resource types)"},
	OpListApiKeys:              {[]string{PermUserRead}, srcIAMOps + ": ListApiKeys"},
	OpDeleteApiKey:             {[]string{PermUserUpdate, PermUserAPIKeyRemove}, srcIAMOps + ": DeleteApiKey"},
	OpUpdateUserCapabilities:   {[]string{PermUserUpdate, PermUserUnblock}, assumedPerm + " (by analogy with UpdateUserState; see above)"},
	OpPublishMessage:           {[]string{PermONSTopicPublish}, srcONSOps + ": PublishMessage"},
	OpListRegionSubscriptions:  {[]string{PermTenancyInspect}, srcIAMOps + ": ListRegionSubscriptions (resource type tenancies)"},

	OpListAuthTokens:              {[]string{PermUserRead}, srcIAMOps + ": ListAuthTokens"},
	OpListCustomerSecretKeys:      {[]string{PermUserRead}, srcIAMOps + ": ListCustomerSecretKeys"},
	OpListOAuthClientCredentials:  {[]string{PermUserRead}, srcIAMOps + ": ListOAuthClientCredentials"},
	OpListDbCredentials:           {[]string{PermUserRead}, assumedPerm + " (read like the other kinds' lists)"},
	OpListSmtpCredentials:         {[]string{PermCredentialInspect}, srcIAMOps + ": ListSmtpCredentials (resource type credentials)"},
	OpDeleteAuthToken:             {[]string{PermUserUpdate, PermUserAuthTokenRemove}, srcIAMOps + ": DeleteAuthToken"},
	OpDeleteCustomerSecretKey:     {[]string{PermUserUpdate, PermUserSecretKeyRemove}, srcIAMOps + ": DeleteCustomerSecretKey"},
	OpDeleteOAuthClientCredential: {[]string{PermUserUpdate, PermUserOAuth2CredRemove}, srcIAMOps + ": DeleteOAuthClientCredential"},
	OpDeleteSmtpCredential:        {[]string{PermCredentialRemove}, srcIAMOps + ": DeleteSmtpCredential (resource type credentials)"},
	OpDeleteDbCredential:          {[]string{PermUserUpdate, PermUserUnblock}, assumedPerm + " (no DB credential permission in the users verb table; see above)"},
}

// verbPermissions are the tables "Details for Verbs + Resource-Type Combinations": per
// resource type, the permissions each verb adds to the one below it (inspect, read, use,
// manage; nil is Oracle's "no extra"). Only the permissions of the operations above are
// needed; each set is the table's whole cell.
var verbPermissions = map[string][4][]string{
	// iampolicyreference.htm, users.
	"users": {
		{"USER_INSPECT"},
		{"USER_READ"},
		{"USER_UPDATE"},
		{"USER_CREATE", "USER_DELETE", "USER_UNBLOCK", "USER_APIKEY_ADD", "USER_APIKEY_REMOVE",
			"USER_UIPASS_SET", "USER_UIPASS_RESET", "USER_SWIFTPASS_SET", "USER_SWIFTPASS_RESET",
			"USER_SWIFTPASS_REMOVE", "USER_AUTHTOKEN_SET", "USER_AUTHTOKEN_RESET", "USER_AUTHTOKEN_REMOVE",
			"USER_OAUTH2_CLIENT_CRED_CREATE", "USER_OAUTH2_CLIENT_CRED_UPDATE", "USER_OAUTH2_CLIENT_CRED_REMOVE",
			"USER_SECRETKEY_ADD", "USER_SECRETKEY_UPDATE", "USER_SECRETKEY_REMOVE", "USER_SUPPORT_ACCOUNT_LINK",
			"USER_SUPPORT_ACCOUNT_UNLINK", "USER_TOTPDEVICE_ADD", "USER_TOTPDEVICE_REMOVE", "USER_TOTPDEVICE_UPDATE"},
	},
	// iampolicyreference.htm, credentials ("refers to only the SMTP credentials").
	"credentials": {{"CREDENTIAL_INSPECT"}, nil, nil, {"CREDENTIAL_ADD", "CREDENTIAL_UPDATE", "CREDENTIAL_REMOVE"}},
	// iampolicyreference.htm, groups, domains, compartments, policies.
	"groups":       {{"GROUP_INSPECT"}, nil, {"GROUP_UPDATE"}, {"GROUP_CREATE", "GROUP_DELETE"}},
	"domains":      {{"DOMAIN_INSPECT"}, {"DOMAIN_READ", "DOMAIN_LICENSETYPE_READ"}, {"DOMAIN_UPDATE", "IAM_WORKREQUEST_READ"}, {"DOMAIN_CREATE", "DOMAIN_DELETE", "DOMAIN_MOVE", "DOMAIN_REPLICATE", "DOMAIN_ACTIVATE", "DOMAIN_DEACTIVATE"}},
	"compartments": {{"COMPARTMENT_INSPECT"}, nil, {"COMPARTMENT_UPDATE"}, {"COMPARTMENT_CREATE", "COMPARTMENT_DELETE", "COMPARTMENT_RECOVER"}},
	"policies":     {{"POLICY_READ"}, nil, nil, {"POLICY_UPDATE", "POLICY_CREATE", "POLICY_DELETE"}},
	// iampolicyreference.htm, tenancies: inspect is TENANCY_INSPECT; read and use add
	// nothing; manage adds TENANCY_UPDATE.
	"tenancies": {{PermTenancyInspect}, nil, nil, {"TENANCY_UPDATE"}},
	// notificationpolicyreference.htm, ons-topics.
	"ons-topics": {{"ONS_TOPIC_INSPECT"}, {"ONS_TOPIC_READ"}, {"ONS_TOPIC_PUBLISH", "ONS_TOPIC_SUBSCRIBE"}, {"ONS_TOPIC_CREATE", "ONS_TOPIC_MOVE", "ONS_TOPIC_UPDATE", "ONS_TOPIC_DELETE"}},
}

// families are the aggregate resource types that cover the ones above.
var families = map[string][]string{
	"notification-family": {"ons-topics"}, // Details for Notifications: ons-topics + ons-subscriptions
}

// allResources covers every resource type ("Resource-Types": all-resources).
const allResources = "all-resources"

// verbRank orders the verbs; a verb covers its own set and every set below it.
var verbRank = map[string]int{"inspect": 0, "read": 1, "use": 2, "manage": 3}

// verbGrants reports whether a verb on a resource type covers perm.
func verbGrants(verb, resource, perm string) bool {
	if resource == allResources {
		return true
	}
	types := []string{resource}
	if f, ok := families[resource]; ok {
		types = f
	}
	rank, ok := verbRank[verb]
	if !ok {
		return false
	}
	for _, t := range types {
		sets, ok := verbPermissions[t]
		if !ok {
			continue
		}
		for i := 0; i <= rank; i++ {
			if slices.Contains(sets[i], perm) {
				return true
			}
		}
	}
	return false
}

// requester is who a request is evaluated for: its principal type and id (the general
// variables request.principal.type and request.principal.id; request.user.id for a user) and
// the groups a statement's subject can name. A resource principal (a function) belongs to
// dynamic groups; a user belongs to groups. Each group is named by domain (display name),
// name and OCID.
type requester struct {
	principalType string // principalTypeFunction or principalTypeUser (userprincipal.go)
	principalID   string
	dynamicGroups []DynamicGroupRef
	groups        []DynamicGroupRef
}

// isUser: any-group covers users (the members of groups), not resource principals.
func (r requester) isUser() bool { return r.principalType == principalTypeUser }

// requesterOf is the requester behind an authenticated caller (verify.go): the function's
// resource principal, or a user signing with their own API key (userprincipal.go). Callers
// hold the store lock.
func (s *Server) requesterOf(c caller) requester {
	if c.User {
		return s.userRequester(c.ID)
	}
	return s.functionRequester(c.ID)
}

// functionRequester is the function's resource principal: the fixture states its dynamic
// groups (FunctionDynamicGroups; matching rules are not modelled).
func (s *Server) functionRequester(principalID string) requester {
	return requester{principalType: principalTypeFunction, principalID: principalID, dynamicGroups: s.store.t.FunctionDynamicGroups}
}

// userRequester is a user of the Default domain (a user signing with an IAM API key is one,
// userprincipal.go) with the Default-domain groups they are a member of ("How Policies
// Work": a user gets access through the groups they belong to). Callers hold the store lock.
func (s *Server) userRequester(userOCID string) requester {
	domain := s.defaultDomainName()
	var groups []DynamicGroupRef
	for _, g := range s.userGroups(userOCID) {
		groups = append(groups, DynamicGroupRef{Domain: domain, Name: g.DisplayName, OCID: g.OCID})
	}
	return requester{principalType: principalTypeUser, principalID: userOCID, groups: groups}
}

// iamRequest is what a statement is evaluated against.
type iamRequest struct {
	op          string
	compartment string // the target compartment OCID
	who         requester
}

// authorizeIAM reports whether every permission the operation needs is granted to the
// requester. Unknown operations (404 anyway) are not checked.
func (s *Server) authorizeIAM(op string, r *http.Request, who requester) bool {
	need, ok := OperationPermissions[op]
	if !ok {
		return true
	}
	req := iamRequest{op: op, compartment: s.targetCompartment(op, r), who: who}
	for _, p := range need.Permissions {
		if !s.granted(req, p) {
			return false
		}
	}
	return true
}

// targetCompartment is the compartment a request acts in: compartmentId for list calls,
// the topic's compartment for PublishMessage, and the tenancy for users and groups (which
// live in the root compartment).
func (s *Server) targetCompartment(op string, r *http.Request) string {
	if op == OpPublishMessage {
		for _, tp := range s.store.t.Topics {
			if tp.ID == r.PathValue("topicId") {
				return tp.CompartmentID
			}
		}
		return s.tenancyID
	}
	if c := r.URL.Query().Get("compartmentId"); c != "" {
		return c
	}
	return s.tenancyID
}

// boundStatement is a parsed Allow statement with the compartment its policy is attached to.
type boundStatement struct {
	compartment string
	st          allowStatement
}

// parsePolicies parses the policies once (they change only through SetAuthorization) and
// keeps every Allow statement, whoever its subject. Other and malformed statements are
// skipped: OCI refuses a malformed one when the policy is written, so it grants nothing.
func parsePolicies(t *Tenancy) []boundStatement {
	var out []boundStatement
	for _, p := range t.Policies {
		for _, raw := range p.Statements {
			if st, err := parseStatement(raw); err == nil {
				out = append(out, boundStatement{p.CompartmentID, st})
			}
		}
	}
	return out
}

func (s *Server) granted(req iamRequest, perm string) bool {
	for _, b := range s.statements {
		st := b.st
		if !s.subjectCovers(st.subjects, req.who) {
			continue
		}
		if !s.locationCovers(b.compartment, st.location, req.compartment) {
			continue
		}
		if st.verb != "" {
			if !verbGrants(st.verb, st.resource, perm) {
				continue
			}
		} else if !slices.ContainsFunc(st.permissions, func(q string) bool { return strings.EqualFold(q, perm) }) {
			continue
		}
		if st.condition != nil && !st.condition.eval(s.requestVariables(req, perm)) {
			continue
		}
		return true
	}
	return false
}

// requestVariables are the general variables the emulator models ("General Variables for
// All Requests"); any other variable is absent, and a comparison on it is false.
func (s *Server) requestVariables(req iamRequest, perm string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		switch name {
		case "request.permission":
			return perm, true
		case "request.operation":
			return req.op, true
		case "request.principal.type":
			return req.who.principalType, true
		case "request.principal.id":
			return req.who.principalID, true
		case "request.user.id":
			// Only a user's request carries it; for a resource principal it is absent.
			return req.who.principalID, req.who.isUser()
		case "request.principal.compartment.id":
			return s.tenancyID, true
		}
		return "", false
	}
}

// subjectCovers: a statement's subject names the requester when it names one of its dynamic
// groups (a resource principal) or groups (a user), by domain-qualified name or OCID (an
// unqualified name is the Default domain's, "Policy Syntax"); any-user covers every
// principal, resource principals included; any-group covers users only.
func (s *Server) subjectCovers(subjects []stmtSubject, who requester) bool {
	for _, sub := range subjects {
		switch sub.kind {
		case subjectAnyUser:
			return true
		case subjectAnyGroup:
			if who.isUser() {
				return true
			}
		case subjectDynamicGroup:
			if s.namesOneOf(sub, who.dynamicGroups) {
				return true
			}
		case subjectGroup:
			if s.namesOneOf(sub, who.groups) {
				return true
			}
		}
	}
	return false
}

func (s *Server) namesOneOf(sub stmtSubject, refs []DynamicGroupRef) bool {
	domain := sub.domain
	if domain == "" {
		domain = s.defaultDomainName()
	}
	for _, g := range refs {
		if sub.ocid != "" && sub.ocid == g.OCID {
			return true
		}
		if sub.name != "" && strings.EqualFold(sub.name, g.Name) && strings.EqualFold(domain, g.Domain) {
			return true
		}
	}
	return false
}

// defaultDomainName is the display name of the tenancy's Default domain.
func (s *Server) defaultDomainName() string {
	for _, d := range s.store.t.Domains {
		if d.Type == DomainTypeDefault {
			return d.DisplayName
		}
	}
	return "Default"
}

// locationCovers: "in tenancy" covers every compartment (only in a policy attached to the
// root compartment); "in compartment X" covers X and its sub-compartments, where a path is
// relative to the policy's compartment ("Policy Syntax": a policy can only name its own
// compartment or those below it).
func (s *Server) locationCovers(policyComp string, loc stmtLocation, target string) bool {
	switch {
	case loc.tenancy:
		return policyComp == s.tenancyID
	case loc.ocid != "":
		return loc.ocid == target || s.isAncestor(loc.ocid, target)
	}
	cur := policyComp
	for _, seg := range loc.path {
		next := ""
		for _, c := range s.store.t.Compartments {
			if c.ParentID == cur && strings.EqualFold(c.Name, seg) {
				next = c.ID
			}
		}
		if next == "" {
			return false
		}
		cur = next
	}
	return cur == target || s.isAncestor(cur, target)
}

func (s *Server) isAncestor(anc, c string) bool {
	for range len(s.store.t.Compartments) + 1 {
		comp, ok := s.store.compByID[c]
		if !ok {
			return false
		}
		if comp.ParentID == anc {
			return true
		}
		c = comp.ParentID
	}
	return false
}

// validateAuthz checks the authorization fields of a fixture.
func validateAuthz(t *Tenancy, bad func(string, ...any)) {
	domains := map[string]bool{}
	for _, d := range t.Domains {
		domains[strings.ToLower(d.DisplayName)] = true
		for name, roles := range d.DynamicGroupRoles {
			if name == "" {
				bad("domain %q: dynamic group role entry without a name", d.ID)
			}
			for _, r := range roles {
				if !slices.Contains(KnownDomainRoles, r) {
					bad("domain %q: unknown domain role %q (known: %s)", d.ID, r, strings.Join(KnownDomainRoles, ", "))
				}
			}
		}
	}
	for _, dg := range t.FunctionDynamicGroups {
		if dg.Name == "" || !domains[strings.ToLower(dg.Domain)] {
			bad("function dynamic group %+v: empty name or unknown domain", dg)
		}
	}
}

// evalCondition parses and evaluates a where clause on its own; a syntax error is returned
// (a statement with one grants nothing).
func evalCondition(cond string, lookup func(string) (string, bool)) (bool, error) {
	c, err := parseCondition(cond)
	if err != nil {
		return false, err
	}
	return c.eval(lookup), nil
}
