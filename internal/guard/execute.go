package guard

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"
)

// execute carries out the plan with bounded concurrency and records every key's and
// capability's outcome. It decides nothing: the action comes from the plan, whether a write may
// start from startRefusal, what its answer means from writeOutcome. Each write goroutine owns
// exactly one result entry, so no locking is needed.
func execute(ctx context.Context, dir Directory, plan []Step, opt Options) []AdminResult {
	results := make([]AdminResult, len(plan))
	var g errgroup.Group
	g.SetLimit(opt.Concurrency)
	w := writer{ctx: ctx, dir: dir, opt: opt, g: &g}
	for i, s := range plan {
		r := &results[i]
		*r = AdminResult{UserName: s.UserName, OCID: s.OCID, Domain: s.Domain.Name, Active: s.Active,
			Groups: s.Groups, Exempt: s.Exempt, Keys: make([]KeyResult, len(s.Keys))}
		if c := s.Capability; c != nil {
			r.Capability = &KeyResult{Capabilities: c.Kinds}
			w.carryOut(s, *c, r.Capability, func() Answer {
				return Answer{Err: disableCapabilities(ctx, dir, s.User, c.Kinds)}
			})
		}
		for j, k := range s.Keys {
			kr := &r.Keys[j]
			*kr = KeyResult{Fingerprint: k.Fingerprint, ID: k.ID}
			if k.CredentialKind() != KindAPIKeys {
				kr.Kind, kr.Description, kr.Created, kr.Expires = k.Kind, k.Description, timeOrNil(k.Created), timeOrNil(k.Expires)
			}
			w.carryOut(s, s.Actions[j], kr, func() Answer { return w.delete(s.User, k) })
		}
	}
	_ = g.Wait() // the goroutines never return errors: each failure is recorded on its own entry
	return results
}

// writer carries out one run's writes.
type writer struct {
	ctx context.Context
	dir Directory
	opt Options
	g   *errgroup.Group
}

// carryOut records a final action at once, or starts its write (unless it may not start) and
// records what the answer means.
func (w writer) carryOut(s Step, a Action, entry *KeyResult, write func() Answer) {
	if !a.Write {
		entry.Outcome, entry.Reason = a.Outcome, a.Reason
		w.log(s, entry)
		return
	}
	entry.Outcome = OutcomeNotAttempted
	w.g.Go(func() error {
		if reason := startRefusal(w.ctx.Err(), deadlineOf(w.ctx), w.opt.Now(), w.opt.Reserve); reason != "" {
			entry.Reason = reason
			w.log(s, entry)
			return nil
		}
		answer := write()
		answer.Cut = w.ctx.Err() != nil
		stage := "delete"
		if entry.Capabilities != nil {
			stage = stageDisable
		}
		v := writeOutcome(a.Outcome, stage, answer)
		entry.Outcome, entry.Reason, entry.Code, entry.failure = v.Outcome, v.Reason, v.Code, v.Failure
		w.log(s, entry)
		return nil
	})
}

// delete deletes one credential; a 404 or 409 is checked by listing the owner's credentials
// again, as often and as late as nextRecheck says (IAM listings lag behind writes).
func (w writer) delete(u User, k APIKey) Answer {
	a := Answer{Err: deleteCredential(w.ctx, w.dir, k)}
	var waited time.Duration
	for {
		wait, again := nextRecheck(a, waited, w.opt.Now(), deadlineOf(w.ctx), w.opt.Reserve)
		if !again || w.opt.Sleep(w.ctx, wait) != nil {
			return a
		}
		waited += wait
		keys, err := listCredentials(w.ctx, w.dir, k.CredentialKind(), k.Domain, []User{u})
		i := slices.IndexFunc(keys, func(x APIKey) bool { return x.ID == k.ID && x.Fingerprint == k.Fingerprint })
		a.Relisted, a.Rechecks, a.RelistErr = true, a.Rechecks+1, err
		a.StillListed, a.Deleting = i >= 0, i >= 0 && keys[i].Deleting
	}
}

// sleep waits d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// deadlineOf is ctx's deadline, zero when it has none.
func deadlineOf(ctx context.Context) time.Time {
	d, _ := ctx.Deadline()
	return d
}

// log writes one entry's outcome: failures as errors, what was not done as warnings.
func (w writer) log(s Step, e *KeyResult) {
	level := slog.LevelInfo
	switch e.Outcome {
	case OutcomeFailed:
		level = slog.LevelError
	case OutcomeNotAttempted:
		level = slog.LevelWarn
	}
	attrs := []any{"outcome", e.Outcome, "user", s.UserName, "userOcid", s.OCID}
	if e.Reason != "" {
		attrs = append(attrs, "reason", e.Reason)
	}
	if e.Code != "" {
		attrs = append(attrs, "code", e.Code)
	}
	w.opt.Logger.Log(w.ctx, level, logMessage(e), append(attrs, credAttrs(e)...)...)
}

// What the log says happened to a credential and to a capability entry.
var (
	credentialDone = map[Outcome]string{OutcomeDeleted: "key deleted", OutcomeDeleting: "key already being deleted", OutcomeWouldDelete: "key would be deleted",
		OutcomeExempt: "key kept", OutcomeFailed: "key delete failed", OutcomeNotAttempted: "change not attempted"}
	capabilityDone = map[Outcome]string{OutcomeDisabled: "capability disabled", OutcomeWouldDisable: "capability would be disabled",
		OutcomeExempt: "capability kept", OutcomeUnchanged: "capability already disabled", OutcomeFailed: "capability disable failed",
		OutcomeNotAttempted: "change not attempted"}
)

// logMessage says what happened to an entry in a few words ("key deleted", "capability would be
// disabled").
func logMessage(e *KeyResult) string {
	if e.Capabilities != nil {
		return capabilityDone[e.Outcome]
	}
	return credentialDone[e.Outcome]
}

// credAttrs are the log attributes that name an entry: the fingerprint of an API key; the
// kind, id, description and expiry of any other credential (never its secret); the kinds of a
// capability entry.
func credAttrs(e *KeyResult) []any {
	switch {
	case e.Capabilities != nil:
		return []any{"capabilities", e.Capabilities}
	case e.Kind == "":
		return []any{"fingerprint", e.Fingerprint}
	}
	a := []any{"kind", e.Kind, "credentialId", e.ID, "description", e.Description}
	if e.Expires != nil {
		a = append(a, "expires", *e.Expires)
	}
	return a
}
