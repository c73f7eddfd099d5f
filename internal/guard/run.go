package guard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// Options are a run's settings, already validated by the config and trigger packages.
type Options struct {
	Groups            []GroupRef // administrator groups to enforce (at least one)
	DryRun            bool
	Exempt            Exemptions
	DisableCapability bool
	// Credentials are the kinds deleted (ADMIN_CREDENTIALS); empty means API keys only.
	Credentials []Kind
	// DisableKinds are the capabilities switched off (DISABLE_CAPABILITIES); with
	// DisableCapability, API keys are among them.
	DisableKinds []Kind
	// Concurrency bounds parallel writes (deletes, capability updates); the Identity APIs throttle.
	Concurrency int
	// IncludePolicyAdmins also enforces groups that a policy grants manage all-resources in
	// tenancy; they are reported either way when the Directory can read policies.
	IncludePolicyAdmins bool
	// IncludeEscalationAdmins also enforces the groups behind unconditional, documented
	// escalation paths (escalation.go); the paths are reported either way.
	IncludeEscalationAdmins bool
	// Reserve is kept back before the context's deadline (internal/budget.Reserve in
	// production): no new write starts inside it, so a write started earlier has time to get
	// its answer before the run's context ends.
	Reserve time.Duration
	// ResumeAt is where to start (the previous run's Result.ResumeAt, kept by the handler for
	// the life of the process); empty starts at the first administrator.
	ResumeAt string
	// Signer is the API key the run signs with (zero for a token): the plan never deletes it,
	// nor switches its owner's API keys off (decide.go, credentialAction).
	Signer Signer
	Logger *slog.Logger
	Now    func() time.Time
	// Named is the credential the invocation's event names (a credential-creation event), nil
	// otherwise: when the run's listing does not show it yet, its owner is listed again until
	// it does (named.go).
	Named *NamedCredential
	// Sleep waits d or until ctx ends (re-checks of a delete, decide.go nextRecheck); tests
	// give one that does not wait. Default: a timer.
	Sleep func(ctx context.Context, d time.Duration) error

	// resolved are the configured groups as discovery resolved them (Groups, in order; fewer
	// when one failed): what every other reference to them is compared with (sameGroupRefs).
	resolved []Group
}

// ErrorDetail is implemented by Directory errors that know OCI's error code and what to fix.
type ErrorDetail interface {
	ErrorCode() string
	Hint() string
}

// Run discovers the administrators, then, administrator by administrator, lists their
// credentials, plans, and (unless dry run) acts, and returns what it found and did. Discovery
// of the administrators is all-or-nothing: if any group or membership listing fails, nothing is
// changed and the status is error, because an incomplete view of the administrators must never
// pass for "no administrators". Once they are known, each one's credentials are listed and
// acted on in turn (enforce), so a run cut short by the deadline or the rate limit has done
// what it reached, reports the rest not reached, and is partial.
func Run(ctx context.Context, dir Directory, opt Options) Result {
	opt = opt.withDefaults()
	found, err := discover(ctx, dir, opt)
	res := Result{Groups: found.groups, Policy: found.policy, Escalation: found.escalation, DomainRoles: found.roles, Warnings: found.warnings,
		Exemptions: ExemptionCheck{Configured: len(opt.Exempt.Entries())}}
	if err != nil {
		res.Errors = append(res.Errors, problem(discoveryStage(err), err))
		return res.settled()
	}
	// Every exemption must name an administrator before anything changes: an entry that names
	// nobody is a typo (or stale) until shown otherwise, and the administrator it was meant to
	// protect would lose their keys (checkExemptions). A name can only match an administrator
	// whose name was read: with names among the entries, every administrator is read first
	// (readNames); with OCIDs only, nobody is, and the steady state stays at the listings.
	admins, unread := readNames(ctx, dir, found.admins, opt)
	var stops []Problem
	res.Exemptions, stops = checkExemptions(opt.Exempt, admins)
	if len(stops) > 0 {
		res.Errors = append(res.Errors, stops...)
		res.Errors = append(res.Errors, unreadProblems(unread)...)
		return res.settled()
	}
	done := enforce(ctx, dir, admins, unread, opt)
	res.Admins, res.ResumeAt = done.results, done.resumeAt
	for _, k := range done.strays {
		res.Warnings = append(res.Warnings, strayWarning(k))
	}
	owner, wait, why := namedWait(opt.Named, admins, done.listed, opt.Credentials, opt.Exempt)
	if wait && !namedOwnerListed(res.Admins, owner.OCID) {
		wait, why = false, NamedOwnerNotListed
	}
	if why != "" {
		opt.Logger.InfoContext(ctx, "credential named by the event", "user", opt.Named.UserOCID, "kind", opt.Named.Kind, "decision", why)
	}
	if wait {
		res.Admins = mergeAdmins(res.Admins, awaitNamed(ctx, dir, *owner, *opt.Named, done.listed, opt))
	}
	return res.settled()
}

// Stopped is the result of a run that stopped before discovery (bad configuration or body, no
// credentials): status error, these problems, nothing changed.
func Stopped(problems ...Problem) Result {
	return Result{Errors: problems, Exemptions: ExemptionCheck{
		Summary: "exemptions: not checked (the run stopped before the configuration or the tenancy was read)"}}.settled()
}

// settled counts the outcomes, reports the write failures once per operation and code, and sets
// the status from them. Called once per Result.
func (r Result) settled() Result {
	r.Counts = countOutcomes(r.Admins)
	r.Counts.EscalationPaths = len(r.Escalation)
	for _, e := range r.Escalation {
		if e.Enforced {
			r.Counts.EscalationEnforced++
		}
	}
	failures, nothingApplied := writeProblems(r.Admins)
	r.Status = statusOf(len(r.Errors), r.Counts, nothingApplied)
	r.Errors = append(r.Errors, failures...)
	if r.Exemptions.Summary == "" {
		r.Exemptions.Summary = r.Exemptions.summary()
	}
	return r
}

func (o Options) rules() Rules {
	return Rules{Exempt: o.Exempt, DryRun: o.DryRun, DisableKinds: o.DisableKinds, Signer: o.Signer}
}

func (o Options) withDefaults() Options {
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	if len(o.Credentials) == 0 {
		o.Credentials = []Kind{KindAPIKeys}
	}
	if o.DisableCapability && !slices.Contains(o.DisableKinds, KindAPIKeys) {
		o.DisableKinds = append([]Kind{KindAPIKeys}, o.DisableKinds...)
	}
	o.DisableKinds = slices.Clip(o.DisableKinds)
	return o
}

// found is what discovery read: the administrator groups and their members, the policy
// findings and warnings.
type found struct {
	groups   []GroupResult
	policy   []PolicyFinding
	warnings []Problem
	admins   []Admin

	// escalation are the escalation paths found (escalation.go, roles.go); roles says whether
	// the Default domain's roles were read.
	escalation []EscalationFinding
	roles      *RoleEvaluation
}

// discover resolves every configured group (and, by the policy decisions, policy-named ones)
// and lists the members; their credentials are listed later, administrator by administrator
// (enforce). A user in several groups is one administrator. The configured groups are resolved
// first: a policy or a role grant names a group by name or by OCID, and only the resolved group
// tells whether that is a configured one (sameGroupRefs); a group reached by two references is
// listed once. On error it returns what it had read so far, for the report.
func discover(ctx context.Context, dir Directory, opt Options) (found, error) {
	var f found
	if len(opt.Groups) == 0 {
		return f, errors.New("no administrator groups configured")
	}
	configured, resolveErr := resolveConfigured(ctx, dir, opt.Groups)
	if errors.Is(resolveErr, ErrConfiguration) {
		return f, resolveErr // the configuration names the wrong thing: read nothing more
	}
	opt.resolved = configured
	fromPolicy, roleUsers, err := beyondConfigured(ctx, dir, opt, &f)
	if err != nil {
		return f, err
	}
	if resolveErr != nil { // after the policies, which the report shows whatever stopped the run
		return f, resolveErr
	}
	admins := adminSet{byUser: map[string]*Admin{}}
	listed := map[string]bool{}
	for _, c := range configured {
		if err := listMembers(ctx, dir, c, SourceConfig, listed, &admins, opt, &f); err != nil {
			return f, err
		}
	}
	for _, sr := range fromPolicy {
		if err := resolveBeyond(ctx, dir, sr, listed, &admins, opt, &f); err != nil {
			return f, err
		}
	}
	for _, a := range roleUsers { // users holding a domain role directly (roles.go)
		admins.add(a.User, a.Groups...)
	}
	for _, k := range admins.order {
		f.admins = append(f.admins, *admins.byUser[k])
	}
	return f, nil
}

// resolveConfigured resolves the configured groups, in order; a missing one stops the run
// (missingGroup), and so does any other failure.
func resolveConfigured(ctx context.Context, dir Directory, refs []GroupRef) ([]Group, error) {
	groups := make([]Group, 0, len(refs))
	for _, ref := range refs {
		g, err := dir.ResolveGroup(ctx, ref)
		if errors.Is(err, ErrNotFound) {
			_, stop := missingGroup(ref, SourceConfig, err)
			return groups, stop
		}
		if errors.Is(err, ErrConfiguration) {
			return groups, err // about the configuration, not this group
		}
		if err != nil {
			return groups, fmt.Errorf("resolve group %q: %w", ref, err)
		}
		groups = append(groups, g)
	}
	return groups, nil
}

// resolveBeyond resolves a group enforced beyond the configured ones and lists its members; a
// missing one is what missingGroup decides (for these, a warning).
func resolveBeyond(ctx context.Context, dir Directory, sr sourcedRef, listed map[string]bool, admins *adminSet, opt Options, f *found) error {
	g, err := dir.ResolveGroup(ctx, sr.ref)
	if errors.Is(err, ErrNotFound) {
		warning, stop := missingGroup(sr.ref, sr.source, err)
		if warning != nil {
			f.warnings = append(f.warnings, *warning)
		}
		return stop
	}
	if err != nil {
		return fmt.Errorf("resolve group %q: %w", sr.ref, err)
	}
	return listMembers(ctx, dir, g, sr.source, listed, admins, opt, f)
}

// listMembers lists the members of a resolved group and records the group in f, unless the
// group was listed already under another reference (listed, by groupIdentity).
func listMembers(ctx context.Context, dir Directory, g Group, source string, listed map[string]bool, admins *adminSet, opt Options, f *found) error {
	id := groupIdentity(g)
	if listed[id] {
		return nil
	}
	listed[id] = true
	members, err := dir.Members(ctx, g)
	if err != nil {
		return fmt.Errorf("list members of group %q: %w", g.Ref, err)
	}
	if err := malformedMembers(g, members); err != nil {
		return err
	}
	f.groups = append(f.groups, GroupResult{Name: g.Ref.Name, Domain: g.Domain.Name, OCID: g.OCID, Members: len(members), Source: source, API: g.Domain.API})
	opt.Logger.InfoContext(ctx, "admin group resolved", "group", g.Ref.String(), "domain", g.Domain.Name, "ocid", g.OCID, "members", len(members))
	label := g.Domain.Name + "/" + g.Ref.Name
	for _, u := range members {
		admins.add(u, label)
	}
	return nil
}

// adminSet collects administrators once each, in order of discovery, with every group (or
// role) that makes them one.
type adminSet struct {
	byUser map[string]*Admin
	order  []string
}

// A user without an OCID (discovery refuses one, malformedMembers) would never be merged with
// another: each is its own entry.
func (s *adminSet) add(u User, labels ...string) {
	k := ownerKey(u.OCID)
	if u.OCID == "" {
		k = fmt.Sprintf("\x00no OCID #%d", len(s.order))
	}
	if a, ok := s.byUser[k]; ok {
		a.Groups = append(a.Groups, labels...)
		return
	}
	s.byUser[k] = &Admin{User: u, Groups: labels}
	s.order = append(s.order, k)
}

// ProblemFrom describes err for the report, with OCI's code and hint when err carries them.
func ProblemFrom(stage string, err error) Problem { return problem(stage, err) }

func problem(stage string, err error) Problem {
	p := Problem{Stage: stage, Message: err.Error()}
	var d ErrorDetail
	if errors.As(err, &d) {
		p.Code, p.Hint = d.ErrorCode(), d.Hint()
	}
	return p
}
