package guard

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/agext/levenshtein"

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
	Signer       Signer // the API key the run signs with; zero for a token
}

// Signer is the API key a run signs its requests with: the workstation command signing as a
// user from ~/.oci/config. It is zero when the run signs with a token (the function's resource
// principal, an instance principal, Cloud Shell's delegation token): then no credential of the
// tenancy carries the run.
type Signer struct {
	UserOCID    string
	Fingerprint string
}

// signs says whether k is the key s signs with (OCI fingerprints are hex: case does not matter).
func (s Signer) signs(k APIKey) bool {
	return s.UserOCID != "" && k.CredentialKind() == KindAPIKeys && k.UserOCID == s.UserOCID &&
		strings.EqualFold(k.Fingerprint, s.Fingerprint)
}

// ReasonExempt is why an exempt administrator's credentials and capabilities are kept.
const ReasonExempt = "user is in EXEMPT_USERS"

// ReasonSigningKey and ReasonSigningCapability are why the run leaves the key it signs with, and
// its owner's canUseApiKeys, alone: deleting either mid-run would make every later request of
// the run fail authentication (the relisting that confirms a 404, the remaining deletes, the
// notification), and would lock the operator out of the API half-way. The key still breaks
// the rule, so the entry is not-attempted and the run is partial until the operator removes it.
const (
	ReasonSigningKey = "this run signs its requests with this key: delete it yourself once the run is over " +
		"(Console, or oci iam user api-key delete), or run from Cloud Shell, which signs with a delegation token"
	ReasonSigningCapability = "this run signs with an API key of this user: switching API keys off would cut the run off; " +
		"switch it off yourself once the run is over, or run from Cloud Shell"
)

// ReasonDeleting is why a credential OCI is already deleting is not deleted again.
const ReasonDeleting = "OCI is already deleting it (IAM lifecycleState DELETING, or SCIM deleteInProgress); not deleted again, and gone by the next run"

// credentialAction decides one administrator credential: left alone when OCI is already
// deleting it (a second delete could only be refused, 409 IncorrectState, or count one
// deletion twice); kept when the owner is exempt (break-glass); never touched when it is the
// key the run signs with; reported as would-delete in a dry run; deleted otherwise. A
// credential that is CREATING or INACTIVE is an administrator's credential like an ACTIVE one:
// deleted.
func credentialAction(deleting, exempt, signing, dryRun bool) Action {
	switch {
	case deleting:
		return Action{Outcome: OutcomeDeleting, Reason: ReasonDeleting}
	case exempt:
		return Action{Outcome: OutcomeExempt, Reason: ReasonExempt}
	case signing:
		return Action{Outcome: OutcomeNotAttempted, Reason: ReasonSigningKey}
	case dryRun:
		return Action{Outcome: OutcomeWouldDelete}
	default:
		return Action{Write: true, Outcome: OutcomeDeleted}
	}
}

// capabilityAction decides an administrator's capabilities: nothing when none is configured
// off (nil); kept for an exempt administrator; already-disabled when every configured kind is
// off; not touched when API keys would be switched off for the user the run signs as;
// would-disable in a dry run; otherwise one write of exactly the kinds still on.
func capabilityAction(u User, exempt, signing, dryRun bool, configured []Kind) *Action {
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
	case signing && slices.Contains(on, KindAPIKeys):
		return &Action{Outcome: OutcomeNotAttempted, Reason: ReasonSigningCapability, Kinds: on}
	case dryRun:
		return &Action{Outcome: OutcomeWouldDisable, Kinds: on}
	default:
		return &Action{Write: true, Outcome: OutcomeDisabled, Kinds: on}
	}
}

// Answer is what carrying out one write returned.
type Answer struct {
	Err error // nil: OCI applied the write
	// Relisted says a delete answered 404 or 409 was checked by listing the owner's
	// credentials again, Rechecks times (nextRecheck); StillListed, Deleting and RelistErr are
	// what the last listing said: the credential is still there, OCI is deleting it, or the
	// listing failed.
	Relisted    bool
	Rechecks    int
	StillListed bool
	Deleting    bool
	RelistErr   error
	// Cut says the run's context had ended when the answer came.
	Cut bool
}

// needsRelisting says whether a delete's error must be checked by listing again: OCI answers
// 404 NotAuthorizedOrNotFound both for a credential that is gone and for a missing grant, and
// 409 IncorrectState to a delete of a credential it is already deleting.
func needsRelisting(err error) bool {
	return errors.Is(err, ErrNotFound) || errors.Is(err, ErrConflict)
}

// recheckWindow bounds how long a delete answered 404 or 409 is re-checked while the listing
// still shows the credential as it was. IAM is eventually consistent: the SDK opens a
// consistency window of 240 s after IAM writes (identity/identity_client.go) and treats a 404
// then as possibly stale (common/eventual_consistency.go), so one listing that still shows the
// credential proves nothing. Oracle documents no bound on the delay; 240 s would not fit a
// Functions invocation (300 s at most) beside the rest of a run, so the guard waits up to
// 10 s (an assumption; an emulated 5 s listing lag settles within it) and then reports what it
// saw: still listed and not being deleted means the delete was refused (a missing grant).
const recheckWindow = 10 * time.Second

// nextRecheck decides whether a delete's answer needs (another) listing of the owner's
// credentials, and after how long: at once after a 404 or 409; then, while the listing still
// shows the credential and not as being deleted, after 1 s, 2 s, 4 s, … as long as the waits
// stay within recheckWindow (waited is the time waited so far) and the next listing starts
// before the reserve kept back from the deadline. A failed listing, a credential gone, or one
// OCI is deleting, settles it.
func nextRecheck(a Answer, waited time.Duration, now, deadline time.Time, reserve time.Duration) (wait time.Duration, again bool) {
	switch {
	case !needsRelisting(a.Err):
		return 0, false
	case !a.Relisted:
		return 0, true
	case a.RelistErr != nil || !a.StillListed || a.Deleting:
		return 0, false
	}
	wait = time.Second << min(a.Rechecks-1, 8)
	if waited+wait > recheckWindow || (!deadline.IsZero() && deadline.Sub(now.Add(wait)) < reserve) {
		return 0, false
	}
	return wait, true
}

// ReasonInterrupted starts the reason of a write that the invocation deadline cut off while it
// was in flight; whether OCI applied it is unknown until the next run lists the keys again.
const ReasonInterrupted = "interrupted by the invocation deadline, may or may not have been applied"

// ReasonAlreadyGone is why a delete answered 404 or 409 counts as done: a fresh listing no
// longer shows the credential.
const ReasonAlreadyGone = "already gone (deleted by someone else or a concurrent run)"

// ReasonAlreadyOff is why a capability update answered 404 or 409 counts as done: the user,
// read back, shows every kind asked for already off (IAM is eventually consistent: the SDK
// opens its consistency window after UpdateUserCapabilities, identity/identity_client.go).
const ReasonAlreadyOff = "already off (the user, read back after the update was answered 404 or 409, shows it off)"

// readsBack says whether a capability update answered 404 or 409 can be checked by reading
// the user again: through the IAM API (Domain.API "iam"), whose GetUser reads the user afresh,
// and which is eventually consistent after UpdateUserCapabilities (the SDK opens its 240 s
// window there, identity/identity_client.go, and reads a 404 in it as possibly stale,
// common/eventual_consistency.go). An identity domain's members are read with the member
// listing, and Directory.Detail gives them back as listed: reading back would show nothing new.
func readsBack(u User) bool { return u.Domain.API == "iam" }

// stageDisable is the stage of a capability update ("disable"; deletes are "delete").
const stageDisable = "disable"

// ReasonBeingDeleted is why a delete answered 404 or 409 counts as deleting: a fresh listing
// shows OCI deleting the credential (another run's delete, or someone else's).
const ReasonBeingDeleted = "already being deleted (a concurrent run or someone else asked first): the listing shows it deleting"

// writeFailure is what a failed write tells the run: which operation failed with which OCI code,
// what to fix (hint), and whether OCI refused it (so it certainly did not apply). Listing says
// the failure is an administrator's credential listing or user read (listingOutcome), not a
// write.
type writeFailure struct {
	Stage, Operation, Code, Message, Hint string
	Refused, Listing                      bool
}

// writeVerdict is what a write's answer means for the report: the entry's outcome, a short
// reason and OCI's code, and for a failure the details the run reports once per operation and
// code (writeProblems).
type writeVerdict struct {
	Outcome      Outcome
	Reason, Code string
	Failure      *writeFailure
}

// writeOutcome decides what a write's answer means for the report. stage names the write
// ("delete" or "disable"). A failure's reason is the error alone: the hint that names the
// missing grant is long and the same for every entry, so it is given once at the top of the
// report (writeProblems), not once per key.
func writeOutcome(planned Outcome, stage string, a Answer) writeVerdict {
	err := a.Err
	switch {
	case err == nil:
		return writeVerdict{Outcome: planned}
	case errors.Is(err, ErrNotSent):
		return writeVerdict{Outcome: OutcomeNotAttempted, Reason: err.Error()}
	case a.Relisted && a.RelistErr != nil:
		err = errors.Join(err, a.RelistErr)
	case a.Relisted && !a.StillListed && stage == stageDisable:
		return writeVerdict{Outcome: planned, Reason: ReasonAlreadyOff}
	case a.Relisted && !a.StillListed:
		return writeVerdict{Outcome: planned, Reason: ReasonAlreadyGone}
	case a.Relisted && a.Deleting:
		return writeVerdict{Outcome: OutcomeDeleting, Reason: ReasonBeingDeleted}
	}
	p := problem(stage, err)
	switch {
	case a.Relisted && a.Rechecks > 1 && stage == stageDisable:
		p.Message += fmt.Sprintf(" (the capability still read on after %d reads)", a.Rechecks)
	case a.Relisted && a.Rechecks > 1:
		p.Message += fmt.Sprintf(" (still listed, not being deleted, after %d listings)", a.Rechecks)
	}
	f := &writeFailure{Stage: stage, Operation: operationOf(err, stage), Code: p.Code, Message: p.Message, Hint: p.Hint,
		Refused: refusal(err, a)}
	if a.Cut {
		return writeVerdict{Outcome: OutcomeFailed, Reason: ReasonInterrupted + ": " + err.Error(), Failure: f}
	}
	return writeVerdict{Outcome: OutcomeFailed, Reason: p.Message, Code: p.Code, Failure: f}
}

// refusal says whether a failed write certainly did not apply: OCI answered it with a 4xx
// (the request was refused, not lost), and a 404 was confirmed by a listing that still shows
// the credential. A 5xx, a lost connection or a cut by the deadline may have applied.
func refusal(err error, a Answer) bool {
	var s interface{ HTTPStatus() int }
	if a.Cut || !errors.As(err, &s) || s.HTTPStatus() < 400 || s.HTTPStatus() >= 500 {
		return false
	}
	return !errors.Is(err, ErrNotFound) || (a.Relisted && a.StillListed && a.RelistErr == nil)
}

// operationOf is the OCI operation a Directory error names, else the stage.
func operationOf(err error, stage string) string {
	var o interface{ Operation() string }
	if errors.As(err, &o) && o.Operation() != "" {
		return o.Operation()
	}
	return stage
}

// writeProblems are the run's write and listing failures, once per operation and OCI code with
// how many entries failed so, the first message and the hint: the cause at the top of the
// report, the entries themselves keep a short reason. nothingApplied says that something failed,
// nothing succeeded, and every failure certainly changed nothing: a write OCI refused, or a
// credential listing or user read (a-failed-listing-changed-nothing). Changes and
// administrators not attempted count neither way.
func writeProblems(admins []AdminResult) (problems []Problem, nothingApplied bool) {
	var t failureTally
	for _, a := range admins {
		if a.Listing != nil {
			t.note(*a.Listing)
		}
		for _, k := range a.Keys {
			t.note(k)
		}
		if a.Capability != nil {
			t.note(*a.Capability)
		}
	}
	for _, k := range t.order {
		g := t.groups[k]
		code := g.f.Code
		if code == "" {
			code = "no OCI error code"
		}
		of := fmt.Sprintf("%d of %d attempted change(s)", g.n, t.succeeded+t.failed-t.listings)
		if g.f.Listing {
			of = fmt.Sprintf("%d of %d administrator(s), whose credentials were therefore not listed", g.n, len(admins))
		}
		problems = append(problems, Problem{Stage: g.f.Stage, Code: g.f.Code, Hint: g.f.Hint,
			Message: fmt.Sprintf("%s failed for %s (%s); the first: %s", g.f.Operation, of, code, g.f.Message)})
	}
	return problems, t.failed > 0 && t.succeeded == 0 && t.refused == t.failed
}

// failureTally counts a run's entries for writeProblems: what succeeded, what failed (how
// many refused, how many were listings), and the failures grouped by stage, operation and code
// in the order first met.
type failureTally struct {
	succeeded, failed, refused, listings int
	order                                []string
	groups                               map[string]*failureGroup
}

type failureGroup struct {
	f *writeFailure
	n int
}

func (t *failureTally) note(e KeyResult) {
	switch {
	case e.Outcome == OutcomeDeleted || e.Outcome == OutcomeDisabled:
		t.succeeded++
	case e.failure != nil:
		t.failed++
		if e.failure.Refused {
			t.refused++
		}
		if e.failure.Listing {
			t.listings++
		}
		k := e.failure.Stage + "\x00" + e.failure.Operation + "\x00" + e.failure.Code
		if t.groups == nil {
			t.groups = map[string]*failureGroup{}
		}
		if t.groups[k] == nil {
			t.groups[k] = &failureGroup{f: e.failure}
			t.order = append(t.order, k)
		}
		t.groups[k].n++
	}
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

// statusOf is the run's verdict from what happened: a stop before any change (bad input,
// discovery of the administrators, exemptions) is error, and so is a run in which nothing
// succeeded and every failure, a write OCI refused or a credential listing, certainly changed
// nothing (writeProblems); a failed or not-attempted change, or an administrator whose
// credentials could not be listed or were not reached, is otherwise partial; else ok.
func statusOf(stops int, c Counts, nothingApplied bool) Status {
	switch {
	case stops > 0 || nothingApplied:
		return StatusError
	case c.Failed+c.NotAttempted+c.NotReached > 0:
		return StatusPartial
	default:
		return StatusOK
	}
}

// detailBeforeListing decides whether an administrator must be read (Directory.Detail) before
// their credentials are listed: only when a decision needs what the read gives, the user name
// (EXEMPT_USERS holds names) or the capabilities (some are to be switched off). Otherwise the
// read waits until the administrator turns out to hold a credential (detailForReport), so that
// in the steady state, when nobody holds one, the IAM family reads no user at all.
func detailBeforeListing(u User, r Rules) bool {
	return !u.Detailed && (r.Exempt.HasNames() || len(r.DisableKinds) > 0)
}

// detailForReport decides whether an administrator must be read after the listing: the report
// names every administrator who holds a credential.
func detailForReport(u User, held int) bool { return !u.Detailed && held > 0 }

// ReasonNotReached is why an administrator's credentials were not listed: the run's time, or
// the rate limit before the deadline, ran out first. The next run lists them.
const ReasonNotReached = "not reached before the invocation deadline: the next run continues here"

// listingOutcome decides what a failure to read an administrator (Directory.Detail) or to list
// their credentials means. A request not sent, or a run out of time, is not-attempted: the
// administrator was not reached, and the next run continues there. Any other failure is failed
// for that administrator only: nothing is planned for them (a failed listing is never read as
// "no credentials"), and the run is partial. As for a write, the entry keeps a short reason and
// the cause with its hint is given once at the top (writeProblems); a read changes nothing, so
// the failure counts as refused (a-failed-listing-changed-nothing).
func listingOutcome(err error, runEnded bool) writeVerdict {
	if errors.Is(err, ErrNotSent) || runEnded {
		return writeVerdict{Outcome: OutcomeNotAttempted, Reason: ReasonNotReached + " (" + err.Error() + ")"}
	}
	p := problem("discovery", err)
	return writeVerdict{Outcome: OutcomeFailed, Reason: p.Message, Code: p.Code,
		Failure: &writeFailure{Stage: p.Stage, Operation: operationOf(err, "listing"), Code: p.Code, Message: p.Message, Hint: p.Hint,
			Refused: true, Listing: true}}
}

// enforcementOrder is the order administrators are listed and acted on: by domain and OCID,
// starting at resumeAt (the first administrator the previous run of this process left
// undone, Result.ResumeAt) and wrapping around. Every administrator is in it every run; the
// rotation only makes a run that follows one cut short begin where that one stopped, so a
// tenancy too large for one invocation converges instead of re-listing the same first
// administrators each time.
func enforcementOrder(admins []Admin, resumeAt string) []Admin {
	order := slices.Clone(admins)
	slices.SortFunc(order, func(x, y Admin) int { return strings.Compare(resumeKey(x.User), resumeKey(y.User)) })
	i, _ := slices.BinarySearchFunc(order, resumeAt, func(a Admin, k string) int { return strings.Compare(resumeKey(a.User), k) })
	return append(order[i:], order[:i]...)
}

// resumeKey places an administrator in enforcementOrder.
func resumeKey(u User) string { return u.Domain.Name + "\x00" + u.OCID }

// checkExemptions decides whether the run may go on: every EXEMPT_USERS entry must name at
// least one administrator of the enforced groups (an OCID exactly, a user name in any case).
// An entry that names nobody is a typo until shown otherwise (admin001 for admin0001, a
// mistyped OCID), or stale (the user left the group): either way the list no longer says what
// the operator thinks, and the administrator it was meant to protect would lose their keys,
// the one account the operator meant to keep. So the run stops before any change, with one
// problem per such entry naming it and the closest administrators (docs/configuration.md, "Exemptions").
func checkExemptions(e Exemptions, admins []Admin) (ExemptionCheck, []Problem) {
	c := ExemptionCheck{Configured: len(e.Entries()), Checked: true}
	var stops []Problem
	for _, entry := range e.Entries() {
		var users []string
		for _, a := range admins {
			if e.matches(entry, a.User) && !slices.Contains(users, displayName(a.User)) {
				users = append(users, displayName(a.User))
			}
		}
		if len(users) > 0 {
			c.Matched = append(c.Matched, ExemptionMatch{Entry: entry, Users: users})
			continue
		}
		u := UnmatchedExemption{Entry: entry, Closest: closestAdministrators(entry, admins)}
		c.Unmatched = append(c.Unmatched, u)
		stops = append(stops, unmatchedExemption(u, unreadNames(entry, admins)))
	}
	return c, stops
}

// unreadNames counts the administrators a name entry could not be compared with: those whose
// user could not be read (readNames). An OCID entry is compared with every administrator.
func unreadNames(entry string, admins []Admin) int {
	if isOCID(entry) {
		return 0
	}
	n := 0
	for _, a := range admins {
		if !a.Detailed && a.UserName == "" {
			n++
		}
	}
	return n
}

// unmatchedExemption is the problem that stops a run for an entry naming no administrator.
// unread administrators could not be read: the entry may name one of them, but the run cannot
// tell a typo from that, so it stops all the same (the next run reads them again).
func unmatchedExemption(u UnmatchedExemption, unread int) Problem {
	closest := "no administrator's name or OCID is close to it"
	if len(u.Closest) > 0 {
		closest = "closest: " + strings.Join(u.Closest, ", ")
	}
	whom := "no administrator of the enforced groups"
	if unread > 0 {
		whom = fmt.Sprintf("none of the administrators whose user could be read (%d could not be, see below)", unread)
	}
	return Problem{Stage: "exemptions",
		Message: fmt.Sprintf("EXEMPT_USERS entry %q names %s (%s); nothing was changed", u.Entry, whom, closest),
		Hint: "correct the entry (a user name matches in any case, in every enforced identity domain; an OCID must be exact), " +
			"or remove it if the user is no longer an administrator; to exempt someone who is not an administrator yet, see docs/configuration.md, Exemptions"}
}

// closestAdministrators are up to three administrators nearest to entry by edit distance
// (agext/levenshtein, as config's near-miss keys): OCIDs for an OCID entry, user names for a
// name. Only those within a quarter of the entry's length (at least 2 edits) are offered, so
// an unrelated user is not suggested as a typo of another.
func closestAdministrators(entry string, admins []Admin) []string {
	type candidate struct {
		text string
		d    int
	}
	ocid := isOCID(entry)
	limit := max(2, len(entry)/4)
	var cs []candidate
	for _, a := range admins {
		text, cmpText := a.OCID, a.OCID
		if !ocid {
			text, cmpText = a.UserName, strings.ToLower(a.UserName)
		}
		if text == "" || slices.ContainsFunc(cs, func(c candidate) bool { return c.text == text }) {
			continue
		}
		want := entry
		if !ocid {
			want = strings.ToLower(entry)
		}
		if d := levenshtein.Distance(want, cmpText, nil); d <= limit {
			cs = append(cs, candidate{text, d})
		}
	}
	slices.SortFunc(cs, func(x, y candidate) int { return cmp.Or(cmp.Compare(x.d, y.d), cmp.Compare(x.text, y.text)) })
	var out []string
	for _, c := range cs[:min(3, len(cs))] {
		out = append(out, c.text)
	}
	return out
}

// displayName names a user in the report: the user name, or the OCID where the name is unknown.
func displayName(u User) string {
	if u.UserName != "" {
		return u.UserName
	}
	return u.OCID
}

// summary is the check in one line: "exemptions: 1 of 1 matched: admin0001".
func (c ExemptionCheck) summary() string {
	switch {
	case c.Configured == 0:
		return "exemptions: none configured"
	case !c.Checked:
		return fmt.Sprintf("exemptions: %d configured, not checked (the run stopped before the administrators were known)", c.Configured)
	}
	s := fmt.Sprintf("exemptions: %d of %d matched", len(c.Matched), c.Configured)
	var users []string
	for _, m := range c.Matched {
		users = append(users, m.Users...)
	}
	if len(users) > 0 {
		s += ": " + strings.Join(users, ", ")
	}
	for _, u := range c.Unmatched {
		s += fmt.Sprintf("; unmatched: %s", u.Entry)
		if len(u.Closest) > 0 {
			s += " (closest: " + strings.Join(u.Closest, ", ") + ")"
		}
	}
	return s
}

// unreadProblems say, when the exemption check stops the run, why administrators could not be
// read (readNames): once per operation and OCI code with the hint, as writeProblems does for a
// run that went on; those not reached before the deadline in one problem.
func unreadProblems(unread map[string]AdminResult) []Problem {
	rs := slices.SortedFunc(maps.Values(unread), func(x, y AdminResult) int { return strings.Compare(x.OCID, y.OCID) })
	var problems []Problem
	index := map[string]int{}
	counts := map[string]int{}
	notReached := 0
	for _, r := range rs {
		f := r.Listing.failure
		if f == nil {
			notReached++
			continue
		}
		k := f.Operation + "\x00" + f.Code
		if _, ok := index[k]; !ok {
			index[k] = len(problems)
			problems = append(problems, Problem{Stage: "exemptions", Code: f.Code, Hint: f.Hint, Message: f.Message})
		}
		counts[k]++
	}
	for k, i := range index {
		op, code, _ := strings.Cut(k, "\x00")
		if code == "" {
			code = "no OCI error code"
		}
		problems[i].Message = fmt.Sprintf("%s failed for %d administrator(s) (%s), whose names EXEMPT_USERS could therefore not be compared with; the first: %s",
			op, counts[k], code, problems[i].Message)
	}
	if notReached > 0 {
		problems = append(problems, Problem{Stage: "exemptions",
			Message: fmt.Sprintf("%d administrator(s) were not read before the invocation deadline; the next run reads them again", notReached)})
	}
	return problems
}

// sameGroupRefs are the configured references together with every other spelling of the
// groups they resolved to: the group's OCID, and its name in its domain (the Default domain
// spelled ""). ADMIN_GROUPS and a policy may name one group differently (by OCID, by name, with
// or without "Default/"); once resolved, any of them is the same group, so a policy or role
// finding for it says "configured" and it is not enforced a second time (refKey compares them).
func sameGroupRefs(configured []GroupRef, resolved []Group) []GroupRef {
	out := slices.Clone(configured)
	for _, g := range resolved {
		if g.OCID != "" {
			out = append(out, GroupRef{OCID: g.OCID})
		}
		if g.Ref.Name != "" {
			ref := GroupRef{Name: g.Ref.Name}
			if !g.Domain.Default {
				ref.Domain = g.Domain.Name
			}
			out = append(out, ref)
		}
	}
	return out
}

// protectedRefs are the configured groups as a policy condition may test them: each resolved
// group once, with its name and its OCID together (protectedFacts makes one fact set of them),
// and the configured references left unresolved as they are.
func protectedRefs(configured []GroupRef, resolved []Group) []GroupRef {
	out := make([]GroupRef, 0, len(configured))
	for _, g := range resolved {
		ref := GroupRef{Name: g.Ref.Name, OCID: g.OCID}
		if !g.Domain.Default {
			ref.Domain = g.Domain.Name
		}
		out = append(out, ref)
	}
	return append(out, configured[len(resolved):]...)
}

// groupIdentity identifies a resolved group: its OCID (unique across identity domains), or,
// without one, its id within its domain.
func groupIdentity(g Group) string {
	if g.OCID != "" {
		return "ocid:" + g.OCID
	}
	return "id:" + g.Domain.key() + "\x00" + g.ID
}

// ErrConfiguration marks a Directory error that the configuration caused and only a change of
// it fixes (a URL that names the wrong identity domain): the run reports it at stage config, as
// the configuration's own errors, and changes nothing.
var ErrConfiguration = errors.New("configuration error")

// discoveryStage is the stage a discovery error is reported at.
func discoveryStage(err error) string {
	if errors.Is(err, ErrConfiguration) {
		return "config"
	}
	return "discovery"
}

// CheckDefaultDomainURL decides whether IDENTITY_DOMAIN_URL (configured) names the Default
// identity domain, whose URLs ListDomains gives (identity.DomainSummary: url, "Region agnostic
// domain URL", and homeRegionUrl): either one, compared as URLs (SameURL). Any other URL is a
// secondary domain's, or no domain's: taken for the Default domain, a secondary domain's
// Administrators would be enforced and reported as the Default domain's. A secondary domain's
// groups are named Domain/Name in ADMIN_GROUPS instead, and found by ListDomains.
func CheckDefaultDomainURL(configured string, defaultURLs ...string) error {
	for _, u := range defaultURLs {
		if u != "" && SameURL(configured, u) {
			return nil
		}
	}
	listed := strings.Join(slices.Compact(slices.DeleteFunc(slices.Clone(defaultURLs), func(u string) bool { return u == "" })), " or ")
	return fmt.Errorf("%w: IDENTITY_DOMAIN_URL=%s is not the Default identity domain's URL, which ListDomains gives as %s: "+
		"taken for it, a secondary domain's groups would be enforced, and reported, as the Default domain's. Set IDENTITY_DOMAIN_URL to the Default domain's URL "+
		"or leave it empty (it is then discovered); name a secondary domain's groups Domain/Name in ADMIN_GROUPS; nothing was changed",
		ErrConfiguration, configured, listed)
}

// SameURL says whether two URLs name the same endpoint: scheme and host without regard to case
// (RFC 3986, section 6.2.2.1), the scheme's default port written or not (section 6.2.3), and
// no path but "/" (a trailing slash). A URL that does not parse is the same as nothing.
func SameURL(a, b string) bool {
	na, oka := normalURL(a)
	nb, okb := normalURL(b)
	return oka && okb && na == nb
}

func normalURL(s string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Host == "" {
		return "", false
	}
	scheme, host, port := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), u.Port()
	if port == map[string]string{"https": "443", "http": "80"}[scheme] {
		port = ""
	}
	if port != "" {
		host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]" // an IPv6 literal keeps its brackets
	}
	return scheme + "://" + host + strings.TrimRight(u.EscapedPath(), "/"), true
}

// Listings. A listing of members or credentials is read page by page, and nothing holds the
// pages together: SCIM's "Pagination is not session based, and hence clients SHOULD never
// assume repeatable results" (RFC 7644 §3.4.2.4), and a member who leaves between two pages
// moves every later member one index down, so that one of them is never read. An
// administrator hidden so keeps their keys while the run says ok. So every read of a paged
// listing is judged (JudgeListing), read again while it moved (RereadListing), and the run
// stops when it does not hold still.

// ListingRead is what one complete read of a paged listing showed: the evidence the guard judges
// it on. The adapter fills it in as it pages.
type ListingRead struct {
	// Totals are the totals the pages announced (SCIM totalResults), in page order; empty for a
	// listing that announces none (IAM's opc-next-page listings).
	Totals []int
	// IDs are the distinct items read (by SCIM id or OCID), sorted.
	IDs []string
	// Duplicates counts items that came again on a later page.
	Duplicates int
	// StoppedShort says a page came back empty before the announced total was reached.
	StoppedShort bool
	// Repeated says a page brought nothing but items already read: the service served the same
	// page again (startIndex not honoured) rather than the next one.
	Repeated bool
	// Pages is the number of pages the read took.
	Pages int
}

// ListingVerdict is what JudgeListing decides for one read.
type ListingVerdict int

const (
	// ListingAccepted: the read is the listing; act on it.
	ListingAccepted ListingVerdict = iota
	// ListingReread: the listing moved under the pages, or a read of several pages is not yet
	// confirmed: read it again (RereadListing says whether there is time and reads left).
	ListingReread
	// ListingRefused: the service answers in a way no re-read mends (the same page again with
	// the same total): stop now.
	ListingRefused
)

// ListingJudgement is JudgeListing's answer: the verdict, why (for the error when reads run
// out), and whether the read agrees with itself (so a later read may confirm it).
type ListingJudgement struct {
	Verdict    ListingVerdict
	Reason     string
	Consistent bool
}

// JudgeListing decides whether one read of a paged listing can be acted on. confirmed is the
// last earlier read that agreed with itself (nil when none). A read agrees with itself when no
// page came back empty before the total, every page announced the same total, the distinct
// items read are exactly that total, and no item came twice. A read of one page is then the
// listing: the service answered it in one response. A read of several pages is the listing only
// when the read before it agreed with itself and found the very same items: a member who left
// while another joined keeps the count right and still hides someone, and two reads in a row
// that move the same way to the same items are what the count alone cannot tell.
func JudgeListing(cur ListingRead, confirmed *ListingRead) ListingJudgement {
	moved := func(reason string) ListingJudgement {
		return ListingJudgement{Verdict: ListingReread, Reason: reason + ": the listing moved under the pages"}
	}
	if cur.StoppedShort {
		total := 0
		if len(cur.Totals) > 0 {
			total = cur.Totals[len(cur.Totals)-1]
		}
		return moved(fmt.Sprintf("listing stopped at item %d of %d", len(cur.IDs), total))
	}
	for i := 1; i < len(cur.Totals); i++ {
		if cur.Totals[i] != cur.Totals[0] {
			return moved(fmt.Sprintf("totalResults changed from %d to %d between pages %d and %d", cur.Totals[0], cur.Totals[i], i, i+1))
		}
	}
	if cur.Repeated {
		return ListingJudgement{Verdict: ListingRefused,
			Reason: fmt.Sprintf("page %d repeats items of an earlier page with the same total: the service serves the same page again instead of the next", cur.Pages)}
	}
	if n := len(cur.Totals); n > 0 && cur.Totals[n-1] != len(cur.IDs) {
		return moved(fmt.Sprintf("%d distinct items read, but totalResults says %d", len(cur.IDs), cur.Totals[n-1]))
	}
	if cur.Duplicates > 0 {
		return moved(fmt.Sprintf("%d item(s) came twice", cur.Duplicates))
	}
	if cur.Pages <= 1 || (confirmed != nil && slices.Equal(confirmed.IDs, cur.IDs)) {
		return ListingJudgement{Verdict: ListingAccepted, Consistent: true}
	}
	return ListingJudgement{Verdict: ListingReread, Consistent: true,
		Reason: fmt.Sprintf("a listing of %d pages is trusted only when two reads in a row find the same items, and the last two did not", cur.Pages)}
}

// ListingReads bounds the reads of one listing: one that moved, then two that agree, and one
// more for a second change.
const ListingReads = 4

// rereadBackoff is the wait before the second read; it doubles for each read after.
const rereadBackoff = 250 * time.Millisecond

// RereadListing says whether to read a listing again after reads reads, and after how long: not
// once ListingReads reads were made, and not when the wait would end past the deadline (zero:
// none), so the run still stops with its error in time.
func RereadListing(reads int, deadline, now time.Time) (wait time.Duration, again bool) {
	if reads >= ListingReads {
		return 0, false
	}
	wait = rereadBackoff << (reads - 1)
	if !deadline.IsZero() && !now.Add(wait).Before(deadline) {
		return 0, false
	}
	return wait, true
}

// ErrListingUnstable is the error of a listing that did not hold still within ListingReads
// reads: the run stops rather than act on a membership it could not read whole.
var ErrListingUnstable = errors.New("the listing kept changing while it was read")

// PageTrail follows one listing's page tokens (IAM's opc-next-page). A token the service has
// given before would make the client read the same pages again and again until its deadline, and
// forever without one: Next refuses it.
type PageTrail struct{ seen map[string]bool }

// ErrPageTokenRepeated is Next's error for a token already followed.
var ErrPageTokenRepeated = errors.New("the service repeated a page token it had already given (opc-next-page), so the listing would never end")

// Next records the next page's token, or says it was given before.
func (t *PageTrail) Next(token string) error {
	if t.seen == nil {
		t.seen = map[string]bool{}
	}
	if t.seen[token] {
		return ErrPageTokenRepeated
	}
	t.seen[token] = true
	return nil
}

// ErrMalformedRecord is the error of a listed record that lacks what identifies it (a member
// without its OCID, a key without its owner or fingerprint): discovery stops, nothing is merged
// or matched on a missing value.
var ErrMalformedRecord = errors.New("malformed record")

// malformedMembers decides whether a group's members can be used: every member needs an OCID,
// which is what keys are matched to and what merges a user in several groups; an empty one
// would merge unrelated members and match owner-less keys.
func malformedMembers(g Group, members []User) error {
	for _, u := range members {
		if u.OCID == "" {
			return fmt.Errorf("%w: group %q has a member without an OCID (id %q, user name %q); refusing to act on an incomplete membership",
				ErrMalformedRecord, g.Ref, u.ID, u.UserName)
		}
	}
	return nil
}
