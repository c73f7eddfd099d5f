package guard

import (
	"context"
	"errors"
	"log/slog"
	"slices"

	"golang.org/x/sync/errgroup"
)

// ReasonInterrupted starts the reason of a write that the invocation deadline cut off while it
// was in flight; whether OCI applied it is unknown until the next run lists the keys again.
const ReasonInterrupted = "interrupted by the invocation deadline, may or may not have been applied"

// execute carries out the plan with bounded concurrency and reports every key and capability.
// Each write goroutine owns exactly one report entry, so no locking is needed.
func execute(ctx context.Context, dir Directory, plan []Step, opt Options) []AdminReport {
	reports := make([]AdminReport, len(plan))
	var g errgroup.Group
	g.SetLimit(opt.Concurrency)
	for i, s := range plan {
		r := &reports[i]
		*r = AdminReport{UserName: s.UserName, OCID: s.OCID, Domain: s.Domain.Name, Active: s.Active,
			Groups: s.Groups, Exempt: s.Exempt, Keys: make([]KeyReport, len(s.Keys))}
		if len(opt.DisableKinds) > 0 {
			// the kinds this run switches off, or (nothing left to switch off) the kinds asked for
			r.Capability = &KeyReport{Capabilities: s.DisableKinds}
			if len(s.DisableKinds) == 0 {
				r.Capability.Capabilities = opt.DisableKinds
			}
			switch {
			case s.Exempt:
				r.Capability.Outcome = OutcomeExempt
			case !s.Disable:
				r.Capability.Outcome = OutcomeUnchanged
			case opt.DryRun:
				r.Capability.Outcome = OutcomeWouldDisable
				opt.Logger.InfoContext(ctx, "capability would be disabled", "outcome", r.Capability.Outcome, "user", s.UserName, "userOcid", s.OCID, "capabilities", s.DisableKinds)
			default:
				write(ctx, &g, opt, r.Capability, s, func() { disable(ctx, dir, s, r.Capability, opt) })
			}
		}
		for j, k := range s.Keys {
			kr := &r.Keys[j]
			*kr = KeyReport{Fingerprint: k.Fingerprint, ID: k.ID}
			if k.CredentialKind() != KindAPIKeys {
				kr.Kind, kr.Description, kr.Created, kr.Expires = k.Kind, k.Description, timeOrNil(k.Created), timeOrNil(k.Expires)
			}
			if s.Exempt {
				kr.Outcome = OutcomeExempt
				kr.Reason = "user is in EXEMPT_USERS"
				opt.Logger.InfoContext(ctx, "key kept", credAttrs(kr, s, "outcome", kr.Outcome)...)
				continue
			}
			if opt.DryRun {
				kr.Outcome = OutcomeWouldDelete
				opt.Logger.InfoContext(ctx, "key would be deleted", credAttrs(kr, s, "outcome", kr.Outcome)...)
				continue
			}
			write(ctx, &g, opt, kr, s, func() { deleteKey(ctx, dir, s, k, kr, opt) })
		}
	}
	_ = g.Wait() // the goroutines never return errors: each failure is recorded on its own entry
	return reports
}

// write starts one change unless the deadline is too close to finish it and still report.
func write(ctx context.Context, g *errgroup.Group, opt Options, kr *KeyReport, s Step, do func()) {
	kr.Outcome = OutcomeNotAttempted
	g.Go(func() error {
		if reason := tooLate(ctx, opt); reason != "" {
			kr.Reason = reason
			opt.Logger.WarnContext(ctx, "change not attempted", "outcome", kr.Outcome, "reason", reason, "user", s.UserName, "fingerprint", kr.Fingerprint)
			return nil
		}
		do()
		return nil
	})
}

func tooLate(ctx context.Context, opt Options) string {
	if err := ctx.Err(); err != nil {
		return "invocation cancelled or out of time: " + err.Error()
	}
	if d, ok := ctx.Deadline(); ok && d.Sub(opt.Now()) < opt.Reserve {
		return "too close to the invocation deadline to start"
	}
	return ""
}

func deleteKey(ctx context.Context, dir Directory, s Step, k APIKey, kr *KeyReport, opt Options) {
	err := deleteCredential(ctx, dir, k)
	if errors.Is(err, ErrNotSent) {
		kr.Outcome, kr.Reason = OutcomeNotAttempted, err.Error()
		opt.Logger.WarnContext(ctx, "change not attempted", "outcome", kr.Outcome, "reason", kr.Reason, "user", s.UserName, "fingerprint", kr.Fingerprint)
		return
	}
	if errors.Is(err, ErrNotFound) {
		// OCI answers 404 both for "gone" and for "not authorized": only a listing tells them apart.
		gone, lerr := keyGone(ctx, dir, s.User, k)
		switch {
		case lerr != nil:
			err = errors.Join(err, lerr)
		case gone:
			err = nil
			kr.Reason = "already gone (deleted by someone else or a concurrent run)"
		}
	}
	if err != nil && ctx.Err() != nil {
		// The request was cut off by the deadline: OCI may or may not have applied it.
		kr.Outcome, kr.Reason = OutcomeFailed, ReasonInterrupted+": "+err.Error()
		opt.Logger.WarnContext(ctx, "key delete interrupted", credAttrs(kr, s, "outcome", kr.Outcome, "error", err)...)
		return
	}
	if err != nil {
		p := problem("delete", err)
		kr.Outcome, kr.Reason, kr.Code = OutcomeFailed, p.Message, p.Code
		if p.Hint != "" {
			kr.Reason += "; " + p.Hint
		}
		opt.Logger.ErrorContext(ctx, "key delete failed", credAttrs(kr, s, "outcome", kr.Outcome, "code", kr.Code, "error", kr.Reason)...)
		return
	}
	kr.Outcome = OutcomeDeleted
	opt.Logger.InfoContext(ctx, "key deleted", credAttrs(kr, s, "outcome", kr.Outcome, slog.String("note", kr.Reason))...)
}

func keyGone(ctx context.Context, dir Directory, u User, k APIKey) (bool, error) {
	keys, err := listCredentials(ctx, dir, k.CredentialKind(), k.Domain, []User{u})
	if err != nil {
		return false, err
	}
	return !slices.ContainsFunc(keys, func(x APIKey) bool { return x.ID == k.ID && x.Fingerprint == k.Fingerprint }), nil
}

func disable(ctx context.Context, dir Directory, s Step, kr *KeyReport, opt Options) {
	err := disableCapabilities(ctx, dir, s.User, s.DisableKinds)
	if errors.Is(err, ErrNotSent) {
		kr.Outcome, kr.Reason = OutcomeNotAttempted, err.Error()
		opt.Logger.WarnContext(ctx, "change not attempted", "outcome", kr.Outcome, "reason", kr.Reason, "user", s.UserName, "fingerprint", kr.Fingerprint)
		return
	}
	if err != nil && ctx.Err() != nil {
		kr.Outcome, kr.Reason = OutcomeFailed, ReasonInterrupted+": "+err.Error()
		opt.Logger.WarnContext(ctx, "capability disable interrupted", "outcome", kr.Outcome, "user", s.UserName, "userOcid", s.OCID, "capabilities", s.DisableKinds, "error", err)
		return
	}
	if err != nil {
		p := problem("disable", err)
		kr.Outcome, kr.Reason, kr.Code = OutcomeFailed, p.Message, p.Code
		if p.Hint != "" {
			kr.Reason += "; " + p.Hint
		}
		opt.Logger.ErrorContext(ctx, "capability disable failed", "outcome", kr.Outcome, "user", s.UserName, "userOcid", s.OCID, "capabilities", s.DisableKinds, "code", kr.Code, "error", kr.Reason)
		return
	}
	kr.Outcome = OutcomeDisabled
	opt.Logger.InfoContext(ctx, "capability disabled", "outcome", kr.Outcome, "user", s.UserName, "userOcid", s.OCID, "capabilities", s.DisableKinds)
}

// credAttrs are the log attributes that name a credential: the fingerprint of an API key; the
// kind, id, description and expiry of any other credential (never its secret).
func credAttrs(kr *KeyReport, s Step, more ...any) []any {
	a := append(more, "user", s.UserName, "userOcid", s.OCID)
	if kr.Kind == "" {
		return append(a, "fingerprint", kr.Fingerprint)
	}
	a = append(a, "kind", kr.Kind, "credentialId", kr.ID, "description", kr.Description)
	if kr.Expires != nil {
		a = append(a, "expires", *kr.Expires)
	}
	return a
}
