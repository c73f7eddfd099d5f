package guard

import "github.com/apikeyguard/admin-apikey-guard/internal/policy"

// EscalationFinding is one subject that can make itself a tenancy administrator, and how: one
// finding per subject and path (escalation.go). The report lists them under "escalation".
type EscalationFinding struct {
	// Subject is as the statement (or, for a domain role, the grant) names it.
	Subject string `json:"subject"`
	Kind    string `json:"kind"` // group, dynamic-group, any-user, any-group, service; User, Group, App for a role
	Path    string `json:"path"`
	// Possible: Oracle documents the permission, less firmly that it makes an administrator.
	Possible   bool   `json:"possible,omitempty"`
	PolicyName string `json:"policy,omitempty"`
	Statement  string `json:"statement,omitempty"`
	// With are the other statements the path needs (add-to-administrators: use users and use
	// groups may be granted by two statements).
	With []PolicyStatement `json:"with,omitempty"`
	// Grant names the domain-role grant behind a domain-role path.
	Grant string `json:"grant,omitempty"`
	// Conditional: a where clause the guard cannot decide, or a matching deny statement (Why
	// quotes it), may take the path away; a conditional path is never enforced.
	Conditional bool   `json:"conditional"`
	Why         string `json:"why,omitempty"`
	Enforced    bool   `json:"enforced"`
	Note        string `json:"note,omitempty"`
	// Source is the Oracle documentation the path rests on.
	Source string `json:"source"`

	subject policy.Subject // the parsed subject, for the enforcement decision
}

// PolicyStatement is one statement and the policy that holds it.
type PolicyStatement struct {
	PolicyName string `json:"policy"`
	Statement  string `json:"statement"`
}
