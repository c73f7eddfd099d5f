package guard

import "time"

// Status is the run's verdict. fdk-go answers every invoke with HTTP 200, so this field, not
// the HTTP status, is what schedules, alarms and people read.
type Status string

const (
	StatusOK      Status = "ok"      // everything that had to be done was done
	StatusPartial Status = "partial" // the administrators were known, but some listing or action failed or was not attempted
	StatusError   Status = "error"   // nothing was changed (bad input, or discovery failed)
)

// Outcome is what happened to one key or one capability.
type Outcome string

const (
	OutcomeDeleted      Outcome = "deleted"
	OutcomeWouldDelete  Outcome = "would-delete"
	OutcomeExempt       Outcome = "exempt"
	OutcomeFailed       Outcome = "failed"
	OutcomeNotAttempted Outcome = "not-attempted" // the deadline came first
	// OutcomeDeleting: OCI is already deleting the credential (APIKey.Deleting, or a delete
	// answered 404/409 that a fresh listing explains): neither deleted again nor a failure.
	OutcomeDeleting     Outcome = "deleting"
	OutcomeDisabled     Outcome = "disabled"
	OutcomeWouldDisable Outcome = "would-disable"
	OutcomeUnchanged    Outcome = "already-disabled"
)

// Result is what one run of the guard found and did: the core's answer, before the handler
// puts it into the response envelope (package report: mode, call id, trigger, API calls,
// notification, timings). Run returns it; nothing else writes it.
type Result struct {
	Status Status          `json:"status"`
	Groups []GroupResult   `json:"adminGroups"`
	Admins []AdminResult   `json:"administrators"`
	Policy []PolicyFinding `json:"policyAdminGroups,omitempty"`
	Counts Counts          `json:"counts"`
	// Exemptions says how EXEMPT_USERS matched the administrators (checkExemptions).
	Exemptions ExemptionCheck `json:"exemptions"`
	Errors     []Problem      `json:"errors,omitempty"`
	// Warnings are things an operator should know that did not stop the run.
	Warnings []Problem `json:"warnings,omitempty"`
	// ResumeAt is where the next run of this process starts (enforcementOrder): the first
	// administrator this run left something undone for; empty when nothing was left.
	ResumeAt string `json:"-"`

	// Escalation are the subjects that can make themselves administrators, one per subject and
	// path (escalation.go).
	Escalation []EscalationFinding `json:"escalation,omitempty"`
	// DomainRoles says whether the Default domain's administrator roles were read for
	// escalation paths, and if not why (roles.go).
	DomainRoles *RoleEvaluation `json:"domainRoles,omitempty"`
}

// GroupResult names a group that was treated as an administrator group.
type GroupResult struct {
	Name    string `json:"name"`
	Domain  string `json:"domain"`
	OCID    string `json:"ocid"`
	Members int    `json:"members"`
	Source  string `json:"source"`        // "config" or "policy"
	API     string `json:"api,omitempty"` // the identity API family that served it: "iam" or "scim"
}

// AdminResult is one administrator and what was done to their keys.
type AdminResult struct {
	// UserName and Active are known when the user was read: always through SCIM; through the
	// IAM API only for an administrator who holds a credential, or when EXEMPT_USERS names or
	// capabilities needed it (decide.go). Otherwise the name is empty and active absent.
	UserName   string      `json:"userName"`
	OCID       string      `json:"ocid"`
	Domain     string      `json:"domain"`
	Active     *bool       `json:"active,omitempty"`
	Groups     []string    `json:"groups"`
	Exempt     bool        `json:"exempt,omitempty"`
	Keys       []KeyResult `json:"keys"`
	Capability *KeyResult  `json:"apiKeyCapability,omitempty"` // set when DISABLE_API_KEY_CAPABILITY or DISABLE_CAPABILITIES is on
	// Listing is set when the administrator's credentials were not listed: not-attempted (not
	// reached before the deadline; the next run continues) or failed (with the reason).
	Listing *KeyResult `json:"listing,omitempty"`
}

// KeyResult is one key's outcome. Fingerprints identify keys without revealing them.
type KeyResult struct {
	Fingerprint string `json:"fingerprint,omitempty"`
	ID          string `json:"id,omitempty"`
	// Kind, Description, Created and Expires name a credential other than an API key (never
	// its secret); Capabilities are the kinds a capability entry switches off.
	Kind         Kind       `json:"kind,omitempty"`
	Description  string     `json:"description,omitempty"`
	Created      *time.Time `json:"created,omitempty"`
	Expires      *time.Time `json:"expires,omitempty"`
	Capabilities []Kind     `json:"capabilities,omitempty"`
	Outcome      Outcome    `json:"outcome"`
	Reason       string     `json:"reason,omitempty"`
	Code         string     `json:"code,omitempty"`
	// failure is a failed write's detail, reported once per operation and code (writeProblems).
	failure *writeFailure
}

// PolicyFinding is a group that a tenancy policy makes an administrator group.
type PolicyFinding struct {
	Subject     string `json:"subject"`
	Kind        string `json:"kind"`
	PolicyName  string `json:"policy"`
	Statement   string `json:"statement"`
	Conditional bool   `json:"conditional,omitempty"`
	Enforced    bool   `json:"enforced"`
	Note        string `json:"note,omitempty"`
}

// Counts summarise the report for dashboards and the log.
type Counts struct {
	Administrators int `json:"administrators"`
	Keys           int `json:"keys"`
	Deleted        int `json:"deleted"`
	Deleting       int `json:"deleting"`
	WouldDelete    int `json:"wouldDelete"`
	Exempt         int `json:"exempt"`
	Failed         int `json:"failed"`
	NotAttempted   int `json:"notAttempted"`
	// NotReached counts administrators whose credentials were not listed before the deadline.
	NotReached   int `json:"administratorsNotReached"`
	Disabled     int `json:"capabilityDisabled"`
	WouldDisable int `json:"capabilityWouldDisable"`
	// EscalationPaths counts Result.Escalation; EscalationEnforced those enforced.
	EscalationPaths    int `json:"escalationPaths"`
	EscalationEnforced int `json:"escalationEnforced"`
}

// Problem is an error or warning with what an operator needs to fix it.
type Problem struct {
	Stage   string `json:"stage"` // config, trigger, auth, discovery, exemptions, delete, disable, policy, notify
	Message string `json:"message"`
	Code    string `json:"code,omitempty"` // OCI error code
	Hint    string `json:"hint,omitempty"` // e.g. the policy statement that is probably missing
}

// countOutcomes sums the outcomes of every key and capability.
func countOutcomes(admins []AdminResult) Counts {
	c := Counts{Administrators: len(admins)}
	for _, a := range admins {
		if a.Listing != nil {
			switch a.Listing.Outcome {
			case OutcomeNotAttempted:
				c.NotReached++
			case OutcomeFailed:
				c.Failed++
			}
		}
		for _, k := range a.Keys {
			c.Keys++
			switch k.Outcome {
			case OutcomeDeleted:
				c.Deleted++
			case OutcomeDeleting:
				c.Deleting++
			case OutcomeWouldDelete:
				c.WouldDelete++
			case OutcomeExempt:
				c.Exempt++
			case OutcomeFailed:
				c.Failed++
			case OutcomeNotAttempted:
				c.NotAttempted++
			}
		}
		if a.Capability != nil {
			switch a.Capability.Outcome {
			case OutcomeDisabled:
				c.Disabled++
			case OutcomeWouldDisable:
				c.WouldDisable++
			case OutcomeFailed:
				c.Failed++
			case OutcomeNotAttempted:
				c.NotAttempted++
			}
		}
	}
	return c
}

// Changed reports whether the run changed (or, in dry run, would change) anything.
func (r Result) Changed() bool {
	c := r.Counts
	return c.Deleted+c.WouldDelete+c.Disabled+c.WouldDisable > 0
}

// ExemptionCheck is how the EXEMPT_USERS entries matched the administrators of the enforced
// groups. Checked is false when the run stopped before the administrators were known.
type ExemptionCheck struct {
	Configured int                  `json:"configured"`
	Checked    bool                 `json:"checked"`
	Matched    []ExemptionMatch     `json:"matched,omitempty"`
	Unmatched  []UnmatchedExemption `json:"unmatched,omitempty"`
	// Summary is the check in one line, as the log summary and the notification give it
	// ("exemptions: 1 of 1 matched: admin0001").
	Summary string `json:"summary"`
}

// ExemptionMatch is an entry and the administrators it names (user names; the OCID where the
// name is unknown).
type ExemptionMatch struct {
	Entry string   `json:"entry"`
	Users []string `json:"users"`
}

// UnmatchedExemption is an entry that names no administrator, with the closest administrators
// by edit distance (user names for a name, OCIDs for an OCID).
type UnmatchedExemption struct {
	Entry   string   `json:"entry"`
	Closest []string `json:"closest,omitempty"`
}
