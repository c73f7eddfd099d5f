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
	// Reserve is kept back before the context's deadline (internal/budget.Reserve in
	// production): no new write starts inside it, so a write started earlier has time to get
	// its answer before the run's context ends.
	Reserve time.Duration
	Logger  *slog.Logger
	Now     func() time.Time
}

// ErrorDetail is implemented by Directory errors that know OCI's error code and what to fix.
type ErrorDetail interface {
	ErrorCode() string
	Hint() string
}

// Run discovers the administrators, plans, and (unless dry run) acts. Discovery is
// all-or-nothing: if any group or listing fails, nothing is changed and the status is error,
// because an incomplete view of the administrators must never pass for "no administrators".
func Run(ctx context.Context, dir Directory, opt Options, rep *Report) {
	opt = opt.withDefaults()
	if opt.DryRun {
		rep.Mode = "dry-run"
	} else {
		rep.Mode = "enforce"
	}
	admins, err := discover(ctx, dir, opt, rep)
	var keys []APIKey
	if err == nil {
		keys, err = keysOf(ctx, dir, admins, opt.Credentials)
	}
	if err != nil {
		rep.Errors = append(rep.Errors, problem("discovery", err))
		rep.Status = StatusError
		rep.recount()
		return
	}
	plan, strays := PlanKinds(admins, keys, opt.Exempt, opt.DisableKinds)
	for _, k := range strays {
		what := "key " + k.Fingerprint
		if k.CredentialKind() != KindAPIKeys {
			what = k.Label()
		}
		rep.Warnings = append(rep.Warnings, Problem{Stage: "discovery",
			Message: fmt.Sprintf("listing returned %s of user %s, who is not an administrator; ignored", what, k.UserOCID)})
	}
	rep.Admins = execute(ctx, dir, plan, opt)
	rep.recount()
	switch {
	case len(rep.Errors) > 0:
		rep.Status = StatusError
	case rep.Counts.Failed+rep.Counts.NotAttempted > 0:
		rep.Status = StatusPartial
	default:
		rep.Status = StatusOK
	}
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
	if len(o.Credentials) == 0 {
		o.Credentials = []Kind{KindAPIKeys}
	}
	if o.DisableCapability && !slices.Contains(o.DisableKinds, KindAPIKeys) {
		o.DisableKinds = append([]Kind{KindAPIKeys}, o.DisableKinds...)
	}
	o.DisableKinds = slices.Clip(o.DisableKinds)
	return o
}

// discover resolves every configured group and lists its members; a user in several groups
// is one administrator.
func discover(ctx context.Context, dir Directory, opt Options, rep *Report) ([]Admin, error) {
	if len(opt.Groups) == 0 {
		return nil, errors.New("no administrator groups configured")
	}
	fromPolicy, err := policyGroups(ctx, dir, opt.Groups, opt.IncludePolicyAdmins, rep)
	if err != nil {
		return nil, err
	}
	byUser := map[string]*Admin{}
	var order []string
	for i, ref := range append(slices.Clip(opt.Groups), fromPolicy...) {
		source := "config"
		if i >= len(opt.Groups) {
			source = "policy"
		}
		g, err := dir.ResolveGroup(ctx, ref)
		if errors.Is(err, ErrNotFound) && source == "policy" {
			// A policy may name a group or domain that no longer exists; that grants nothing.
			rep.Warnings = append(rep.Warnings, problem("policy", fmt.Errorf("group %q named by a policy was not found; nothing to enforce for it: %w", ref, err)))
			continue
		}
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("administrator group %q does not exist (or the function may not read it): %w", ref, err)
		}
		if err != nil {
			return nil, fmt.Errorf("resolve group %q: %w", ref, err)
		}
		members, err := dir.Members(ctx, g)
		if err != nil {
			return nil, fmt.Errorf("list members of group %q: %w", ref, err)
		}
		rep.Groups = append(rep.Groups, GroupReport{Name: g.Ref.Name, Domain: g.Domain.Name, OCID: g.OCID, Members: len(members), Source: source, API: g.Domain.API})
		opt.Logger.InfoContext(ctx, "admin group resolved", "group", g.Ref.String(), "domain", g.Domain.Name, "ocid", g.OCID, "members", len(members))
		label := g.Domain.Name + "/" + g.Ref.Name
		for _, u := range members {
			k := ownerKey(u.OCID)
			if a, ok := byUser[k]; ok {
				a.Groups = append(a.Groups, label)
				continue
			}
			byUser[k] = &Admin{User: u, Groups: []string{label}}
			order = append(order, k)
		}
	}
	admins := make([]Admin, 0, len(order))
	for _, k := range order {
		admins = append(admins, *byUser[k])
	}
	return admins, nil
}

// keysOf lists the administrators' credentials of every configured kind, one batched listing
// per identity domain and kind.
func keysOf(ctx context.Context, dir Directory, admins []Admin, kinds []Kind) ([]APIKey, error) {
	byDomain := map[string][]User{}
	domains := map[string]Domain{}
	var order []string
	for _, a := range admins {
		k := a.Domain.key()
		if _, ok := domains[k]; !ok {
			domains[k] = a.Domain
			order = append(order, k)
		}
		byDomain[k] = append(byDomain[k], a.User)
	}
	var keys []APIKey
	for _, k := range order {
		for _, kind := range kinds {
			ks, err := listCredentials(ctx, dir, kind, domains[k], byDomain[k])
			if err != nil && kind == KindAPIKeys {
				return nil, fmt.Errorf("list API keys in domain %q: %w", domains[k].Name, err)
			}
			if err != nil {
				return nil, fmt.Errorf("list %s in domain %q: %w", kind, domains[k].Name, err)
			}
			keys = append(keys, ks...)
		}
	}
	return keys, nil
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
