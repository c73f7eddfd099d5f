package ociemu

// Eventual consistency and transitional states of API keys (issue 24, section 3).
//
// Oracle's sources, and what is assumed:
//   - IAM is eventually consistent: the SDK opens a 240 s consistency window after IAM writes
//     (identity/identity_client.go, EcContext.UpdateEndOfWindow) and treats a 404
//     NotAuthorizedOrNotFound in it as possibly stale (common/eventual_consistency.go). How long
//     a listing lags behind a write is not documented: Consistency.ListingLag is an assumption,
//     set by the test (5 s in the end-to-end tests).
//   - An IAM ApiKey has lifecycleState CREATING, ACTIVE, INACTIVE, DELETING, DELETED
//     (identity/api_key.go; "the new key's lifecycleState will temporarily be CREATING",
//     UploadApiKey). A SCIM credential carries deleteInProgress, "set to true when synchronous
//     deletion of the resource would take too long" (identitydomains/api_key.go). How long a
//     deletion takes is not documented: Consistency.DeletingFor is an assumption.
//   - A DELETE of a key that is being deleted: 409 IncorrectState is the code the SDK's retry
//     policy names for a resource in the wrong state (common/retry.go); that IAM answers it here
//     is an assumption (Consistency.ConflictWhileDeleting), and so is the identity domain's 409
//     in the SCIM error schema.
//   - A new key invisible to listings for a while after its upload (AddAPIKey's invisibleFor):
//     an assumption, the eventual consistency above seen from the other side.
//
// Only API keys are modelled (both families); the other credential kinds are deleted at once.
// The model: a deleted key leaves the tenancy at once (Snapshot, authentication and every
// write see the truth), and a record of it stays behind so that listings, which see the
// state as of ListingLag ago, still show it: ACTIVE until they see the delete, then DELETING
// (SCIM: deleteInProgress true) until DeletingFor after the delete, then no more.

import (
	"fmt"
	"net/http"
	"time"
)

// Consistency turns on the emulated eventual consistency; the zero value is strongly
// consistent (every listing shows every write at once, a delete is immediate).
type Consistency struct {
	// ListingLag: key listings (IAM ListApiKeys, SCIM ApiKeys search and list) show the keys as
	// they were this long ago, as far as deletes are concerned.
	ListingLag time.Duration
	// DeletingFor: a deleted key is DELETING (deleteInProgress) for this long before it is
	// gone; listings show it so (after ListingLag).
	DeletingFor time.Duration
	// ConflictWhileDeleting: a DELETE of a key in its DeletingFor window is answered 409
	// IncorrectState (SCIM: 409 in the SCIM error schema) instead of 404.
	ConflictWhileDeleting bool
}

// deletedKey is a key that left the tenancy, for the listings that have not caught up yet.
type deletedKey struct {
	domainID string
	user     int // index in the domain's users
	key      APIKey
	at       time.Time
}

// consistencyState is the store's record of deletes and uploads (guarded by store.mu).
type consistencyState struct {
	cfg       Consistency
	deleted   map[string]*deletedKey // by key SCIM id
	visibleAt map[string]time.Time   // key SCIM id -> when listings first show it
	accepted  map[string]int         // key SCIM id -> DELETEs answered 2xx
}

func newConsistencyState(c Consistency) *consistencyState {
	return &consistencyState{cfg: c, deleted: map[string]*deletedKey{}, visibleAt: map[string]time.Time{}, accepted: map[string]int{}}
}

// keyState is how a listing at now sees a key.
type keyState int

const (
	keyUnlisted keyState = iota
	keyActive
	keyDeleting
)

// liveState is how a listing sees a key still in the tenancy: unlisted until it is visible.
func (cs *consistencyState) liveState(id string, now time.Time) keyState {
	if at, ok := cs.visibleAt[id]; ok && now.Before(at) {
		return keyUnlisted
	}
	return keyActive
}

// deletedState is how a listing at now sees a deleted key: as it was ListingLag ago.
func (cs *consistencyState) deletedState(d *deletedKey, now time.Time) keyState {
	seen := now.Add(-cs.cfg.ListingLag)
	switch {
	case seen.Before(d.at):
		return keyActive
	case seen.Before(d.at.Add(cs.cfg.DeletingFor)):
		return keyDeleting
	}
	return keyUnlisted
}

// recordDelete notes an accepted delete; with nothing to emulate, nothing is kept.
func (cs *consistencyState) recordDelete(domainID string, user int, k APIKey, now time.Time) {
	cs.accepted[k.ID]++
	delete(cs.visibleAt, k.ID)
	if cs.cfg.ListingLag > 0 || cs.cfg.DeletingFor > 0 {
		cs.deleted[k.ID] = &deletedKey{domainID: domainID, user: user, key: k, at: now}
	}
}

// stillDeleting says whether a DELETE of a key no longer in the tenancy is answered 409: it
// was deleted less than DeletingFor ago and the knob is on.
func (cs *consistencyState) stillDeleting(match func(*deletedKey) bool, now time.Time) bool {
	if !cs.cfg.ConflictWhileDeleting {
		return false
	}
	for _, d := range cs.deleted {
		if match(d) && now.Before(d.at.Add(cs.cfg.DeletingFor)) {
			return true
		}
	}
	return false
}

// ghosts are the deleted keys of one domain (and user, when user >= 0) that a listing at now
// still shows, with their state.
func (cs *consistencyState) ghosts(domainID string, user int, now time.Time) (keys []*deletedKey, states []keyState) {
	for _, d := range cs.deleted {
		if d.domainID != domainID || (user >= 0 && d.user != user) {
			continue
		}
		if st := cs.deletedState(d, now); st != keyUnlisted {
			keys, states = append(keys, d), append(states, st)
		}
	}
	return keys, states
}

// writeIncorrectState answers a DELETE of a key being deleted.
func writeIncorrectState(w http.ResponseWriter, scim bool) {
	const msg = "the API key is being deleted"
	if scim {
		writeSCIMError(w, http.StatusConflict, msg, "error.emulator.deleteInProgress")
		return
	}
	writeError(w, http.StatusConflict, "IncorrectState", msg)
}

// SetConsistency replaces the consistency knobs; deletes already made keep their times.
func (s *Server) SetConsistency(c Consistency) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	s.store.cons.cfg = c
}

// AcceptedDeletes is how many DELETEs of each API key (by SCIM id) were answered 2xx, both
// families together: a key deleted twice shows 2.
func (s *Server) AcceptedDeletes() map[string]int {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	out := make(map[string]int, len(s.store.cons.accepted))
	for k, v := range s.store.cons.accepted {
		out[k] = v
	}
	return out
}

// AddAPIKey uploads k for the user with OCID userOCID (in whichever domain holds it), as
// UploadApiKey would; listings show it only invisibleFor from now (0: at once).
func (s *Server) AddAPIKey(userOCID string, k APIKey, invisibleFor time.Duration) error {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	for _, di := range s.store.domains {
		ui, ok := di.userByOCID[userOCID]
		if !ok {
			continue
		}
		if _, taken := di.keyOwner[k.ID]; taken || di.findKeyByFingerprint(ui, k.Fingerprint) >= 0 {
			return fmt.Errorf("ociemu: user %s already has key %s", userOCID, k.Fingerprint)
		}
		di.d.Users[ui].APIKeys = append(di.d.Users[ui].APIKeys, k)
		di.keyOwner[k.ID] = ui
		di.keyOrder = nil
		if invisibleFor > 0 {
			s.store.cons.visibleAt[k.ID] = time.Now().Add(invisibleFor)
		}
		return nil
	}
	return fmt.Errorf("ociemu: no user %s", userOCID)
}
