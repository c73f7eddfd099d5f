package guard

import (
	"slices"
	"strings"

	"github.com/apikeyguard/admin-apikey-guard/internal/policy"
)

// Escalation paths: who can make themselves a tenancy administrator. Holding the key of such a
// user is as good as holding an administrator's key, so the guard reports every path it finds
// and, with INCLUDE_ESCALATION_ADMINS=true, treats the members of the groups behind the
// unconditional, documented paths as administrators. Every decision here is pure;
// escalation_test.go is the table, one named row per path and per look-alike that is not one.
//
// A path is a set of capabilities the same subject must hold in the whole tenancy (users,
// groups and policies live in the root compartment: a grant in a sub-compartment does not
// reach them). Each capability is the permission(s) an escalating request checks, with the
// operation that makes the request, so that a where clause can be decided for that request.
//
// Oracle sources, cited per path in pathRules[].Source:
//   - iamRef: "Details for IAM with Identity Domains", "Details for Verbs + Resource-Type
//     Combinations" and "Permissions Required for Each API Operation"
//     (https://docs.oracle.com/iaas/Content/Identity/policyreference/iampolicyreference.htm);
//     the same rows in "Details for IAM without Identity Domains"
//     (https://docs.oracle.com/iaas/Content/Identity/Reference/iampolicyreference.htm).
//   - commonRef: "Common Policies"
//     (https://docs.oracle.com/iaas/Content/Identity/policiescommon/commonpolicies.htm):
//     "Let the Help Desk manage users" (Allow group HelpDesk to manage users in tenancy:
//     "create, update, and delete users and their credentials") and "Let group admins manage
//     group membership" (use users and use groups in tenancy where target.group.name !=
//     'Administrators').
//   - usersRef: "Managing Users", Required Policy or Role: a member of the Administrators
//     group, the Identity Domain Administrator or Security Administrator role, or a member of
//     a group granted manage domains
//     (https://docs.oracle.com/iaas/Content/Identity/users/about-managing-users.htm).
//   - uploadRef: the IAM API's UploadApiKey: administrators with permission to the tenancy
//     "can use this operation to upload a key for any user"
//     (https://docs.oracle.com/iaas/api/#/en/identity/20160918/ApiKey/UploadApiKey).
//   - denyRef: "Deny Policies" (generally available 2025-11-20)
//     (https://docs.oracle.com/iaas/Content/Identity/policysyntax/denypolicies.htm).
//   - condRef: "Conditions" and "General Variables for All Requests" (request.operation,
//     request.permission) and the IAM variables target.group.name / target.group.id
//     (https://docs.oracle.com/iaas/Content/Identity/policysyntax/conditions.htm).

// The paths' names, as the report's escalation[].path spells them.
const (
	PathWritePolicy                = "write-policy"
	PathAddToAdministrators        = "add-to-administrators"
	PathCredentialForAdministrator = "credential-for-administrator"
	PathManageDomain               = "manage-domain"
	// Possible paths: Oracle documents the permission, not that it makes an administrator.
	PathRewriteDynamicGroup  = "rewrite-dynamic-group"
	PathMapIdentityProvider  = "map-identity-provider"
	PathDomainAdministerRole = "domain-role"
)

// checkedRequest is one authorization check an escalation makes: the operation and the
// permission checked (request.operation and request.permission in a condition). An empty
// operation means Oracle documents the verb, not the operation: every condition is then
// undecidable for it.
type checkedRequest struct{ operation, permission string }

// capability is what one statement must grant for one step of a path.
type capability struct {
	name     string
	resource string // the resource type the verb applies to
	verb     string // the least verb that grants it
	requests []checkedRequest
	// targetsGroup: the request names the group a user is added to (target.group.*), so a
	// condition that keeps the administrator groups out takes the step away.
	targetsGroup bool
}

var (
	// iamRef: policies — manage adds POLICY_CREATE, POLICY_UPDATE; CreatePolicy needs
	// POLICY_CREATE, UpdatePolicy POLICY_UPDATE.
	capWritePolicies = capability{name: "write policies", resource: "policies", verb: policy.VerbManage,
		requests: []checkedRequest{{"CreatePolicy", "POLICY_CREATE"}, {"UpdatePolicy", "POLICY_UPDATE"}}}
	// iamRef: users — use adds USER_UPDATE; AddUserToGroup needs USER_UPDATE and GROUP_UPDATE.
	capUpdateUsers = capability{name: "update users", resource: "users", verb: policy.VerbUse,
		requests: []checkedRequest{{"AddUserToGroup", "USER_UPDATE"}}, targetsGroup: true}
	// iamRef: groups — use adds GROUP_UPDATE.
	capUpdateGroups = capability{name: "update groups", resource: "groups", verb: policy.VerbUse,
		requests: []checkedRequest{{"AddUserToGroup", "GROUP_UPDATE"}}, targetsGroup: true}
	// iamRef: users — manage adds USER_APIKEY_ADD, USER_AUTHTOKEN_SET, USER_AUTHTOKEN_RESET,
	// USER_SECRETKEY_ADD, USER_UIPASS_SET, USER_UIPASS_RESET, USER_SWIFTPASS_SET,
	// USER_SWIFTPASS_RESET, USER_OAUTH2_CLIENT_CRED_CREATE: each adds a credential that signs in
	// or signs requests as the user. The operations are the IAM API's.
	capAddCredentials = capability{name: "add credentials to any user", resource: "users", verb: policy.VerbManage,
		requests: []checkedRequest{
			{"UploadApiKey", "USER_APIKEY_ADD"},
			{"CreateAuthToken", "USER_AUTHTOKEN_SET"}, {"UpdateAuthToken", "USER_AUTHTOKEN_RESET"},
			{"CreateCustomerSecretKey", "USER_SECRETKEY_ADD"},
			{"CreateOrResetUIPassword", "USER_UIPASS_RESET"}, {"CreateOrResetUIPassword", "USER_UIPASS_SET"},
			{"CreateSwiftPassword", "USER_SWIFTPASS_SET"}, {"UpdateSwiftPassword", "USER_SWIFTPASS_RESET"},
			{"CreateOAuthClientCredential", "USER_OAUTH2_CLIENT_CRED_CREATE"},
		}}
	// usersRef: "a member of a group granted manage domains" manages the domain's users.
	capManageDomains = capability{name: "manage domains", resource: "domains", verb: policy.VerbManage,
		requests: []checkedRequest{{}}}
	// iamRef: dynamic-groups — use adds DYNAMIC_GROUP_UPDATE (rewriting a matching rule).
	capUpdateDynamicGroups = capability{name: "update dynamic groups", resource: "dynamic-groups", verb: policy.VerbUse,
		requests: []checkedRequest{{"UpdateDynamicGroup", "DYNAMIC_GROUP_UPDATE"}}}
	// iamRef: identity-providers — manage (group mappings of an identity provider).
	capManageIdentityProviders = capability{name: "manage identity providers", resource: "identity-providers", verb: policy.VerbManage,
		requests: []checkedRequest{{}}}
)

// pathRule is one escalation path: the capabilities one subject must hold together.
type pathRule struct {
	path  string
	needs []capability
	// possible: Oracle documents the permissions, less firmly that they make an administrator;
	// such a path is reported, never enforced.
	possible bool
	source   string
}

// pathRules are the policy-based paths, in report order.
var pathRules = []pathRule{
	{path: PathWritePolicy, needs: []capability{capWritePolicies},
		source: "Details for IAM with/without Identity Domains: manage policies (POLICY_CREATE, POLICY_UPDATE); CreatePolicy, UpdatePolicy"},
	{path: PathAddToAdministrators, needs: []capability{capUpdateUsers, capUpdateGroups},
		source: "Details for IAM with/without Identity Domains: AddUserToGroup needs USER_UPDATE (use users) and GROUP_UPDATE (use groups); Common Policies: Let group admins manage group membership"},
	{path: PathCredentialForAdministrator, needs: []capability{capAddCredentials},
		source: "Details for IAM with/without Identity Domains: manage users (USER_APIKEY_ADD, USER_AUTHTOKEN_SET, USER_SECRETKEY_ADD, USER_UIPASS_RESET, …); UploadApiKey: \"upload a key for any user\"; Common Policies: Let the Help Desk manage users"},
	{path: PathManageDomain, needs: []capability{capManageDomains},
		source: "Managing Users, Required Policy or Role: a member of a group granted manage domains"},
	{path: PathRewriteDynamicGroup, needs: []capability{capUpdateDynamicGroups}, possible: true,
		source: "Details for IAM with Identity Domains: use dynamic-groups (DYNAMIC_GROUP_UPDATE): a matching rule decides which resources act as the dynamic group"},
	{path: PathMapIdentityProvider, needs: []capability{capManageIdentityProviders}, possible: true,
		source: "Details for IAM with Identity Domains: manage identity-providers (group mappings map an identity provider's group to a domain group)"},
}

// AdministratorsGroup is the group CIS OCI 1.12 names: the Default domain's Administrators. A
// condition must keep it out (as well as the configured groups) to take a membership path away.
const AdministratorsGroup = "Administrators"

// Notes on escalation findings.
const (
	NoteEscalationReportOnly  = "reported only: set INCLUDE_ESCALATION_ADMINS=true to enforce"
	NoteEscalationIncluded    = "enforced (INCLUDE_ESCALATION_ADMINS=true)"
	NoteEscalationConditional = "conditional: reported, never enforced"
	NoteEscalationPossible    = "possible: Oracle documents the permission, less firmly the path; reported, never enforced"
)

// grantStrength is how firmly one statement grants one capability.
type grantStrength int

const (
	grantsNothing     grantStrength = iota
	grantsConditional               // a where clause the guard cannot decide, or a matching deny
	grantsOutright
)

// contribution is the best statement found for one capability of one subject.
type contribution struct {
	strength  grantStrength
	policy    string
	statement string
	why       string // the condition, or the deny statement, that makes it conditional
}

// parsedStatement is one statement of a policy, parsed once.
type parsedStatement struct {
	policy string
	st     policy.Statement
}

// escalationPaths finds every path of pathRules in the policies: one finding per subject and
// path, with the statement(s) that grant it, conditional when a where clause cannot be decided
// or a deny statement matches. protected are the administrator groups a membership condition
// must keep out (AdministratorsGroup is always one). problems are the deny statements that do
// not parse (an unparsed allow statement is already reported by the administrator-grant scan).
func escalationPaths(pols []policy.Policy, tenancyOCID string, protected []GroupRef) (findings []EscalationFinding, problems []Problem) {
	var allows, denies []parsedStatement
	for _, pol := range pols {
		for i, raw := range pol.Statements {
			if policy.IsDeny(raw) {
				st, _, err := policy.ParseDeny(raw)
				if err != nil {
					problems = append(problems, unparsedDeny(&policy.StatementError{PolicyName: pol.Name, Index: i, Statement: raw, Err: err}))
					continue
				}
				denies = append(denies, parsedStatement{pol.Name, inTenancy(st, tenancyOCID)})
				continue
			}
			if st, err := policy.Parse(raw); err == nil && st.Allow {
				allows = append(allows, parsedStatement{pol.Name, inTenancy(st, tenancyOCID)})
			}
		}
	}
	facts := protectedFacts(protected)
	subjects, bySubject := subjectsOf(allows)
	for _, s := range subjects {
		for _, rule := range pathRules {
			if f, ok := pathFor(s, rule, bySubject[subjectKey(s)], denies, facts); ok {
				findings = append(findings, f)
			}
		}
	}
	return findings, problems
}

// pathFor decides one path for one subject: every capability must be granted by some
// statement naming the subject (allows are those statements); the path is conditional unless
// each is granted outright.
func pathFor(s policy.Subject, rule pathRule, allows, denies []parsedStatement, facts []map[string]string) (EscalationFinding, bool) {
	f := EscalationFinding{Subject: s.String(), Kind: string(s.Kind), Path: rule.path, Possible: rule.possible, Source: rule.source, subject: s}
	for i, c := range rule.needs {
		best := contribution{}
		for _, a := range allows {
			got := statementGrants(a, c, facts)
			if got.strength == grantsOutright {
				if d, denied := denyCovering(s, c, denies); denied {
					got.strength, got.why = grantsConditional, "deny statement: "+d
				}
			}
			if got.strength > best.strength {
				best = got
			}
		}
		if best.strength == grantsNothing {
			return EscalationFinding{}, false
		}
		if best.strength == grantsConditional {
			f.Conditional = true
			f.Why = joinWhy(f.Why, best.why)
		}
		if i == 0 {
			f.PolicyName, f.Statement = best.policy, best.statement
		} else if best.statement != f.Statement || best.policy != f.PolicyName {
			f.With = append(f.With, PolicyStatement{PolicyName: best.policy, Statement: best.statement})
		}
	}
	return f, true
}

// statementGrants decides how firmly one allow statement grants one capability: not at all
// outside the whole tenancy, below the capability's verb, for another resource type, for the
// tenancy-administrator grant (reported as policyAdminGroups), or when its where clause is
// false for every escalating request (Oracle's protective forms: an operation or permission
// list that adds no credential, a membership condition that keeps the administrator groups
// out); conditionally when the where clause cannot be decided; outright otherwise.
func statementGrants(a parsedStatement, c capability, facts []map[string]string) contribution {
	st := a.st
	if !st.Location.Tenancy || st.GrantsTenancyAdmin() || !grantsCapability(st, c) {
		return contribution{}
	}
	out := contribution{strength: grantsOutright, policy: a.policy, statement: st.Raw}
	if st.Condition == "" {
		return out
	}
	switch conditionAllows(st.Condition, c, facts) {
	case policy.False:
		return contribution{}
	case policy.Unknown:
		out.strength, out.why = grantsConditional, "where "+st.Condition
	}
	return out
}

// grantsCapability: a verb grants the capability on its resource type (or all-resources) from
// the capability's verb up; a permission list grants it when it names one of its permissions.
func grantsCapability(st policy.Statement, c capability) bool {
	if len(st.Permissions) > 0 {
		return slices.ContainsFunc(c.requests, func(r checkedRequest) bool {
			return r.permission != "" && slices.ContainsFunc(st.Permissions, func(p string) bool { return strings.EqualFold(p, r.permission) })
		})
	}
	return (st.Resource == c.resource || st.Resource == policy.ResourceAll) && verbRank(st.Verb) >= verbRank(c.verb)
}

// conditionAllows decides a where clause for the capability's escalating requests, each aimed
// at each protected group when the request names a group: true when it allows one of them,
// false when it allows none, unknown otherwise (including a condition the parser cannot read).
func conditionAllows(cond string, c capability, protected []map[string]string) policy.Truth {
	parsed, err := policy.ParseCondition(cond)
	if err != nil {
		return policy.Unknown
	}
	targets := []map[string]string{{}}
	if c.targetsGroup {
		targets = protected
	}
	out := policy.False
	for _, r := range c.requests {
		for _, t := range targets {
			facts := map[string]string{}
			if r.operation != "" {
				facts["request.operation"], facts["request.permission"] = r.operation, r.permission
			}
			for k, v := range t {
				facts[k] = v
			}
			out = max(out, parsed.Eval(facts))
		}
	}
	return out
}

// denyCovering finds a deny statement in the whole tenancy whose subjects include s (by name,
// or any-user, or any-group for a group) and whose resource type is the capability's (or
// all-resources), or whose permission list names one of its permissions. Its verb is not
// compared: the guard does not second-guess which permissions a deny takes away, it reports
// the path as conditional with the deny quoted.
func denyCovering(s policy.Subject, c capability, denies []parsedStatement) (string, bool) {
	for _, d := range denies {
		st := d.st
		if !st.Location.Tenancy {
			continue
		}
		covers := slices.ContainsFunc(st.Subjects, func(x policy.Subject) bool {
			return x.Kind == policy.KindAnyUser || (x.Kind == policy.KindAnyGroup && s.Kind == policy.KindGroup) || sameSubject(x, s)
		})
		if covers && grantsCapabilityIgnoringVerb(st, c) {
			return st.Raw, true
		}
	}
	return "", false
}

func grantsCapabilityIgnoringVerb(st policy.Statement, c capability) bool {
	if len(st.Permissions) > 0 {
		return grantsCapability(st, c)
	}
	return st.Resource == c.resource || st.Resource == policy.ResourceAll
}

// escalationDecisions decides what each finding means for enforcement: a conditional or
// possible path is reported only; a subject that is not a group of users (dynamic group,
// any-user, any-group, service) is reported only; a group already enforced (configured, or
// enforced this run for another reason: also) stays as it is; with include, any other group of
// an unconditional documented path is enforced (once, however many paths it has); without, it
// is reported only.
func escalationDecisions(findings []EscalationFinding, configured, also []GroupRef, include bool) (out []EscalationFinding, enforce []GroupRef) {
	enforced, added := enforcedNotes(configured, also), map[string]bool{}
	for _, f := range findings {
		ref := policyGroupRef(f.subject)
		switch k := refKey(ref); {
		case f.Possible:
			f.Note = NoteEscalationPossible
		case f.Conditional:
			f.Note = NoteEscalationConditional
		case f.Kind != string(policy.KindGroup):
			f.Note = NoteNotAGroup
		case enforced[k] != "":
			f.Enforced, f.Note = true, enforced[k]
		case include:
			f.Enforced, f.Note = true, NoteEscalationIncluded
			if !added[k] {
				added[k] = true
				enforce = append(enforce, ref)
			}
		default:
			f.Note = NoteEscalationReportOnly
		}
		out = append(out, f)
	}
	return out, enforce
}

// NoteAlreadyEnforced is the note of a path whose group is an administrator group of the run
// for another reason (a policy-admin group, another path).
const NoteAlreadyEnforced = "enforced (an administrator group of this run for another reason)"

// enforcedNotes maps the groups already enforced to the note a path of theirs gets.
func enforcedNotes(configured, also []GroupRef) map[string]string {
	out := map[string]string{}
	for _, g := range also {
		out[refKey(g)] = NoteAlreadyEnforced
	}
	for _, g := range configured {
		out[refKey(g)] = NoteConfigured
	}
	return out
}

// unparsedDeny is the warning for a deny statement the parser did not understand: a path it
// might take away is then reported as the allow statements make it.
func unparsedDeny(err error) Problem {
	return Problem{Stage: "policy", Message: "deny statement not understood, so escalation paths were reported without it: " + err.Error()}
}

// inTenancy reads "in compartment id <tenancy OCID>" as "in tenancy": the root compartment.
func inTenancy(st policy.Statement, tenancyOCID string) policy.Statement {
	if tenancyOCID != "" && st.Location.CompartmentID == tenancyOCID {
		st.Location = policy.Location{Tenancy: true}
	}
	return st
}

// protectedFacts are the target.group.* facts of each administrator group: AdministratorsGroup
// and the configured groups (by name, by OCID, or, once resolved, by both: one group whose name
// and id a condition may test either, issue 24, 2.8).
func protectedFacts(protected []GroupRef) []map[string]string {
	out := []map[string]string{{"target.group.name": AdministratorsGroup}}
	for _, g := range protected {
		facts := map[string]string{}
		if g.OCID != "" {
			facts["target.group.id"] = g.OCID
		}
		if g.Name != "" && (g.OCID != "" || !strings.EqualFold(g.Name, AdministratorsGroup) || g.Domain != "") {
			facts["target.group.name"] = g.Name
		}
		if len(facts) > 0 {
			out = append(out, facts)
		}
	}
	return out
}

// subjectsOf lists every subject of the allow statements once, in order of appearance, and
// the statements naming each (by subjectKey).
func subjectsOf(allows []parsedStatement) ([]policy.Subject, map[string][]parsedStatement) {
	var out []policy.Subject
	by := map[string][]parsedStatement{}
	for _, a := range allows {
		for _, s := range a.st.Subjects {
			k := subjectKey(s)
			if _, seen := by[k]; !seen {
				out = append(out, s)
			}
			if n := len(by[k]); n == 0 || by[k][n-1].st.Raw != a.st.Raw || by[k][n-1].policy != a.policy {
				by[k] = append(by[k], a)
			}
		}
	}
	return out, by
}

// subjectKey identifies a subject as OCI compares them: kinds exactly, names and domains
// case-insensitively, an unqualified name as the Default domain's.
func subjectKey(s policy.Subject) string {
	domain := strings.ToLower(s.Domain)
	if s.InDefaultDomain() {
		domain = ""
	}
	return string(s.Kind) + "\x00" + domain + "\x00" + strings.ToLower(s.Name) + "\x00" + s.OCID
}

func sameSubject(a, b policy.Subject) bool { return subjectKey(a) == subjectKey(b) }

func verbRank(v string) int {
	return slices.Index([]string{policy.VerbInspect, policy.VerbRead, policy.VerbUse, policy.VerbManage}, v)
}

func joinWhy(a, b string) string {
	if a == "" || a == b {
		return b
	}
	return a + "; " + b
}
