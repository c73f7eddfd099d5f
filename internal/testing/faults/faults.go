package faults

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"sync"
)

// Func decides one call's fate: the error the call op(arg) fails with, or nil to let it
// through. A nil Func injects nothing.
type Func func(op, arg string) error

// Inject calls f; a nil f lets every call through.
func (f Func) Inject(op, arg string) error {
	if f == nil {
		return nil
	}
	return f(op, arg)
}

// Fault is an injected failure as a service answers it: an HTTP status with OCI's error code
// and message, or, with Status 0, a connection closed without an answer (the ambiguous failure
// a client must survive). SCIM answers with the Identity Domains error body instead of OCI's.
type Fault struct {
	Status  int
	Code    string
	Message string
	SCIM    bool
	Text    bool
}

func (f *Fault) Error() string {
	if f.Status == 0 {
		return "injected: connection reset"
	}
	return fmt.Sprintf("injected: %d %s: %s", f.Status, f.Code, f.Message)
}

// Plan makes calls misbehave the way a busy OCI region does. Random faults are drawn from a
// generator seeded with Seed, so a failing run can be replayed.
type Plan struct {
	Seed int64
	// Fractions of calls answered with 429 (with Retry-After: 1), 500, 503, or by closing the
	// connection without an answer.
	Rate429, Rate500, Rate503, RateReset float64
	// Forced errors by operation name. They take precedence over the random ones.
	Forced map[string]Forced
	// IgnoreFilters makes every member and key listing answer as if its filter were absent:
	// SCIM listings drop the filter, IAM ListUserGroupMemberships drops groupId, and IAM
	// ListApiKeys answers every user's keys. A server that does this would make everyone
	// an administrator to a client that trusts it; the adapter must refuse the answer. (The
	// emulator reads it; it is not a per-call fault.)
	IgnoreFilters bool
}

// Forced answers calls of one operation with a fixed error. Status 0 closes the connection
// without an answer.
type Forced struct {
	Status  int
	Code    string
	Message string
	Skip    int // let the first Skip calls through
	Times   int // fail this many calls after Skip; 0 = every call after Skip
	// SCIM answers with the Identity Domains error body ({"schemas":[…Error],"detail":
	// Message,"status":"<Status>"}) instead of OCI's {"code","message"}: how a real domain
	// refuses (e.g. 401 or 403). Code is then not sent.
	SCIM bool
	// Text answers with a text/plain body (the status line's reason phrase), neither OCI's
	// JSON nor SCIM's: what a front end in front of the service (a load balancer, an API
	// gateway) plausibly sends when it throttles or fails itself. Oracle documents no such
	// body; it is an assumption, there so that a client is shown to act on the status alone.
	Text bool
}

// Func returns a fresh decider for p: its random sequence and the Skip/Times bookkeeping start
// over. It is safe for concurrent use; every error it returns is a *Fault.
func (p Plan) Func() Func {
	p.Forced = maps.Clone(p.Forced)
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(uint64(p.Seed), 0x6661756c7473))
	seen := map[string]int{} // calls per operation, for Skip/Times
	return func(op, _ string) error {
		mu.Lock()
		defer mu.Unlock()
		if f := p.forced(op, seen); f != nil {
			return f
		}
		if f := p.random(rng); f != nil {
			return f
		}
		return nil
	}
}

func (p Plan) forced(op string, seen map[string]int) *Fault {
	fe, ok := p.Forced[op]
	if !ok {
		return nil
	}
	n := seen[op]
	seen[op] = n + 1
	if n < fe.Skip || (fe.Times != 0 && n >= fe.Skip+fe.Times) {
		return nil
	}
	if fe.Status == 0 {
		return &Fault{}
	}
	f := &Fault{Status: fe.Status, Code: fe.Code, Message: fe.Message, SCIM: fe.SCIM, Text: fe.Text}
	if f.Code == "" {
		f.Code = DefaultCode(fe.Status)
	}
	if f.Message == "" {
		f.Message = "forced error for " + op
	}
	return f
}

func (p Plan) random(rng *rand.Rand) *Fault {
	if p.Rate429+p.Rate500+p.Rate503+p.RateReset <= 0 {
		return nil
	}
	// One draw per call keeps the fractions independent of each other.
	x := rng.Float64()
	switch {
	case x < p.Rate429:
		return &Fault{Status: http.StatusTooManyRequests, Code: "TooManyRequests", Message: "too many requests (injected)"}
	case x < p.Rate429+p.Rate500:
		return &Fault{Status: http.StatusInternalServerError, Code: "InternalServerError", Message: "internal error (injected)"}
	case x < p.Rate429+p.Rate500+p.Rate503:
		return &Fault{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable", Message: "service unavailable (injected)"}
	case x < p.Rate429+p.Rate500+p.Rate503+p.RateReset:
		return &Fault{}
	}
	return nil
}

// DefaultCode maps a status to the OCI error code a real service would send with it ("API
// Errors", https://docs.oracle.com/iaas/Content/API/References/apierrors.htm).
func DefaultCode(status int) string {
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
