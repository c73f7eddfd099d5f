package ociemu

// Rate limits, as OCI applies them.
//
// Identity Domains: OCI docs, "API Rate Limits"
// (https://docs.oracle.com/en-us/iaas/Content/Identity/sku/api-rate-limiting.htm): "If you
// reach the API limit for the identity domain type, then IAM returns a 429 error code." The
// page gives, per identity domain type, a per-second and a per-minute limit for each API
// group (AuthN, BasicAuthN, Token Mgmt, Others, Bulk; Import and export per day), and "API
// limits apply to the total of all APIs within a group". The SCIM resources this product
// uses (/admin/v1/Users, Groups, ApiKeys) are in none of the named groups, so they are
// "Others".
//
// IAM API (/20160918): OCI publishes no request rate. OCI docs, "API Errors"
// (https://docs.oracle.com/en-us/iaas/Content/API/References/apierrors.htm) lists 429
// TooManyRequests among the errors every service returns, to be retried with backoff. ASSUMPTION: the IAM API gets a bucket of its own, sized like
// the preset's Others group (IAM users and groups are served by the Default identity
// domain); nothing documents that figure.
//
// ASSUMPTIONS where Oracle documents nothing: each limit is a token bucket (rate = limit per
// period, burst = the limit itself), a request needs a token from both the per-second and
// the per-minute bucket of its group, each domain has its own buckets, and a throttled
// request still costs nothing (it takes no token). Oracle documents no Retry-After header
// for either API; the emulator sends one (whole seconds until the next token, at least 1)
// so that a client that honours it can be tested, and Throttle.NoRetryAfter leaves it out
// for a client that must cope without it. The per-day import/export limit is not modelled.

import (
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// APIClass is an Identity Domains API group of the "API Rate Limits" page.
type APIClass string

// API groups of the "API Rate Limits" page.
const (
	ClassAuthN      APIClass = "AuthN"
	ClassBasicAuthN APIClass = "BasicAuthN"
	ClassTokenMgmt  APIClass = "TokenMgmt"
	ClassOthers     APIClass = "Others"
	ClassBulk       APIClass = "Bulk"
)

// Limit is one API group's limit: requests per second and per minute; 0 = no limit.
type Limit struct {
	PerSecond, PerMinute float64
}

// Sustained is the long-run rate the limit allows, in requests per second.
func (l Limit) Sustained() float64 {
	switch {
	case l.PerMinute > 0 && l.PerSecond > 0:
		return min(l.PerSecond, l.PerMinute/60)
	case l.PerMinute > 0:
		return l.PerMinute / 60
	}
	return l.PerSecond
}

// Throttle configures rate limiting. The zero value throttles nothing.
type Throttle struct {
	Preset string             // name, for reports
	Domain map[APIClass]Limit // per identity domain and API group; a group not listed is not limited
	IAM    Limit              // the IAM API, one bucket for the tenancy
	// ByDomainType throttles each identity domain at the limits of its own type
	// (Domain.LicenseType, the type ListDomains reports), as "API Rate Limits" says OCI does
	// ("If you reach the API limit for the identity domain type, then IAM returns a 429"), and
	// the IAM API at the Default domain's Others limits (ASSUMPTION, as above). Domain and IAM
	// are then ignored. A type not in the table is throttled as Free, the tightest: the
	// emulator is at least as strict as a real domain could be.
	ByDomainType bool
	// Scale multiplies every rate (and so divides every wait): benchmarks use it to play a
	// 300 s invocation in 30 s. 0 means 1.
	Scale float64
	// NoRetryAfter leaves the Retry-After header out of 429 answers.
	NoRetryAfter bool
}

// Domain types, named as on the "API Rate Limits" page.
const (
	PresetFree              = "free"
	PresetOracleApps        = "oracle-apps"
	PresetOracleAppsPremium = "oracle-apps-premium"
	PresetPremium           = "premium"
	PresetExternalUser      = "external-user"
)

// rateTable is the "API Rate Limits" page's table (per second, per minute), by domain type.
var rateTable = map[string]map[APIClass]Limit{
	PresetFree: {ClassAuthN: {10, 150}, ClassBasicAuthN: {10, 150}, ClassTokenMgmt: {10, 150},
		ClassOthers: {20, 150}, ClassBulk: {5, 200}},
	PresetOracleApps: {ClassAuthN: {50, 1000}, ClassBasicAuthN: {100, 3000}, ClassTokenMgmt: {40, 1000},
		ClassOthers: {50, 1500}, ClassBulk: {5, 200}},
	PresetOracleAppsPremium: {ClassAuthN: {80, 2100}, ClassBasicAuthN: {160, 4000}, ClassTokenMgmt: {50, 1700},
		ClassOthers: {55, 1750}, ClassBulk: {5, 200}},
	PresetPremium: {ClassAuthN: {95, 4500}, ClassBasicAuthN: {95, 4500}, ClassTokenMgmt: {65, 3400},
		ClassOthers: {90, 5000}, ClassBulk: {5, 200}},
	PresetExternalUser: {ClassAuthN: {90, 3100}, ClassBasicAuthN: {90, 3100}, ClassTokenMgmt: {60, 2300},
		ClassOthers: {80, 4000}, ClassBulk: {5, 200}},
}

// Presets are the documented domain types, tightest first.
func Presets() []string {
	return []string{PresetFree, PresetOracleApps, PresetOracleAppsPremium, PresetExternalUser, PresetPremium}
}

// ThrottleByDomainType throttles every domain at its own type's limits (Throttle.ByDomainType).
func ThrottleByDomainType() Throttle {
	return Throttle{Preset: "by domain type", ByDomainType: true}
}

// ThrottlePreset returns the limits of a documented identity domain type for every domain
// (whatever type each has); "" or "none" is no throttling.
func ThrottlePreset(name string) (Throttle, error) {
	if name == "" || name == "none" {
		return Throttle{}, nil
	}
	tab, ok := rateTable[name]
	if !ok {
		names := Presets()
		sort.Strings(names)
		return Throttle{}, fmt.Errorf("unknown throttle preset %q (want none, %s)", name, strings.Join(names, ", "))
	}
	dom := make(map[APIClass]Limit, len(tab))
	for k, v := range tab {
		dom[k] = v
	}
	return Throttle{Preset: name, Domain: dom, IAM: tab[ClassOthers]}, nil
}

// classOf puts a request path in its API group ("APIs in API Groups" on the same page;
// only the prefixes are modelled, which is all the emulator serves).
func classOf(path string) APIClass {
	switch {
	case strings.HasPrefix(path, "/admin/v1/Bulk"):
		return ClassBulk
	case strings.HasPrefix(path, "/oauth2/v1/token"), strings.HasPrefix(path, "/oauth2/v1/introspect"),
		strings.HasPrefix(path, "/oauth2/v1/revoke"):
		return ClassTokenMgmt
	case strings.HasPrefix(path, "/sso/"), strings.HasPrefix(path, "/mfa/"), strings.HasPrefix(path, "/fed/"),
		strings.HasPrefix(path, "/oauth2/"):
		return ClassAuthN
	}
	return ClassOthers
}

// scopeIAM names the IAM API's bucket; domain buckets are named by domain ID.
const scopeIAM = "iam"

type bucketKey struct {
	scope string
	class APIClass
}

// bucket is a per-second and a per-minute token bucket; nil limiters do not limit.
type bucket struct{ sec, min *rate.Limiter }

type throttleState struct {
	mu        sync.Mutex
	cfg       Throttle
	types     map[string]string // scope (domain ID, or scopeIAM) -> domain type, for ByDomainType
	buckets   map[bucketKey]*bucket
	throttled int
}

// newThrottleState throttles as t says; types are the tenancy's domain types by scope.
func newThrottleState(t Throttle, types map[string]string) *throttleState {
	return &throttleState{cfg: t, types: types, buckets: map[bucketKey]*bucket{}}
}

func (ts *throttleState) limitFor(k bucketKey) Limit {
	if ts.cfg.ByDomainType {
		tab, ok := rateTable[strings.ToLower(ts.types[k.scope])]
		if !ok {
			tab = rateTable[PresetFree]
		}
		return tab[k.class]
	}
	if k.scope == scopeIAM {
		return ts.cfg.IAM
	}
	return ts.cfg.Domain[k.class]
}

func (ts *throttleState) bucket(k bucketKey) *bucket {
	b, ok := ts.buckets[k]
	if ok {
		return b
	}
	l, scale := ts.limitFor(k), ts.cfg.Scale
	if scale <= 0 {
		scale = 1
	}
	b = &bucket{}
	if l.PerSecond > 0 {
		b.sec = rate.NewLimiter(rate.Limit(l.PerSecond*scale), int(math.Ceil(l.PerSecond)))
	}
	if l.PerMinute > 0 {
		b.min = rate.NewLimiter(rate.Limit(l.PerMinute/60*scale), int(math.Ceil(l.PerMinute)))
	}
	ts.buckets[k] = b
	return b
}

// take takes one token from every limiter of k, or none; it returns how long until a token
// would be there when it cannot.
func (ts *throttleState) take(k bucketKey, now time.Time) (time.Duration, bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	b := ts.bucket(k)
	var taken []*rate.Reservation
	var wait time.Duration
	for _, l := range []*rate.Limiter{b.sec, b.min} {
		if l == nil {
			continue
		}
		r := l.ReserveN(now, 1)
		if d := r.DelayFrom(now); d > 0 {
			r.CancelAt(now)
			wait = max(wait, d)
			continue
		}
		taken = append(taken, r)
	}
	if wait > 0 {
		for _, r := range taken {
			r.CancelAt(now)
		}
		ts.throttled++
		return wait, false
	}
	return 0, true
}

// drain spends every whole token of k's buckets, as another client of the domain would.
func (ts *throttleState) drain(k bucketKey, now time.Time) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	b := ts.bucket(k)
	for _, l := range []*rate.Limiter{b.sec, b.min} {
		if l == nil {
			continue
		}
		if n := int(math.Floor(l.TokensAt(now))); n > 0 {
			l.ReserveN(now, n)
		}
	}
}

// throttle answers 429 TooManyRequests when the request's bucket is empty and reports
// whether it did. It runs after authentication, so unsigned requests cost no token.
func (s *Server) throttle(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	ts := s.throttleSt
	s.mu.Unlock()
	scope, ok := s.hostScope[r.Host]
	if ts == nil || !ok {
		return false
	}
	k := bucketKey{scope, ClassOthers}
	if scope != scopeIAM {
		k.class = classOf(r.URL.Path)
	}
	wait, ok := ts.take(k, time.Now())
	if ok {
		return false
	}
	if !ts.cfg.NoRetryAfter {
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
	}
	msg := "Too many requests: the rate limit of the " + string(k.class) + " API group was reached"
	if scope != scopeIAM {
		// An identity domain answers in its own error shape, the SCIM error schema with no OCI
		// code ("Response Body", identity domains REST API; writeSCIMError), which the SDK reads
		// as BadErrorResponse: a client must retry a 429 by its status, not by its code.
		writeSCIMError(w, http.StatusTooManyRequests, msg, "error.emulator.throttled")
		return true
	}
	writeError(w, http.StatusTooManyRequests, "TooManyRequests", msg)
	return true
}

// SetThrottle replaces the rate limits; every bucket starts full.
func (s *Server) SetThrottle(t Throttle) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttleSt = newThrottleState(t, s.domainTypes())
}

// domainTypes are the domains' types by throttle scope; the IAM API's is the Default
// domain's.
func (s *Server) domainTypes() map[string]string {
	types := map[string]string{}
	for _, d := range s.store.t.Domains { // domains are never added or removed
		types[d.ID] = d.licenseType()
		if d.Type == DomainTypeDefault {
			types[scopeIAM] = d.licenseType()
		}
	}
	return types
}

// DrainDomain empties an identity domain's bucket of one API group now, as if another
// client had just spent it; DrainIAM does the same to the IAM API's bucket.
func (s *Server) DrainDomain(domainID string, class APIClass) {
	s.mu.Lock()
	ts := s.throttleSt
	s.mu.Unlock()
	ts.drain(bucketKey{domainID, class}, time.Now())
}

// DrainIAM empties the IAM API's bucket now.
func (s *Server) DrainIAM() {
	s.mu.Lock()
	ts := s.throttleSt
	s.mu.Unlock()
	ts.drain(bucketKey{scopeIAM, ClassOthers}, time.Now())
}

// Throttled is the number of requests answered 429 by the rate limits (injected faults
// not included).
func (s *Server) Throttled() int {
	s.mu.Lock()
	ts := s.throttleSt
	s.mu.Unlock()
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.throttled
}
