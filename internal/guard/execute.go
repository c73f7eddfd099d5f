package guard

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"
)

// enforce lists, plans and carries out, a batch of administrators at a time, so that a run
// cut short by the deadline or the rate limit has done everything it reached: the
// administrators themselves are already known (discover, all-or-nothing), and each one's
// credentials are listed, planned (Plan) and acted on before the run moves far ahead. It
// decides nothing itself: the order is enforcementOrder's, whether a user must be read
// detailBeforeListing's and detailForReport's, what a failed listing means listingOutcome's,
// whether a batch or a write may start startRefusal's, what a write's answer means
// writeOutcome's. A batch's writes run concurrently (at most Options.Concurrency writes in
// flight in all) while the next batch is listed, but no batch is listed before the writes of
// the one two back are done: the listings never run more than one batch ahead of the writes,
// so a run that the rate limit or the deadline cuts short spent its calls on deleting, not on
// listing administrators it could not reach. Each goroutine owns exactly one result entry, so
// no locking is needed.
//
// unread are the administrators readNames could not read, by OCID, with their result: they are
// not read again, and count where they fall in the order.
func enforce(ctx context.Context, dir Directory, admins []Admin, unread map[string]AdminResult, opt Options) enforced {
	order := enforcementOrder(admins, opt.ResumeAt)
	results := make([]AdminResult, len(order))
	var strays, listed []APIKey
	inFlight := make(chan struct{}, opt.Concurrency)
	var pending []*errgroup.Group // the writes of the batches listed last, oldest first
	for lo := 0; lo < len(order); {
		if len(pending) == 2 {
			_ = pending[0].Wait() // the goroutines never return errors: each is recorded on its entry
			pending = pending[1:]
		}
		g := &errgroup.Group{}
		pending = append(pending, g)
		w := writer{ctx: ctx, dir: dir, opt: opt, g: g, inFlight: inFlight, unread: unread}
		hi := batchEnd(dir, order, lo, opt.Concurrency)
		if reason := startRefusal(ctx.Err(), deadlineOf(ctx), opt.Now(), opt.Reserve); reason != "" {
			w.notReached(order[lo:], results[lo:], reason)
			break
		}
		steps, batchListed, batchStrays, failed := w.readBatch(order[lo:hi])
		strays, listed = append(strays, batchStrays...), append(listed, batchListed...)
		for i := lo; i < hi; i++ {
			if r, ok := failed[order[i].OCID]; ok {
				results[i] = r
				if _, logged := unread[order[i].OCID]; !logged {
					w.logListing(&results[i])
				}
				continue
			}
			w.start(steps[order[i].OCID], &results[i])
		}
		lo = hi
	}
	for _, g := range pending {
		_ = g.Wait()
	}
	return finished(order, results, strays, listed)
}

// enforced is what enforce did: each administrator's result (by domain, name and OCID), the
// listed credentials whose owner is not an administrator (strays), every credential listed, and
// where the next run resumes (empty when nothing was left undone).
type enforced struct {
	results        []AdminResult
	strays, listed []APIKey
	resumeAt       string
}

// finished sorts the results for the report and finds the first administrator, in order, that
// the run left undone.
func finished(order []Admin, results []AdminResult, strays, listed []APIKey) enforced {
	e := enforced{results: results, strays: strays, listed: listed}
	for i := range results {
		if undone(results[i]) {
			e.resumeAt = resumeKey(order[i].User)
			break
		}
	}
	slices.SortFunc(results, func(x, y AdminResult) int {
		return cmp.Or(cmp.Compare(x.Domain, y.Domain), cmp.Compare(x.UserName, y.UserName), cmp.Compare(x.OCID, y.OCID))
	})
	return e
}

// execute carries out a plan made outside the batches (awaitNamed: a credential the event named,
// listed late): every step's writes, at most Options.Concurrency at a time.
func execute(ctx context.Context, dir Directory, plan []Step, opt Options) []AdminResult {
	results := make([]AdminResult, len(plan))
	w := writer{ctx: ctx, dir: dir, opt: opt, g: &errgroup.Group{}, inFlight: make(chan struct{}, opt.Concurrency)}
	for i, s := range plan {
		w.start(s, &results[i])
	}
	_ = w.g.Wait() // the goroutines never return errors: each is recorded on its entry
	return results
}

// notReached records the administrators a run stopped before (reason: startRefusal's) as not
// reached, except those readNames could not read, which keep that result (logged then).
func (w writer) notReached(admins []Admin, results []AdminResult, reason string) {
	for i, a := range admins {
		if r, ok := w.unread[a.OCID]; ok {
			results[i] = r
			continue
		}
		results[i] = notListed(a, writeVerdict{Outcome: OutcomeNotAttempted, Reason: ReasonNotReached + " (" + reason + ")"})
		w.logListing(&results[i])
	}
}

// batchEnd is the end of the batch starting at lo: administrators of one domain, as many as
// the Directory lists in one call (ListBatcher), else n.
func batchEnd(dir Directory, order []Admin, lo, n int) int {
	if b, ok := dir.(ListBatcher); ok {
		n = max(1, b.ListBatch(order[lo].Domain))
	}
	hi := lo + 1
	for hi < len(order) && hi-lo < n && order[hi].Domain.key() == order[lo].Domain.key() {
		hi++
	}
	return hi
}

// undone says whether a run left something of this administrator for the next one.
func undone(r AdminResult) bool {
	if r.Listing != nil {
		return true
	}
	if r.Capability != nil && r.Capability.Outcome == OutcomeNotAttempted {
		return true
	}
	return slices.ContainsFunc(r.Keys, func(k KeyResult) bool { return k.Outcome == OutcomeNotAttempted })
}

// notListed is the result of an administrator whose credentials were not listed, and why
// (listingOutcome).
func notListed(a Admin, v writeVerdict) AdminResult {
	r := adminResult(a.User, a.Groups, false)
	r.Keys = []KeyResult{}
	r.Listing = &KeyResult{Outcome: v.Outcome, Reason: v.Reason, Code: v.Code, failure: v.Failure}
	return r
}

func adminResult(u User, groups []string, exempt bool) AdminResult {
	r := AdminResult{UserName: u.UserName, OCID: u.OCID, Domain: u.Domain.Name, Groups: groups, Exempt: exempt}
	if u.Detailed {
		r.Active = &u.Active
	}
	return r
}

// readNames reads every administrator not read yet when EXEMPT_USERS holds a user name, so
// that checkExemptions can match names against all of them before anything changes; with OCIDs
// only it reads nobody (the IAM family's steady state stays n+3 calls). It reads in
// enforcementOrder, so that a run cut short has read the administrators it would act on first.
// Those it could not read are returned by OCID with their result (listingOutcome), logged; they
// are not listed this run.
func readNames(ctx context.Context, dir Directory, admins []Admin, opt Options) ([]Admin, map[string]AdminResult) {
	unread := map[string]AdminResult{}
	if !opt.Exempt.HasNames() {
		return admins, unread
	}
	w := writer{ctx: ctx, dir: dir, opt: opt}
	read := w.detail(enforcementOrder(admins, opt.ResumeAt), func(a Admin) bool { return !a.Detailed }, func(a Admin, err error) {
		r := notListed(a, listingOutcome(err, ctx.Err() != nil))
		w.logListing(&r)
		unread[a.OCID] = r
	})
	byOCID := make(map[string]Admin, len(read))
	for _, a := range read {
		byOCID[a.OCID] = a
	}
	out := make([]Admin, len(admins)) // in discovery order, as checkExemptions reports them
	for i, a := range admins {
		out[i] = byOCID[a.OCID]
	}
	return out, unread
}

// readBatch reads what the batch's decisions need: the users that must be read first, every
// configured kind of credential of the batch (one listing per kind), then the users who turned
// out to hold one. It returns each administrator's planned step, the credentials listed, those
// whose owner is not an administrator, and the result of each administrator it could not read.
func (w writer) readBatch(batch []Admin) (steps map[string]Step, listed, strays []APIKey, failed map[string]AdminResult) {
	failed = map[string]AdminResult{}
	fail := func(a Admin, err error) {
		failed[a.OCID] = notListed(a, listingOutcome(err, w.ctx.Err() != nil))
	}
	admins := slices.DeleteFunc(slices.Clone(batch), func(a Admin) bool {
		r, ok := w.unread[a.OCID]
		if ok {
			failed[a.OCID] = r
		}
		return ok
	})
	admins = w.detail(admins, func(a Admin) bool { return detailBeforeListing(a.User, w.opt.rules()) }, fail)
	admins = slices.DeleteFunc(admins, func(a Admin) bool { _, ok := failed[a.OCID]; return ok })
	if len(admins) == 0 {
		return nil, nil, nil, failed
	}
	users := make([]User, len(admins))
	for i, a := range admins {
		users[i] = a.User
	}
	var keys []APIKey
	for _, kind := range w.opt.Credentials {
		ks, err := listCredentials(w.ctx, w.dir, kind, admins[0].Domain, users)
		if err != nil {
			err = fmt.Errorf("list %s in domain %q: %w", kind, admins[0].Domain.Name, err)
			for _, a := range admins {
				fail(a, err)
			}
			return nil, nil, nil, failed
		}
		keys = append(keys, ks...)
	}
	held := map[string]int{}
	for _, k := range keys {
		held[ownerKey(k.UserOCID)]++
	}
	admins = w.detail(admins, func(a Admin) bool { return detailForReport(a.User, held[ownerKey(a.OCID)]) }, fail)
	admins = slices.DeleteFunc(admins, func(a Admin) bool { _, ok := failed[a.OCID]; return ok })
	plan, strays := Plan(admins, keys, w.opt.rules())
	steps = make(map[string]Step, len(plan))
	for _, s := range plan {
		steps[s.OCID] = s
	}
	return steps, keys, strays, failed
}

// detail reads, concurrently, every administrator of admins that need says must be read, and
// returns admins with what was read; a user that could not be read goes to fail.
func (w writer) detail(admins []Admin, need func(Admin) bool, fail func(Admin, error)) []Admin {
	var g errgroup.Group
	g.SetLimit(w.opt.Concurrency)
	errs := make([]error, len(admins))
	for i := range admins {
		if !need(admins[i]) {
			continue
		}
		g.Go(func() error {
			u, err := w.dir.Detail(w.ctx, admins[i].User)
			if err == nil && u.OCID != admins[i].OCID {
				err = fmt.Errorf("reading user %s answered user %s: refusing to trust it", admins[i].OCID, u.OCID)
			}
			if err != nil {
				errs[i] = fmt.Errorf("read user %s: %w", admins[i].OCID, err)
				return nil
			}
			u.Domain, u.Detailed = admins[i].Domain, true
			admins[i].User = u
			return nil
		})
	}
	_ = g.Wait() // errors are per administrator, in errs
	for i, err := range errs {
		if err != nil {
			fail(admins[i], err)
		}
	}
	return admins
}

// start records one administrator's step into r and starts its writes.
func (w writer) start(s Step, r *AdminResult) {
	*r = adminResult(s.User, s.Groups, s.Exempt)
	r.Keys = make([]KeyResult, len(s.Keys))
	if c := s.Capability; c != nil {
		r.Capability = &KeyResult{Capabilities: c.Kinds}
		w.carryOut(s, *c, r.Capability, func() Answer { return w.disable(s.User, c.Kinds) })
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

// writer carries out one run's writes.
type writer struct {
	ctx context.Context
	dir Directory
	opt Options
	g   *errgroup.Group
	// inFlight holds a token per write in flight: at most Options.Concurrency, across batches.
	inFlight chan struct{}
	// unread are the administrators readNames could not read (enforce).
	unread map[string]AdminResult
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
		w.inFlight <- struct{}{}
		defer func() { <-w.inFlight }()
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

// disable switches the user's capabilities of kinds off; an update answered 404 or 409 is
// checked by reading the user back where that reads it afresh (readsBack), as often and as
// late as nextRecheck says: the capability still on is StillListed.
func (w writer) disable(u User, kinds []Kind) Answer {
	a := Answer{Err: disableCapabilities(w.ctx, w.dir, u, kinds)}
	var waited time.Duration
	for readsBack(u) {
		wait, again := nextRecheck(a, waited, w.opt.Now(), deadlineOf(w.ctx), w.opt.Reserve)
		if !again || w.opt.Sleep(w.ctx, wait) != nil {
			break
		}
		waited += wait
		got, err := w.dir.Detail(w.ctx, u)
		a.Relisted, a.Rechecks, a.RelistErr = true, a.Rechecks+1, err
		a.StillListed = err == nil && slices.ContainsFunc(kinds, got.CanUse)
	}
	return a
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

// logListing writes why an administrator's credentials were not listed.
func (w writer) logListing(r *AdminResult) {
	level, msg := slog.LevelWarn, "administrator not reached"
	if r.Listing.Outcome == OutcomeFailed {
		level, msg = slog.LevelError, "administrator credentials listing failed"
	}
	attrs := []any{"outcome", r.Listing.Outcome, "user", r.UserName, "userOcid", r.OCID, "reason", r.Listing.Reason}
	if r.Listing.Code != "" {
		attrs = append(attrs, "code", r.Listing.Code)
	}
	w.opt.Logger.Log(w.ctx, level, msg, attrs...)
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
