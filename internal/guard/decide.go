package guard

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/policy"
)

// This file is every decision the guard makes, each a pure function of what was read and
// what was configured. Plan applies the per-administrator ones; discover, execute and Run only
// carry decisions out and record what happened. decide_test.go is the specification: one table
// row per rule, named after the rule in docs/architecture.md's "Safety rules".

// Action is the plan's decision for one credential or one capability entry.
type Action struct {
	// Write says execute must carry it out (delete the credential, or switch the capabilities
	// off); Outcome is then the outcome on success. Without Write, Outcome is final.
	Write   bool
	Outcome Outcome
	Reason  string
	// Kinds, for a capability entry: the kinds the write switches off, or, when there is
	// nothing left to switch off, the kinds that were asked for.
	Kinds []Kind
}

// Rules are the configured choices a plan applies to every administrator.
type Rules struct {
	Exempt       Exemptions
	DryRun       bool
	DisableKinds []Kind // capabilities to switch off; none when empty
}

// ReasonExempt is why an exempt administrator's credentials and capabilities are kept.
const ReasonExempt = "user is in EXEMPT_USERS"

// credentialAction decides one administrator credential: kept when the owner is exempt
// (break-glass), reported as would-delete in a dry run, deleted otherwise.
func credentialAction(exempt, dryRun bool) Action {
	switch {
	case exempt:
		return Action{Outcome: OutcomeExempt, Reason: ReasonExempt}
	case dryRun:
		return Action{Outcome: OutcomeWouldDelete}
	default:
		return Action{Write: true, Outcome: OutcomeDeleted}
	}
}

// capabilityAction decides an administrator's capabilities: nothing when none is configured
// off (nil); kept for an exempt administrator; already-disabled when every configured kind is
// off; would-disable in a dry run; otherwise one write of exactly the kinds still on.
func capabilityAction(u User, exempt, dryRun bool, configured []Kind) *Action {
	if len(configured) == 0 {
		return nil
	}
	var on []Kind
	for _, k := range configured {
		if u.CanUse(k) {
			on = append(on, k)
		}
	}
	switch {
	case exempt:
		return &Action{Outcome: OutcomeExempt, Kinds: configured}
	case len(on) == 0:
		return &Action{Outcome: OutcomeUnchanged, Kinds: configured}
	case dryRun:
		return &Action{Outcome: OutcomeWouldDisable, Kinds: on}
	default:
		return &Action{Write: true, Outcome: OutcomeDisabled, Kinds: on}
	}
}

// Answer is what carrying out one write returned.
type Answer struct {
	Err error // nil: OCI applied the write
	// Relisted says a delete answered 404 was checked by listing the owner's credentials
	// again; StillListed and RelistErr are what that listing said.
	Relisted    bool
	StillListed bool
	RelistErr   error
	// Cut says the run's context had ended when the answer came.
	Cut bool
}

// needsRelisting says whether a delete's error must be checked by listing again: OCI answers
// 404 NotAuthorizedOrNotFound both for a credential that is gone and for a missing grant.
func needsRelisting(err error) bool { return errors.Is(err, ErrNotFound) }

// ReasonInterrupted starts the reason of a write that the invocation deadline cut off while it
// was in flight; whether OCI applied it is unknown until the next run lists the keys again.
const ReasonInterrupted = "interrupted by the invocation deadline, may or may not have been applied"

// ReasonAlreadyGone is why a delete answered 404 counts as done: a fresh listing no longer
// shows the credential.
const ReasonAlreadyGone = "already gone (deleted by someone else or a concurrent run)"

// writeOutcome decides what a write's answer means for the report. stage names the write
// ("delete" or "disable") in the failure's problem.
func writeOutcome(planned Outcome, stage string, a Answer) (o Outcome, reason, code string) {
	err := a.Err
	switch {
	case err == nil:
		return planned, "", ""
	case errors.Is(err, ErrNotSent):
		return OutcomeNotAttempted, err.Error(), ""
	case a.Relisted && a.RelistErr != nil:
		err = errors.Join(err, a.RelistErr)
	case a.Relisted && !a.StillListed:
		return planned, ReasonAlreadyGone, ""
	}
	if a.Cut {
		return OutcomeFailed, ReasonInterrupted + ": " + err.Error(), ""
	}
	p := problem(stage, err)
	reason = p.Message
	if p.Hint != "" {
		reason += "; " + p.Hint
	}
	return OutcomeFailed, reason, p.Code
}

// startRefusal says why a write must not start, or "" when it may: not once the run's context
// has ended, and not inside the reserve before the deadline, which keeps time for a write
// started earlier to get its answer and for the report to be written.
func startRefusal(ctxErr error, deadline time.Time, now time.Time, reserve time.Duration) string {
	if ctxErr != nil {
		return "invocation cancelled or out of time: " + ctxErr.Error()
	}
	if !deadline.IsZero() && deadline.Sub(now) < reserve {
		return "too close to the invocation deadline to start"
	}
	return ""
}

// Group sources: where an administrator group came from.
const (
	SourceConfig = "config" // ADMIN_GROUPS
	SourcePolicy = "policy" // a policy granting manage all-resources in tenancy
	// SourceEscalation: a group behind an unconditional escalation path, enforced with
	// INCLUDE_ESCALATION_ADMINS=true (escalation.go).
	SourceEscalation = "escalation"
)

// missingGroup decides what a group that does not exist means. A configured group stops the
// run: a typo must never read as "no administrators". A group named by a policy (an
// administrator grant or an escalation path) grants nothing, so it is a warning and there is
// nothing to enforce for it.
func missingGroup(ref GroupRef, source string, err error) (warning *Problem, stop error) {
	if source != SourceConfig {
		p := problem("policy", fmt.Errorf("group %q named by a policy was not found; nothing to enforce for it: %w", ref, err))
		return &p, nil
	}
	return nil, fmt.Errorf("administrator group %q does not exist (or the function may not read it): %w", ref, err)
}

// unreadablePolicies decides what a failure to read the tenancy's policies means. With
// INCLUDE_POLICY_ADMINS or INCLUDE_ESCALATION_ADMINS the policies say who the administrators
// are, so the run stops;
// otherwise they were only to be reported, and the run goes on with a warning.
func unreadablePolicies(include bool, err error) (warning *Problem, stop error) {
	if include {
		return nil, fmt.Errorf("read tenancy policies: %w", err)
	}
	p := problem("policy", fmt.Errorf("could not read tenancy policies, so administrator groups granted by policy were not checked: %w", err))
	return &p, nil
}

// ErrNoPolicySource is the run's error when INCLUDE_POLICY_ADMINS (or INCLUDE_ESCALATION_ADMINS) is set and the Directory
// cannot read policies: without them the guard cannot know who the administrators are.
var ErrNoPolicySource = errors.New("INCLUDE_POLICY_ADMINS or INCLUDE_ESCALATION_ADMINS is set but this directory cannot read policies")

// Notes on policy findings: how each grant of manage all-resources in tenancy is treated.
const (
	NoteNotAGroup  = "not a group of users: reported, not enforced"
	NoteConfigured = "enforced through ADMIN_GROUPS"
	NoteIncluded   = "enforced (INCLUDE_POLICY_ADMINS=true)"
	NoteReportOnly = "reported only: set INCLUDE_POLICY_ADMINS=true to enforce"
)

// policyDecisions decides every grant of manage all-resources in tenancy: a subject that is not
// a group of users (a dynamic group, a service) is reported only; a configured group is already
// enforced; with include, any other group is enforced too (once, however many statements grant
// it); without, it is reported only. It returns the findings and the groups to add.
func policyDecisions(grants []policy.AdminGrant, configured []GroupRef, include bool) (findings []PolicyFinding, enforce []GroupRef) {
	configuredKeys, added := map[string]bool{}, map[string]bool{}
	for _, g := range configured {
		configuredKeys[refKey(g)] = true
	}
	for _, g := range grants {
		f := PolicyFinding{Subject: g.Subject.String(), Kind: string(g.Subject.Kind), PolicyName: g.PolicyName,
			Statement: g.Statement, Conditional: g.Conditional}
		ref := policyGroupRef(g.Subject)
		switch k := refKey(ref); {
		case g.Subject.Kind != policy.KindGroup:
			f.Note = NoteNotAGroup
		case configuredKeys[k]:
			f.Enforced, f.Note = true, NoteConfigured
		case include:
			f.Enforced, f.Note = true, NoteIncluded
			if !added[k] {
				added[k] = true
				enforce = append(enforce, ref)
			}
		default:
			f.Note = NoteReportOnly
		}
		findings = append(findings, f)
	}
	return findings, enforce
}

// policyGroupRef is the group a policy subject names; the Default domain is spelled "".
func policyGroupRef(s policy.Subject) GroupRef {
	ref := GroupRef{Name: s.Name, OCID: s.OCID}
	if !s.InDefaultDomain() {
		ref.Domain = s.Domain
	}
	return ref
}

// refKey identifies a group reference: OCI group and domain names are case-insensitive.
func refKey(r GroupRef) string {
	if r.OCID != "" {
		return "id:" + r.OCID
	}
	domain := r.Domain
	if strings.EqualFold(domain, policy.DefaultDomain) {
		domain = ""
	}
	return strings.ToLower(domain) + "/" + strings.ToLower(r.Name)
}

// unparsedStatement is the warning for a policy statement the parser did not understand: it
// was not checked, and the operator must know that.
func unparsedStatement(err error) Problem {
	return Problem{Stage: "policy", Message: "statement not understood, so it was not checked for administrator grants: " + err.Error()}
}

// strayWarning is the warning for a credential a listing returned whose owner is not an
// administrator: it is never planned, only reported.
func strayWarning(k APIKey) Problem {
	what := "key " + k.Fingerprint
	if k.CredentialKind() != KindAPIKeys {
		what = k.Label()
	}
	return Problem{Stage: "discovery",
		Message: fmt.Sprintf("listing returned %s of user %s, who is not an administrator; ignored", what, k.UserOCID)}
}

// statusOf is the run's verdict from what happened: any error is error (discovery is
// all-or-nothing, so nothing was changed); a failed or not-attempted change is partial;
// otherwise ok.
func statusOf(errs int, c Counts) Status {
	switch {
	case errs > 0:
		return StatusError
	case c.Failed+c.NotAttempted > 0:
		return StatusPartial
	default:
		return StatusOK
	}
}
