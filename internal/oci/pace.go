package oci

// Client-side pacing and throttling behaviour.
//
// Identity Domains limit requests per domain and API group (OCI docs, "API Rate Limits",
// https://docs.oracle.com/en-us/iaas/Content/Identity/sku/api-rate-limiting.htm); the SCIM
// calls this function makes are all in the "Others" group, whose tightest limit (Free domain
// type) is 20 per second and 150 per minute. The IAM API publishes no rate (OCI docs, "API
// Errors": 429 TooManyRequests, retry with backoff). So every host (each domain URL, the IAM
// endpoint) gets its own limiter at the configured sustained rate (IDENTITY_RATE_LIMIT,
// default 2.5/s = 150/min) and a burst of one: requests leave evenly spaced, since the
// domain's budget may already be partly spent by other clients; a run then meets no 429 of
// its own making, and one that does (another client spent the domain's budget)
// waits as long as Retry-After says, shared by every request to that host, never past the
// invocation deadline.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/oracle/oci-go-sdk/v65/common"
	"golang.org/x/time/rate"

	"github.com/apikeyguard/admin-apikey-guard/internal/budget"
	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
)

// DefaultRateLimit (the configuration's default) is the Free domain type's per-minute limit of the Others group (150/min),
// in requests per second: the tightest documented sustained rate.
const DefaultRateLimit = 150.0 / 60

// paceReserve: a request that cannot start this long before the invocation deadline is not
// sent at all (the guard's write reserve, internal/budget), so waiting for a token never turns
// into a request cut off in flight.
const paceReserve = budget.Reserve

// errNotSent is returned when pacing or Retry-After would hold a request past the deadline.
// It is not retryable, and it tells the guard the change was not attempted.
type errNotSent struct{ wait error }

func (e *errNotSent) Error() string {
	return "not sent: the identity rate limit leaves no room before the invocation deadline (" + e.wait.Error() + ")"
}
func (e *errNotSent) Unwrap() []error { return []error{e.wait, guard.ErrNotSent} }

// pacer holds one limiter per host.
type pacer struct {
	limit rate.Limit
	burst int

	mu    sync.Mutex
	hosts map[string]*hostPace
}

type hostPace struct {
	lim *rate.Limiter

	mu        sync.Mutex
	notBefore time.Time // from the last Retry-After
	throttled int       // 429s met
}

func newPacer(perSecond float64) *pacer {
	if perSecond <= 0 {
		return &pacer{limit: rate.Inf, burst: 1, hosts: map[string]*hostPace{}}
	}
	return &pacer{limit: rate.Limit(perSecond), burst: 1, hosts: map[string]*hostPace{}}
}

func (p *pacer) host(h string) *hostPace {
	p.mu.Lock()
	defer p.mu.Unlock()
	hp, ok := p.hosts[h]
	if !ok {
		hp = &hostPace{lim: rate.NewLimiter(p.limit, p.burst)}
		p.hosts[h] = hp
	}
	return hp
}

// Throttled is the number of 429 answers met, all hosts together.
func (p *pacer) Throttled() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, hp := range p.hosts {
		hp.mu.Lock()
		n += hp.throttled
		hp.mu.Unlock()
	}
	return n
}

// wrap puts the pacer in front of a dispatcher (outside the call counter, so a request that
// is never sent is not counted).
func (p *pacer) wrap(next common.HTTPRequestDispatcher) common.HTTPRequestDispatcher {
	return pacedDispatcher{next: next, p: p}
}

type pacedDispatcher struct {
	next common.HTTPRequestDispatcher
	p    *pacer
}

func (d pacedDispatcher) Do(req *http.Request) (*http.Response, error) {
	hp := d.p.host(req.URL.Host)
	if err := hp.wait(waitContext(req)); err != nil {
		return nil, err
	}
	resp, err := d.next.Do(req)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		hp.mu.Lock()
		hp.throttled++
		if ra, ok := retryAfter(resp); ok {
			hp.notBefore = later(hp.notBefore, time.Now().Add(ra))
		}
		hp.mu.Unlock()
	}
	return resp, err
}

// waitContext is the invocation's context (see deadline.go) ending paceReserve early.
func waitContext(req *http.Request) (context.Context, context.CancelFunc) {
	inv, ok := req.Context().Value(invocationKey{}).(context.Context)
	if !ok {
		inv = req.Context()
	}
	if d, ok := inv.Deadline(); ok {
		return context.WithDeadline(inv, d.Add(-paceReserve))
	}
	return context.WithCancel(inv)
}

// wait holds the request until the host may be called again (Retry-After) and the limiter
// has a token for it. A request that needs no wait goes at once; one whose wait would end
// inside the last paceReserve before the deadline is not sent at all, and takes no token.
func (hp *hostPace) wait(ctx context.Context, cancel context.CancelFunc) error {
	defer cancel()
	dl, hasDeadline := ctx.Deadline()
	hp.mu.Lock()
	until := hp.notBefore
	hp.mu.Unlock()
	if d := time.Until(until); d > 0 {
		if hasDeadline && until.After(dl) {
			return &errNotSent{fmt.Errorf("Retry-After asks to wait %s", d.Round(time.Millisecond))}
		}
		if err := sleepCtx(ctx, d); err != nil {
			return &errNotSent{err}
		}
	}
	r := hp.lim.Reserve()
	d := r.Delay()
	if d == 0 {
		return nil
	}
	if hasDeadline && time.Now().Add(d).After(dl) {
		r.Cancel()
		return &errNotSent{fmt.Errorf("the next request slot is %s away", d.Round(time.Millisecond))}
	}
	if err := sleepCtx(ctx, d); err != nil {
		r.Cancel()
		return &errNotSent{err}
	}
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// retryAfter reads a Retry-After header in seconds (RFC 9110 §10.2.3; the HTTP-date form is
// not used by OCI as far as documented, and is ignored). Values are capped at 5 minutes,
// the longest Functions invocation.
func retryAfter(resp *http.Response) (time.Duration, bool) {
	if resp == nil {
		return 0, false
	}
	s, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || s < 0 {
		return 0, false
	}
	return min(time.Duration(s)*time.Second, 5*time.Minute), true
}

// breaker is the SDK's default circuit breaker (common.DefaultCircuitBreakerSetting: opens for
// 30 s when at least 10 requests in 120 s saw >= 80 % failures) except that a 429 is not a
// failure. By default the SDK counts 429 as one (circuit_breaker.go, successStatCodeMap), so
// eight parallel deletes meeting a spent bucket would open it and every further request would
// fail at once, unretried: throttling would become failed deletes or a failed discovery.
// Throttling is handled by pacing and Retry-After instead; 5xx still open the breaker.
func breaker(service string) *common.OciCircuitBreaker {
	return common.NewCircuitBreaker(common.NewCircuitBreakerSettingWithOptions(
		common.WithServiceName(service),
		common.WithSuccessStatCodeMap(map[int]bool{500: false, 502: false, 503: false, 504: false})))
}

// isNotSent reports whether err is a request the pacer held back.
func isNotSent(err error) bool {
	var ns *errNotSent
	return errors.As(err, &ns)
}
