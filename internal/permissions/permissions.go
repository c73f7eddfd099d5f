package permissions

import (
	"fmt"
	"slices"
	"strings"
)

// Feature groups statements by the configuration that makes them necessary.
type Feature string

const (
	// FeatureCore statements are needed by every deployment.
	FeatureCore Feature = "core"
	// FeatureIAM statements are needed when any group goes through the IAM API
	// (IDENTITY_API=auto or iam).
	FeatureIAM Feature = "iam"
	// FeatureDomains statements are needed when identity domains must be looked up: any group
	// through SCIM, a secondary-domain group, or policy-derived groups.
	FeatureDomains Feature = "domains"
	// FeatureSubCompartments statements are needed when secondary domains may be involved:
	// they can live in sub-compartments.
	FeatureSubCompartments Feature = "sub-compartments"
	// FeatureDisableCapability statements are needed when DISABLE_API_KEY_CAPABILITY=true
	// and the IAM API serves the Default domain.
	FeatureDisableCapability Feature = "disable-api-key-capability"
	// FeatureNotifications statements are needed when NOTIFICATION_TOPIC_ID is set.
	FeatureNotifications Feature = "notifications"
)

// IdentityAPI values (the IDENTITY_API configuration key).
const (
	APIAuto = "auto"
	APIIAM  = "iam"
	APISCIM = "scim"
)

// Operation names as the function reports and counts them. IAM and ONS calls use the OCI API
// operation name; Identity Domains (SCIM) calls are prefixed with "scim." because they are
// not IAM API operations (the emulator counts with the same names).
const (
	OpListDomains      = "ListDomains"
	OpListPolicies     = "ListPolicies"
	OpListCompartments = "ListCompartments"
	OpPublishMessage   = "PublishMessage"

	// IAM family (identity package of the SDK).
	OpListGroups               = "ListGroups"
	OpGetGroup                 = "GetGroup"
	OpListUserGroupMemberships = "ListUserGroupMemberships"
	OpGetUser                  = "GetUser"
	OpListApiKeys              = "ListApiKeys"
	OpDeleteApiKey             = "DeleteApiKey"
	OpUpdateUserCapabilities   = "UpdateUserCapabilities"
	// OpListRegionSubscriptions finds the home region, where IAM writes must go.
	OpListRegionSubscriptions = "ListRegionSubscriptions"

	// SCIM family (identitydomains package of the SDK).
	OpSCIMListGroups    = "scim.ListGroups"
	OpSCIMListUsers     = "scim.ListUsers"
	OpSCIMSearchApiKeys = "scim.SearchApiKeys"
	OpSCIMDeleteApiKey  = "scim.DeleteApiKey"
	OpSCIMPatchUser     = "scim.PatchUser"

	opSCIMPrefix = "scim."
)

// Operations lists every OCI operation the function calls.
func Operations() []string {
	return append([]string{
		OpListDomains, OpListPolicies, OpListCompartments, OpPublishMessage,
		OpListGroups, OpGetGroup, OpListUserGroupMemberships, OpGetUser, OpListApiKeys, OpDeleteApiKey, OpUpdateUserCapabilities, OpListRegionSubscriptions,
		OpSCIMListGroups, OpSCIMListUsers, OpSCIMSearchApiKeys, OpSCIMDeleteApiKey, OpSCIMPatchUser,
	}, append(credentialOperations(), roleOperations()...)...)
}

// IsSCIM says whether op is an Identity Domains (SCIM) operation, authorized by a domain role.
func IsSCIM(op string) bool { return strings.HasPrefix(op, opSCIMPrefix) }

// Placeholders that may appear in a Statement's Template.
const (
	PlaceholderDynamicGroup     = "{{dg}}"
	PlaceholderTopicCompartment = "{{topic_compartment}}"
	PlaceholderTopicID          = "{{topic_id}}"
)

// Statement is one IAM policy statement with the reason it exists.
type Statement struct {
	Feature Feature
	// Template is the statement text with placeholders (see Placeholder*).
	Template string
	// Why is one sentence for operators reading docs/authorization.md.
	Why string
	// Source names the Oracle page the permissions come from.
	Source string
	// Operations are the calls this statement authorizes (see Op*).
	Operations []string
}

// Features selects what a deployment does, and so what it must be granted.
type Features struct {
	// IdentityAPI is APIAuto (default when empty), APIIAM or APISCIM.
	IdentityAPI string
	// SecondaryDomains: ADMIN_GROUPS names a group outside the Default domain, or
	// INCLUDE_POLICY_ADMINS=true or INCLUDE_ESCALATION_ADMINS=true (a policy may name any
	// domain's group).
	SecondaryDomains  bool
	DisableCapability bool
	Notifications     bool
	// Credentials are the credential kinds beyond API keys that are deleted
	// (ADMIN_CREDENTIALS; Kind* constants); API keys always are.
	Credentials []string
	// DisableCapabilities are the kinds whose capability is switched off
	// (DISABLE_CAPABILITIES); any one needs UpdateUserCapabilities, like DisableCapability.
	DisableCapabilities []string
}

func (f Features) api() string {
	if f.IdentityAPI == "" {
		return APIAuto
	}
	return f.IdentityAPI
}

// UsesIAM says whether the IAM API serves the Default domain's groups.
func (f Features) UsesIAM() bool { return f.api() != APISCIM }

// UsesSCIM says whether some group goes through the Identity Domains API.
func (f Features) UsesSCIM() bool {
	return f.api() == APISCIM || (f.api() == APIAuto && f.SecondaryDomains)
}

// Vars are the values substituted into templates by Render.
type Vars struct {
	// DynamicGroup is inserted verbatim after "dynamic-group": a name
	// ("admin-apikey-guard"), a domain-qualified name
	// ("'Default'/'admin-apikey-guard'") or "id ocid1.dynamicgroup...".
	DynamicGroup string
	// TopicCompartment is the OCID of the compartment holding the ONS topic.
	TopicCompartment string
	// TopicID is the OCID of the ONS topic.
	TopicID string
}

// All returns every statement, in the order they should be written.
func All() []Statement {
	out := make([]Statement, len(statements))
	for i, s := range statements {
		s.Operations = append([]string(nil), s.Operations...)
		out[i] = s
	}
	return out
}

// Required returns the IAM policy statements a deployment with features f needs, in All()
// order: nothing it could do without, so that each one is shown necessary by a test.
func Required(f Features) []Statement {
	var out []Statement
	for _, s := range All() {
		if needed(s.Feature, f) {
			out = append(out, s)
		}
	}
	return out
}

func needed(feature Feature, f Features) bool {
	if need, isKind := credentialFeatureNeeded(feature, f); isKind {
		return need
	}
	switch feature {
	case FeatureCore:
		return true
	case FeatureIAM:
		return f.UsesIAM()
	case FeatureDomains:
		return f.UsesSCIM() || f.SecondaryDomains
	case FeatureSubCompartments:
		return f.SecondaryDomains
	case FeatureDisableCapability:
		return f.disablesAny() && f.UsesIAM()
	case FeatureNotifications:
		return f.Notifications
	}
	return false
}

// DomainRoleNeeded says whether the dynamic group needs DomainRole in the identity domains
// that the SCIM family serves.
func DomainRoleNeeded(f Features) bool { return f.UsesSCIM() }

// Render substitutes v into every statement's template.
func Render(stmts []Statement, v Vars) []string {
	r := strings.NewReplacer(
		PlaceholderDynamicGroup, v.DynamicGroup,
		PlaceholderTopicCompartment, v.TopicCompartment,
		PlaceholderTopicID, v.TopicID,
	)
	out := make([]string, len(stmts))
	for i, s := range stmts {
		out[i] = r.Replace(s.Template)
	}
	return out
}

// ForOperation returns the statements that an IAM or ONS operation needs (an operation that
// checks permissions of two resource types needs both), so that an authorization failure can
// name what is probably missing. SCIM operations have no statement: see DomainRole.
func ForOperation(op string) []Statement {
	var out []Statement
	for _, s := range All() {
		if slices.Contains(s.Operations, op) {
			out = append(out, s)
		}
	}
	return out
}

// MissingGrant names, for a refused operation, the grant that is probably missing in the
// words an operator acts on: the policy statement (IAM family, ONS) or the domain role (SCIM
// family). domain is the identity domain's display name, when known.
func MissingGrant(op, domain string) (string, bool) {
	if IsSCIM(op) {
		if domain == "" {
			domain = "the identity domain"
		} else {
			domain = fmt.Sprintf("identity domain %q", domain)
		}
		return fmt.Sprintf("the domain role %q for the function's dynamic group in %s (Identity Domains API, IDENTITY_API=%s path; see docs/authorization.md)",
			DomainRole.Name, domain, APISCIM), true
	}
	sts := ForOperation(op)
	if len(sts) == 0 {
		return "", false
	}
	what := "the policy statement: "
	if len(sts) > 1 {
		what = "one of the policy statements: "
	}
	return what + strings.Join(Render(sts, Vars{DynamicGroup: "<your-dynamic-group>",
		TopicCompartment: "<topic-compartment>", TopicID: "<topic-ocid>"}), " | "), true
}
