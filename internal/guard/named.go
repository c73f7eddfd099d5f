package guard

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// NamedCredential is the credential an invocation's event names (internal/trigger reads it
// from a credential-creation event): its owner, its kind, and an API key's fingerprint when
// the event gives it.
type NamedCredential struct {
	UserOCID    string
	Kind        Kind
	Fingerprint string
}

// matches says whether c is the named credential: the same owner and kind, and the
// fingerprint when one was named; without one, any credential the run had not listed
// (listed) is the new one.
func (n NamedCredential) matches(c APIKey, listed map[string]bool) bool {
	if c.UserOCID != n.UserOCID || c.CredentialKind() != n.Kind {
		return false
	}
	if n.Fingerprint != "" {
		return strings.EqualFold(c.Fingerprint, n.Fingerprint)
	}
	return !listed[credentialKey(c)] // a nil listed: any of the owner's credentials of the kind
}

func credentialKey(c APIKey) string {
	return string(c.CredentialKind()) + "\x00" + c.UserOCID + "\x00" + c.ID + "\x00" + strings.ToLower(c.Fingerprint)
}

// Why the run does not wait for the named credential.
const (
	NamedNotAdministrator = "its owner is not an administrator of the enforced groups"
	NamedKindNotEnforced  = "its kind is not in ADMIN_CREDENTIALS"
	NamedExempt           = "its owner is in EXEMPT_USERS"
	NamedAlreadyListed    = "the run listed it"
	NamedOwnerNotListed   = "its owner's credentials were not listed this run (not reached, or the listing failed): the next run lists them"
)

// namedOwnerListed says whether this run listed the named credential's owner (results:
// enforce's): the wait is for a credential the listing did not show yet, so it makes sense only
// where the owner was listed; an owner not reached, or whose listing failed, is already
// reported so and listed by the next run.
func namedOwnerListed(results []AdminResult, ownerOCID string) bool {
	i := slices.IndexFunc(results, func(r AdminResult) bool { return r.OCID == ownerOCID })
	return i >= 0 && results[i].Listing == nil
}

// namedWait decides whether the run must wait for the credential an event names: only when
// the event names one, its owner is an enforced, non-exempt administrator, its kind is
// enforced, and the run's listing did not show it yet. A credential-creation event comes
// seconds after the upload, and IAM listings lag behind writes (the SDK's consistency window,
// identity/identity_client.go; an uploaded key is CREATING first, identity/api_key.go), so
// the key the event is about may not be listed yet; without the wait the run would say ok and
// the key would live until the next scheduled run. why says what was decided, for the log.
func namedWait(n *NamedCredential, admins []Admin, listed []APIKey, kinds []Kind, exempt Exemptions) (owner *Admin, wait bool, why string) {
	if n == nil {
		return nil, false, ""
	}
	i := slices.IndexFunc(admins, func(a Admin) bool { return a.OCID == n.UserOCID })
	switch {
	case i < 0:
		return nil, false, NamedNotAdministrator
	case !slices.Contains(kinds, n.Kind):
		return nil, false, NamedKindNotEnforced
	case exempt.Has(admins[i].User):
		return nil, false, NamedExempt
	case slices.ContainsFunc(listed, func(c APIKey) bool { return n.matches(c, nil) }):
		// Without a fingerprint, any credential of the kind the owner holds may be the one
		// named: waiting for yet another could only end with the window spent.
		return nil, false, NamedAlreadyListed
	}
	return &admins[i], true, "not listed yet: listing its owner again until it is"
}

// lookWindow bounds the wait for a named credential. Oracle documents no bound on how long a
// new credential takes to be listed; a minute covers what the emulator plays (3 s) with room,
// and leaves most of a Functions invocation (300 s at most) to the rest (an assumption).
const lookWindow = time.Minute

// nextLook decides whether to list the named credential's owner again (looks done so far),
// and after how long: 1 s, 2 s, 4 s, then every 8 s, while the waits stay within lookWindow
// and the next listing starts before the reserve kept back from the deadline.
func nextLook(looks int, waited time.Duration, now, deadline time.Time, reserve time.Duration) (wait time.Duration, again bool) {
	wait = time.Second << min(looks, 3)
	if waited+wait > lookWindow || (!deadline.IsZero() && deadline.Sub(now.Add(wait)) < reserve) {
		return 0, false
	}
	return wait, true
}

// ReasonNamedNotListed is the outcome of a named credential that never showed up.
func reasonNamedNotListed(waited time.Duration, looks int) string {
	return fmt.Sprintf("named by the event, but not listed after %d listings over %s: the next run will find it", looks, waited.Round(time.Second))
}

// awaitNamed lists the owner of the credential the event names again, as nextLook says,
// until it shows up, then plans and carries it out like any other (Plan, execute). It returns
// the owner's entries to add to the report: the credential's outcome, or not-attempted when it
// never showed up.
func awaitNamed(ctx context.Context, dir Directory, owner Admin, n NamedCredential, listed []APIKey, opt Options) []AdminResult {
	seen := make(map[string]bool, len(listed))
	for _, c := range listed {
		seen[credentialKey(c)] = true
	}
	var waited time.Duration
	looks := 0
	for {
		wait, again := nextLook(looks, waited, opt.Now(), deadlineOf(ctx), opt.Reserve)
		if !again || opt.Sleep(ctx, wait) != nil {
			break
		}
		waited += wait
		looks++
		cs, err := listCredentials(ctx, dir, n.Kind, owner.Domain, []User{owner.User})
		if err != nil {
			opt.Logger.WarnContext(ctx, "listing the named credential's owner failed", "user", owner.OCID, "error", err)
			continue
		}
		i := slices.IndexFunc(cs, func(c APIKey) bool { return n.matches(c, seen) })
		if i < 0 {
			continue
		}
		opt.Logger.InfoContext(ctx, "named credential listed", "user", owner.OCID, "kind", n.Kind, "listings", looks)
		plan, _ := Plan([]Admin{owner}, cs[i:i+1], opt.rules())
		plan[0].Capability = nil // decided, and carried out, with the run's own listing
		return execute(ctx, dir, plan, opt)
	}
	r := adminResult(owner.User, owner.Groups, false)
	r.Keys = []KeyResult{{Fingerprint: n.Fingerprint, Outcome: OutcomeNotAttempted, Reason: reasonNamedNotListed(waited, looks)}}
	if n.Kind != KindAPIKeys {
		r.Keys[0].Kind = n.Kind
	}
	opt.Logger.WarnContext(ctx, "named credential not listed", "user", owner.OCID, "kind", n.Kind, "listings", looks)
	return []AdminResult{r}
}

// mergeAdmins adds extra's credential entries to the matching administrators of admins (by
// OCID), or appends the administrator.
func mergeAdmins(admins, extra []AdminResult) []AdminResult {
	for _, e := range extra {
		i := slices.IndexFunc(admins, func(a AdminResult) bool { return a.OCID == e.OCID })
		if i < 0 {
			admins = append(admins, e)
			continue
		}
		admins[i].Keys = append(admins[i].Keys, e.Keys...)
	}
	return admins
}
