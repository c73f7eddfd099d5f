// Package permissions is the single source of truth for the IAM policy
// statements the function's dynamic group needs. The function's
// "probably a missing policy" hints, the deploy README and the Terraform
// stack are all checked against this list, so it cannot drift from them.
package permissions

import "strings"

// Feature groups statements by the configuration that makes them necessary.
type Feature string

const (
	// FeatureCore statements are needed by every deployment.
	FeatureCore Feature = "core"
	// FeatureDisableCapability statements are needed when
	// DISABLE_API_KEY_CAPABILITY=true.
	FeatureDisableCapability Feature = "disable-api-key-capability"
	// FeatureNotifications statements are needed when NOTIFICATION_TOPIC_ID
	// is set.
	FeatureNotifications Feature = "notifications"
)

// Operation names as the function reports them. IAM and ONS calls use the
// OCI API operation name; Identity Domains (SCIM) calls are prefixed with
// "scim." because they are not IAM API operations.
const (
	OpListDomains      = "ListDomains"
	OpListPolicies     = "ListPolicies"
	OpListCompartments = "ListCompartments"
	OpSCIMListGroups   = "scim.ListGroups"
	OpSCIMListUsers    = "scim.ListUsers"
	OpSCIMListApiKeys  = "scim.ListApiKeys"
	OpSCIMDeleteApiKey = "scim.DeleteApiKey"
	OpSCIMPatchUser    = "scim.PatchUser"
	OpPublishMessage   = "PublishMessage"
)

// Operations lists every OCI operation the function calls.
func Operations() []string {
	return []string{
		OpListDomains, OpListPolicies, OpListCompartments,
		OpSCIMListGroups, OpSCIMListUsers, OpSCIMListApiKeys, OpSCIMDeleteApiKey,
		OpSCIMPatchUser, OpPublishMessage,
	}
}

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
	// Why is one sentence for operators reading the README.
	Why string
	// Operations are the calls this statement authorizes (see Op*).
	Operations []string
}

// Features selects the optional behaviours that need extra statements.
type Features struct {
	DisableCapability bool
	Notifications     bool
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

// Required returns the statements a deployment with features f needs:
// the core ones, plus those of each enabled feature, in All() order.
func Required(f Features) []Statement {
	var out []Statement
	for _, s := range All() {
		switch s.Feature {
		case FeatureCore:
		case FeatureDisableCapability:
			if !f.DisableCapability {
				continue
			}
		case FeatureNotifications:
			if !f.Notifications {
				continue
			}
		default:
			continue
		}
		out = append(out, s)
	}
	return out
}

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

// ForOperation returns the statement that authorizes op, so that an
// authorization failure can name the statement that is probably missing.
func ForOperation(op string) (Statement, bool) {
	for _, s := range All() {
		for _, o := range s.Operations {
			if o == op {
				return s, true
			}
		}
	}
	return Statement{}, false
}
