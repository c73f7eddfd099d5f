package oci

// Client-side pacing and throttling behaviour.
//
// Identity Domains limit requests per domain and API group (Oracle, "API Rate Limits",
// https://docs.oracle.com/en-us/iaas/Content/Identity/sku/api-rate-limiting.htm): each domain
// type has a per-second and a per-minute limit, and every call this function makes to a domain
// is in the "Others" group (internal/ratelimit has the table). So every host gets one
// golang.org/x/time/rate limiter per window, at its domain type's limits (burst = the window's
// limit, as the windows allow): a run goes as fast as the domain's type allows, not slower.
// The type is Domain.licenseType from IAM ListDomains, learned whenever the run lists domains
// (learnDomains); until a host's type is known, or when it is not one of the table's, the
// host is paced at the tightest type's windows (Free), and the report says so
// (Directory.RateLimits).
//
// The IAM endpoint (identity.<region>.oci.oraclecloud.com) has no documented rate (Oracle,
// "API Errors", https://docs.oracle.com/en-us/iaas/Content/API/References/apierrors.htm: 429
// TooManyRequests, retry with backoff). It is paced at the Default domain's type, because IAM
// users and groups are the Default domain's, and if Oracle counts IAM calls against that
// domain's limits this is exactly right; if it does not, this is merely cautious. When the run
// does not list domains (the IAM family alone needs no ListDomains), the Default domain's type
// is unknown and the IAM endpoint is paced at Free's windows.
//
// IDENTITY_RATE_LIMIT overrides the table: a domain type for every host, or a fixed rate (one
// limiter, burst one: requests evenly spaced; 0 = none).
//
// The limiters outlive one invocation: Fn keeps a function's container (and so this process)
// for further invocations, and one Pacer serves them all (the handler holds it), so a run
// started right after another knows what that one spent. A new process starts with full
// windows; if another client (or a previous container) spent them, the domain answers 429,
// and the run waits as long as Retry-After says, shared by every request to that host, never
// past the invocation deadline.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/oracle/oci-go-sdk/v65/common"
	"golang.org/x/time/rate"

	"github.com/apikeyguard/admin-apikey-guard/internal/budget"
	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/ratelimit"
)

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

// Pacer holds one pair of limiters per identity domain host, and one for every IAM endpoint
// together (the regional one that reads, and the home region's that IAM writes go to: they
// serve the same Default domain's users). NewPacer makes one per process (and per
// IDENTITY_RATE_LIMIT value); every Directory built with it shares it.
type Pacer struct {
	setting ratelimit.Setting

	mu    sync.Mutex
	hosts map[string]*hostPace // by paceKey
	iam   map[string]bool      // hosts known to be IAM endpoints (an endpoint override)
}

// paceIAM is the key of every IAM endpoint's limiters.
const paceIAM = "IAM"

// key is the limiters a request to host h draws on: the IAM endpoints share one pair (an
// override, or identity.<region>.oci.<realm domain>, the SDK's template for the identity
// service); each identity domain URL host (idcs-….identity.oraclecloud.com) has its own.
func (p *Pacer) key(h string) string {
	p.mu.Lock()
	known := p.iam[h]
	p.mu.Unlock()
	if known || strings.HasPrefix(h, "identity.") && strings.Contains(h, ".oci.") {
		return paceIAM
	}
	return h
}

// iamEndpoint records that host is an IAM endpoint (the client's host, an override included).
func (p *Pacer) iamEndpoint(host string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.iam[host] = true
}

// NewPacer paces as IDENTITY_RATE_LIMIT says.
func NewPacer(s ratelimit.Setting) *Pacer {
	return &Pacer{setting: s, hosts: map[string]*hostPace{}, iam: map[string]bool{}}
}

type hostPace struct {
	mu        sync.Mutex
	sec, min  *rate.Limiter // nil: that window is not limited
	endpoint  string        // what the host serves: "IAM" or an identity domain's name
	typ       string        // the domain type paced at ("" with a fixed rate)
	basis     string        // why: see RateLimit.Basis
	used      bool          // a request was paced here
	seen      []string      // the hosts requests were sent to (several IAM endpoints share one pair)
	notBefore time.Time     // from the last Retry-After
	throttled int           // 429s met
}

// Why a host is paced as it is (ratelimit.Applied.Basis).
const (
	basisLicenseType = "the domain's licenseType (IAM ListDomains)"
	basisUnknown     = "domain type unknown: paced at the tightest type's limits"
	basisConfigured  = "IDENTITY_RATE_LIMIT"
)

// host returns the limiters of key h (Pacer.key), made on first use at what is known of its
// type.
func (p *Pacer) host(h string) *hostPace {
	p.mu.Lock()
	defer p.mu.Unlock()
	hp, ok := p.hosts[h]
	if !ok {
		hp = &hostPace{endpoint: h}
		switch s := p.setting; {
		case s.Fixed:
			hp.basis = basisConfigured
			if s.PerSecond > 0 {
				hp.sec = rate.NewLimiter(rate.Limit(s.PerSecond), 1)
			}
		case s.Type != "":
			w, _ := ratelimit.Of(s.Type)
			hp.setWindows(s.Type, w, basisConfigured)
		default:
			w, _ := ratelimit.Of(ratelimit.Tightest)
			hp.setWindows(ratelimit.Tightest, w, basisUnknown)
		}
		p.hosts[h] = hp
	}
	return hp
}

// Headroom. Requests leave on the function's clock and are counted on the service's: the
// service's window starts at the first arrival, which is late by a connection set-up, and
// requests that left a token apart can arrive closer together (a loaded machine, a slow
// connection). Pacing exactly at the limits, the function met a 429 on about 1 in 50 to 100
// requests in the Free domain benchmark, every one in the per-second window. So the function
// paces a little below each window's rate and, in the per-second window, starts with three
// quarters of the burst: the service's bucket then keeps spare tokens that absorb requests
// arriving bunched (measured: no 429 left; half the burst cost the small runs a 1.55x).
// The per-minute window keeps its whole burst (150 at Free): its tokens are 400 ms apart,
// more than such jitter. The cost is small: about one second of a Free run's first second.
const (
	headroomPerSecond = 0.9
	headroomPerMinute = 0.95
	burstPerSecond    = 0.75
)

// setWindows (re)sizes the limiters; tokens already spent stay spent.
func (hp *hostPace) setWindows(typ string, w ratelimit.Windows, basis string) {
	hp.typ, hp.basis = typ, basis
	set := func(l **rate.Limiter, perSecond float64, burst int) {
		if *l == nil {
			*l = rate.NewLimiter(rate.Limit(perSecond), burst)
			return
		}
		(*l).SetLimit(rate.Limit(perSecond))
		(*l).SetBurst(burst)
	}
	set(&hp.sec, w.PerSecond*headroomPerSecond, max(1, int(w.PerSecond*burstPerSecond)))
	set(&hp.min, w.PerMinute/60*headroomPerMinute, int(w.PerMinute))
}

// learn records that host serves endpoint, a domain of licenseType (as ListDomains said). With
// IDENTITY_RATE_LIMIT=auto the host is paced at that type from now on; an unknown type keeps
// the tightest.
func (p *Pacer) learn(host, endpoint, licenseType string) {
	hp := p.host(p.key(host))
	hp.mu.Lock()
	defer hp.mu.Unlock()
	hp.endpoint = endpoint
	if !p.setting.Auto() {
		return
	}
	w, known := ratelimit.Of(licenseType)
	if !known {
		hp.setWindows(ratelimit.Tightest, w, basisUnknown+fmt.Sprintf(" (licenseType %q)", licenseType))
		return
	}
	hp.setWindows(ratelimit.Name(licenseType), w, basisLicenseType)
}

// name gives host the report's name of what it serves, unless learn already did.
func (p *Pacer) name(host, endpoint string) {
	hp := p.host(p.key(host))
	hp.mu.Lock()
	defer hp.mu.Unlock()
	if hp.endpoint == host {
		hp.endpoint = endpoint
	}
}

// Applied is how every host this process has sent a request to is paced, for the report.
func (p *Pacer) Applied() []ratelimit.Applied {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []ratelimit.Applied
	for _, hp := range p.hosts {
		hp.mu.Lock()
		if hp.used {
			a := ratelimit.Applied{Endpoint: hp.endpoint, Host: strings.Join(hp.seen, ", "), Type: hp.typ, Basis: hp.basis}
			if hp.sec != nil {
				a.PerSecond = math.Round(float64(hp.sec.Limit())*100) / 100
			}
			if hp.min != nil {
				a.PerMinute = math.Round(float64(hp.min.Limit())*60*100) / 100
			}
			out = append(out, a)
		}
		hp.mu.Unlock()
	}
	slices.SortFunc(out, func(a, b ratelimit.Applied) int { return strings.Compare(a.Host, b.Host) })
	return out
}

// hostOf is the host:port of a client's Host or a domain URL.
func hostOf(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return s
	}
	return u.Host
}

// Throttled is the number of 429 answers met, all hosts together.
func (p *Pacer) Throttled() int {
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
func (p *Pacer) wrap(next common.HTTPRequestDispatcher) common.HTTPRequestDispatcher {
	return pacedDispatcher{next: next, p: p}
}

type pacedDispatcher struct {
	next common.HTTPRequestDispatcher
	p    *Pacer
}

func (d pacedDispatcher) Do(req *http.Request) (*http.Response, error) {
	hp := d.p.host(d.p.key(req.URL.Host))
	hp.mu.Lock()
	if !slices.Contains(hp.seen, req.URL.Host) {
		hp.seen = append(hp.seen, req.URL.Host)
	}
	hp.mu.Unlock()
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

// reserve takes a token from each window at once and returns how long until both are there,
// and how to give them back.
func (hp *hostPace) reserve(now time.Time) (time.Duration, func()) {
	hp.mu.Lock()
	defer hp.mu.Unlock()
	hp.used = true
	var rs []*rate.Reservation
	var d time.Duration
	for _, l := range []*rate.Limiter{hp.sec, hp.min} {
		if l == nil {
			continue
		}
		r := l.ReserveN(now, 1)
		rs = append(rs, r)
		d = max(d, r.DelayFrom(now))
	}
	return d, func() {
		for _, r := range rs {
			r.CancelAt(now)
		}
	}
}

// wait holds the request until the host may be called again (Retry-After) and both windows
// have a token for it. A request that needs no wait goes at once; one whose wait would end
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
	now := time.Now()
	d, giveBack := hp.reserve(now)
	if d == 0 {
		return nil
	}
	if hasDeadline && now.Add(d).After(dl) {
		giveBack()
		return &errNotSent{fmt.Errorf("the next request slot is %s away", d.Round(time.Millisecond))}
	}
	if err := sleepCtx(ctx, d); err != nil {
		giveBack()
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
