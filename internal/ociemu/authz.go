package ociemu

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/apikeyguard/admin-apikey-guard/internal/policy"
)

// IAM authorization: every IAM and Notifications request of the resource principal is
// evaluated against the tenancy's policies for the function's dynamic groups, the way OCI
// documents it. This model is deliberately independent of internal/permissions (the
// product's own list of statements): the least-privilege tests compare the two.
//
// Sources:
//   - operation → permissions: "Details for IAM with Identity Domains", section
//     "Permissions Required for Each API Operation",
//     https://docs.oracle.com/iaas/Content/Identity/policyreference/iampolicyreference.htm
//   - verb → permissions per resource type: the same page, "Details for Verbs +
//     Resource-Type Combinations" (inspect ⊂ read ⊂ use ⊂ manage, cumulative);
//   - PublishMessage: "Details for Notifications", ons-topics: use = READ + ONS_TOPIC_PUBLISH,
//     https://docs.oracle.com/iaas/Content/Identity/policyreference/notificationpolicyreference.htm
//   - conditions: "Conditions" / "General Variables for All Requests"
//     (request.permission, request.operation, request.principal.*; any {…}, all {…}),
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

// OperationPermissions is the table the emulator enforces: every permission listed must be
// granted for the operation to be allowed.
//
// | Operation                | Permissions                        | Source                               |
// |--------------------------|------------------------------------|--------------------------------------|
// | ListDomains              | DOMAIN_INSPECT                     | iampolicyreference.htm               |
// | ListCompartments         | COMPARTMENT_INSPECT                | iampolicyreference.htm               |
// | ListPolicies             | POLICY_READ                        | iampolicyreference.htm               |
// | ListGroups, GetGroup     | GROUP_INSPECT                      | iampolicyreference.htm               |
// | ListUsers, GetUser       | USER_INSPECT                       | iampolicyreference.htm               |
// | ListUserGroupMemberships | GROUP_INSPECT and USER_INSPECT     | iampolicyreference.htm               |
// | ListApiKeys              | USER_READ                          | iampolicyreference.htm               |
// | DeleteApiKey             | USER_UPDATE and USER_APIKEY_REMOVE | iampolicyreference.htm               |
// | UpdateUserCapabilities   | USER_UPDATE and USER_UNBLOCK       | ASSUMPTION (not in Oracle's table)   |
// | PublishMessage           | ONS_TOPIC_PUBLISH                  | notificationpolicyreference.htm      |
// | ListRegionSubscriptions  | TENANCY_INSPECT                    | iampolicyreference.htm (tenancies)   |
// | ListAuthTokens, ListCustomerSecretKeys, ListOAuthClientCredentials, ListDbCredentials | USER_READ | iampolicyreference.htm (List… of a user's credentials, as ListApiKeys) |
// | ListSmtpCredentials      | CREDENTIAL_INSPECT                 | iampolicyreference.htm, credentials  |
// | DeleteSmtpCredential     | CREDENTIAL_REMOVE                  | iampolicyreference.htm, credentials  |
// | DeleteAuthToken          | USER_UPDATE and USER_AUTHTOKEN_REMOVE | iampolicyreference.htm            |
// | DeleteCustomerSecretKey  | USER_UPDATE and USER_SECRETKEY_REMOVE | iampolicyreference.htm            |
// | DeleteOAuthClientCredential | USER_UPDATE and USER_OAUTH2_CLIENT_CRED_REMOVE | iampolicyreference.htm |
// | DeleteDbCredential       | USER_UPDATE and USER_UNBLOCK       | ASSUMPTION (no DB credential permission in the verb table) |
//
// SMTP credentials: "The credentials resource type refers to only the SMTP credentials"
// (iampolicyreference.htm, credentials), so manage users does not reach them.
//
// DeleteDbCredential: the verb table names no permission for DB credentials, so the
// emulator requires USER_UPDATE plus a manage-only permission, as for
// UpdateUserCapabilities: "use users" is not enough (an assumption, at least as strict as
// the removal permissions Oracle documents for the other kinds).
//
// UpdateUserCapabilities is absent from Oracle's operation table. Oracle's CIS landing zone
// grants it under "manage users … where request.operation='UpdateUserCapabilities'", so
// `manage users` suffices; the emulator requires USER_UPDATE plus a manage-only permission,
// USER_UNBLOCK, by analogy with UpdateUserState (the documented operation that changes a
// user's security state). `use users` is therefore not enough here: an assumption.
var OperationPermissions = map[string][]string{
	OpListDomains:              {PermDomainInspect},
	OpListCompartments:         {PermCompartmentInspect},
	OpListPolicies:             {PermPolicyRead},
	OpListGroups:               {PermGroupInspect},
	OpGetGroup:                 {PermGroupInspect},
	OpListUsers:                {PermUserInspect},
	OpGetUser:                  {PermUserInspect},
	OpListUserGroupMemberships: {PermGroupInspect, PermUserInspect},
	OpListApiKeys:              {PermUserRead},
	OpDeleteApiKey:             {PermUserUpdate, PermUserAPIKeyRemove},
	OpUpdateUserCapabilities:   {PermUserUpdate, PermUserUnblock},
	OpPublishMessage:           {PermONSTopicPublish},
	// "Details for IAM with Identity Domains", tenancies: ListRegionSubscriptions needs
	// TENANCY_INSPECT.
	OpListRegionSubscriptions: {PermTenancyInspect},

	OpListAuthTokens:              {PermUserRead},
	OpListCustomerSecretKeys:      {PermUserRead},
	OpListSmtpCredentials:         {PermCredentialInspect},
	OpListOAuthClientCredentials:  {PermUserRead},
	OpListDbCredentials:           {PermUserRead},
	OpDeleteAuthToken:             {PermUserUpdate, PermUserAuthTokenRemove},
	OpDeleteCustomerSecretKey:     {PermUserUpdate, PermUserSecretKeyRemove},
	OpDeleteOAuthClientCredential: {PermUserUpdate, PermUserOAuth2CredRemove},
	OpDeleteSmtpCredential:        {PermCredentialRemove},
	OpDeleteDbCredential:          {PermUserUpdate, PermUserUnblock},
}

// verbPermissions is "Details for Verbs + Resource-Type Combinations" (iampolicyreference.htm
// and notificationpolicyreference.htm), cumulative from inspect to manage.
var verbPermissions = map[string][4][]string{
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
	"groups": {{"GROUP_INSPECT"}, nil, {"GROUP_UPDATE"}, {"GROUP_CREATE", "GROUP_DELETE"}},
	// "The credentials resource type refers to only the SMTP credentials".
	"credentials":  {{"CREDENTIAL_INSPECT"}, nil, nil, {"CREDENTIAL_ADD", "CREDENTIAL_UPDATE", "CREDENTIAL_REMOVE"}},
	"domains":      {{"DOMAIN_INSPECT"}, {"DOMAIN_READ", "DOMAIN_LICENSETYPE_READ"}, {"DOMAIN_UPDATE", "IAM_WORKREQUEST_READ"}, {"DOMAIN_CREATE", "DOMAIN_DELETE", "DOMAIN_MOVE", "DOMAIN_REPLICATE", "DOMAIN_ACTIVATE", "DOMAIN_DEACTIVATE"}},
	"compartments": {{"COMPARTMENT_INSPECT"}, nil, {"COMPARTMENT_UPDATE"}, {"COMPARTMENT_CREATE", "COMPARTMENT_DELETE", "COMPARTMENT_RECOVER"}},
	"policies":     {{"POLICY_READ"}, nil, nil, {"POLICY_UPDATE", "POLICY_CREATE", "POLICY_DELETE"}},
	// tenancies (iampolicyreference.htm): inspect = TENANCY_INSPECT; manage adds TENANCY_UPDATE.
	"tenancies":  {{PermTenancyInspect}, nil, nil, {"TENANCY_UPDATE"}},
	"ons-topics": {{"ONS_TOPIC_INSPECT"}, {"ONS_TOPIC_READ"}, {"ONS_TOPIC_PUBLISH", "ONS_TOPIC_SUBSCRIBE"}, {"ONS_TOPIC_CREATE", "ONS_TOPIC_MOVE", "ONS_TOPIC_UPDATE", "ONS_TOPIC_DELETE"}},
}

// families are the aggregate resource types that cover the ones above.
var families = map[string][]string{
	"notification-family": {"ons-topics"}, // Details for Notifications: ons-topics + ons-subscriptions
}

var verbRank = map[string]int{policy.VerbInspect: 0, policy.VerbRead: 1, policy.VerbUse: 2, policy.VerbManage: 3}

// grants reports whether a verb on a resource type covers perm.
func verbGrants(verb, resource, perm string) bool {
	if resource == policy.ResourceAll {
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

// iamRequest is what a statement is evaluated against.
type iamRequest struct {
	op          string
	compartment string // the target compartment OCID
	caller      caller
	statements  []boundStatement // the Allow statements whose subject includes the caller
}

// authorizeIAM reports whether every permission the operation needs is granted to the caller:
// the function through one of its dynamic groups, a user through one of their groups
// (userprincipal.go). Unknown operations (404 anyway) are not checked.
func (s *Server) authorizeIAM(op string, r *http.Request, c caller) bool {
	perms, ok := OperationPermissions[op]
	if !ok {
		return true
	}
	req := iamRequest{op: op, compartment: s.targetCompartment(op, r), caller: c, statements: s.statements}
	if c.User {
		req.statements = functionStatements(s.store.t, s.subjectIncludesUser(c.ID))
	}
	for _, p := range perms {
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

// boundStatement is a parsed statement with the compartment its policy is attached to.
type boundStatement struct {
	compartment string
	st          policy.Statement
}

// functionStatements parses the policies once (they never change) and keeps the Allow
// statements whose subject includes the function. Unparsable statements are skipped: OCI
// refuses them when the policy is written, so they grant nothing.
func functionStatements(t *Tenancy, isFunction func([]policy.Subject) bool) []boundStatement {
	var out []boundStatement
	for _, p := range t.Policies {
		for _, raw := range p.Statements {
			st, err := policy.Parse(raw)
			if err == nil && st.Allow && isFunction(st.Subjects) {
				out = append(out, boundStatement{p.CompartmentID, st})
			}
		}
	}
	return out
}

func (s *Server) granted(req iamRequest, perm string) bool {
	for _, b := range req.statements {
		st := b.st
		if !s.locationCovers(b.compartment, st.Location, req.compartment) {
			continue
		}
		if st.Verb != "" {
			if !verbGrants(st.Verb, st.Resource, perm) {
				continue
			}
		} else if !slices.ContainsFunc(st.Permissions, func(q string) bool { return strings.EqualFold(q, perm) }) {
			continue
		}
		if st.Condition != "" {
			ok, err := evalCondition(st.Condition, func(name string) (string, bool) {
				switch strings.ToLower(name) {
				case "request.permission":
					return perm, true
				case "request.operation":
					return req.op, true
				case "request.principal.type":
					return req.caller.principalType(), true
				case "request.principal.id":
					return req.caller.ID, true
				case "request.user.id":
					return req.caller.ID, req.caller.User
				case "request.principal.compartment.id":
					return s.tenancyID, true
				}
				return "", false
			})
			if err != nil || !ok {
				continue
			}
		}
		return true
	}
	return false
}

// subjectIsFunction: a dynamic group the function belongs to (by domain-qualified name or
// OCID; an unqualified name is the Default domain's), or any-user, which the policy syntax
// page documents as covering every principal, resource principals included.
func (s *Server) subjectIsFunction(subjects []policy.Subject) bool {
	for _, sub := range subjects {
		switch sub.Kind {
		case policy.KindAnyUser:
			return true
		case policy.KindDynamicGroup:
			for _, dg := range s.store.t.FunctionDynamicGroups {
				if sub.OCID != "" && sub.OCID == dg.OCID {
					return true
				}
				domain := sub.Domain
				if domain == "" {
					domain = policy.DefaultDomain
				}
				if sub.Name != "" && strings.EqualFold(sub.Name, dg.Name) && strings.EqualFold(domain, dg.Domain) {
					return true
				}
			}
		}
	}
	return false
}

// subjectIncludesUser: a group of the Default domain the user is a member of (by OCID, or by
// name, unqualified or "Default/"-qualified), or any-user ("Policy Syntax": any-user covers
// every user). The user signs with an IAM API key, so they are a Default-domain user.
func (s *Server) subjectIncludesUser(userOCID string) func([]policy.Subject) bool {
	return func(subjects []policy.Subject) bool {
		groups := s.userGroups(userOCID)
		for _, sub := range subjects {
			switch sub.Kind {
			case policy.KindAnyUser:
				return true
			case policy.KindGroup:
				for _, g := range groups {
					if sub.OCID != "" && sub.OCID == g.OCID || sub.OCID == "" && sub.InDefaultDomain() && strings.EqualFold(sub.Name, g.DisplayName) {
						return true
					}
				}
			}
		}
		return false
	}
}

// locationCovers: "in tenancy" covers every compartment (only in a policy attached to the
// root compartment); "in compartment X" covers X and its sub-compartments, where a path is
// relative to the policy's compartment ("Policy Syntax": a policy can only name its own
// compartment or those below it).
func (s *Server) locationCovers(policyComp string, loc policy.Location, target string) bool {
	switch {
	case loc.Tenancy:
		return policyComp == s.tenancyID
	case loc.CompartmentID != "":
		return loc.CompartmentID == target || s.isAncestor(loc.CompartmentID, target)
	}
	cur := policyComp
	for seg := range strings.SplitSeq(loc.Compartment, ":") {
		next := ""
		for _, c := range s.store.t.Compartments {
			if c.ParentID == cur && strings.EqualFold(c.Name, strings.TrimSpace(seg)) {
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

// evalCondition evaluates a where clause: comparisons "var = 'v'" / "var != 'v'" and
// any {…} / all {…} groups, nested. A variable the request does not carry makes its
// comparison false ("Conditions": a condition on a variable that is not applicable to the
// request evaluates to false), so an unknown variable never widens a grant. String values
// compare case-insensitively. A syntax error is returned (the statement then grants nothing).
func evalCondition(cond string, lookup func(string) (string, bool)) (bool, error) {
	p := &condParser{src: cond}
	v, err := p.expr(lookup)
	if err != nil {
		return false, err
	}
	p.space()
	if p.pos != len(p.src) {
		return false, fmt.Errorf("condition: unexpected %q", p.src[p.pos:])
	}
	return v, nil
}

type condParser struct {
	src string
	pos int
}

func (p *condParser) space() {
	for p.pos < len(p.src) && strings.ContainsRune(" \t\r\n", rune(p.src[p.pos])) {
		p.pos++
	}
}

func (p *condParser) word() string {
	p.space()
	start := p.pos
	for p.pos < len(p.src) && !strings.ContainsRune(" \t\r\n{},=!'\"", rune(p.src[p.pos])) {
		p.pos++
	}
	return p.src[start:p.pos]
}

func (p *condParser) expect(c byte) error {
	p.space()
	if p.pos >= len(p.src) || p.src[p.pos] != c {
		return fmt.Errorf("condition: want %q at %d", c, p.pos)
	}
	p.pos++
	return nil
}

func (p *condParser) expr(lookup func(string) (string, bool)) (bool, error) {
	save := p.pos
	w := p.word()
	if lw := strings.ToLower(w); lw == "any" || lw == "all" {
		if err := p.expect('{'); err == nil {
			result := lw == "all"
			for {
				v, err := p.expr(lookup)
				if err != nil {
					return false, err
				}
				if lw == "any" {
					result = result || v
				} else {
					result = result && v
				}
				p.space()
				if p.pos < len(p.src) && p.src[p.pos] == ',' {
					p.pos++
					continue
				}
				return result, p.expect('}')
			}
		}
		p.pos = save
		w = p.word()
	}
	if w == "" {
		return false, fmt.Errorf("condition: want a variable at %d", p.pos)
	}
	p.space()
	neg := false
	if strings.HasPrefix(p.src[p.pos:], "!=") {
		neg = true
		p.pos += 2
	} else if err := p.expect('='); err != nil {
		return false, err
	}
	p.space()
	var val string
	if p.pos < len(p.src) && (p.src[p.pos] == '\'' || p.src[p.pos] == '"') {
		q := p.src[p.pos]
		end := strings.IndexByte(p.src[p.pos+1:], q)
		if end < 0 {
			return false, fmt.Errorf("condition: unterminated string")
		}
		val = p.src[p.pos+1 : p.pos+1+end]
		p.pos += end + 2
	} else if val = p.word(); val == "" {
		return false, fmt.Errorf("condition: want a value at %d", p.pos)
	}
	got, ok := lookup(w)
	if !ok {
		return false, nil
	}
	return strings.EqualFold(got, val) != neg, nil
}
