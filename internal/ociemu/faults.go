package ociemu

import (
	"maps"
	"math/rand/v2"
	"net/http"
)

// Faults makes the emulator misbehave the way a busy OCI region does. Random faults are
// drawn from a generator seeded with Seed, so a failing run can be replayed.
type Faults struct {
	Seed int64
	// Fractions of requests (after authentication) answered with 429 (with Retry-After: 1),
	// 500, 503, or by closing the connection without an answer.
	Rate429, Rate500, Rate503, RateReset float64
	// Forced errors by operation name (see the operation names in server.go). They take
	// precedence over the random ones.
	Forced map[string]ForcedError
	// IgnoreFilters makes every member and key listing answer as if its filter were absent:
	// SCIM listings drop the filter, IAM ListUserGroupMemberships drops groupId, and IAM
	// ListApiKeys answers every user's keys. A server that does this would make everyone
	// an administrator to a client that trusts it; the adapter must refuse the answer.
	IgnoreFilters bool
}

// ForcedError answers calls of one operation with a fixed error. Status 0 closes the
// connection without an answer, the ambiguous failure a client must survive.
type ForcedError struct {
	Status  int
	Code    string
	Message string
	Skip    int // let the first Skip calls through
	Times   int // fail this many calls after Skip; 0 = every call after Skip
	// SCIM answers with the Identity Domains error body ({"schemas":[…Error],"detail":
	// Message,"status":"<Status>"}) instead of OCI's {"code","message"}: how a real domain
	// refuses (e.g. 401 or 403). Code is then not sent.
	SCIM bool
}

// fault is the decision for one request: nothing, an error answer, or a reset.
type fault struct {
	scim    bool
	reset   bool
	status  int
	code    string
	message string
}

// faultState is guarded by Server.mu.
type faultState struct {
	cfg  Faults
	rng  *rand.Rand
	seen map[string]int // calls per operation, for Skip/Times
}

func newFaultState(f Faults) faultState {
	f.Forced = maps.Clone(f.Forced)
	return faultState{cfg: f, rng: rand.New(rand.NewPCG(uint64(f.Seed), 0x6661756c7473)), seen: map[string]int{}}
}

// decide draws the fault for one call of op. Callers hold Server.mu.
func (fs *faultState) decide(op string) *fault {
	if fe, ok := fs.cfg.Forced[op]; ok {
		n := fs.seen[op]
		fs.seen[op] = n + 1
		if n >= fe.Skip && (fe.Times == 0 || n < fe.Skip+fe.Times) {
			if fe.Status == 0 {
				return &fault{reset: true}
			}
			code, msg := fe.Code, fe.Message
			if code == "" {
				code = defaultCode(fe.Status)
			}
			if msg == "" {
				msg = "forced error for " + op
			}
			return &fault{status: fe.Status, code: code, message: msg, scim: fe.SCIM}
		}
	}
	c := fs.cfg
	if c.Rate429+c.Rate500+c.Rate503+c.RateReset <= 0 {
		return nil
	}
	// One draw per request keeps the fractions independent of each other.
	x := fs.rng.Float64()
	switch {
	case x < c.Rate429:
		return &fault{status: http.StatusTooManyRequests, code: "TooManyRequests", message: "too many requests (injected)"}
	case x < c.Rate429+c.Rate500:
		return &fault{status: http.StatusInternalServerError, code: "InternalServerError", message: "internal error (injected)"}
	case x < c.Rate429+c.Rate500+c.Rate503:
		return &fault{status: http.StatusServiceUnavailable, code: "ServiceUnavailable", message: "service unavailable (injected)"}
	case x < c.Rate429+c.Rate500+c.Rate503+c.RateReset:
		return &fault{reset: true}
	}
	return nil
}

// defaultCode maps a status to the OCI error code a real service would send with it.
func defaultCode(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "InvalidParameter"
	case http.StatusUnauthorized:
		return "NotAuthenticated"
	case http.StatusNotFound:
		return "NotAuthorizedOrNotFound"
	case http.StatusConflict:
		return "Conflict"
	case http.StatusTooManyRequests:
		return "TooManyRequests"
	case http.StatusServiceUnavailable:
		return "ServiceUnavailable"
	default:
		return "InternalServerError"
	}
}
