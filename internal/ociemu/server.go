package ociemu

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/testing/faults"
)

// Operation names, used by Counts and Faults.Forced: the SDK operation's name (IAM and
// Notifications), and "scim." before the Identity Domains operation's name (SCIM calls are
// not IAM API operations). The function reports its calls with the same names, so the
// emulator's counts and the function's report compare one to one; the emulator writes them
// itself (internal/e2e TestEmulatorServesTheFunctionsOperations checks that the names agree)
// and authorizes with its own model (authz.go).
const (
	OpListDomains              = "ListDomains"
	OpListCompartments         = "ListCompartments"
	OpListGroups               = "ListGroups"
	OpGetGroup                 = "GetGroup"
	OpListUsers                = "ListUsers"
	OpGetUser                  = "GetUser"
	OpListUserGroupMemberships = "ListUserGroupMemberships"
	OpListApiKeys              = "ListApiKeys"
	OpDeleteApiKey             = "DeleteApiKey"
	OpListPolicies             = "ListPolicies"
	OpListRegionSubscriptions  = "ListRegionSubscriptions"
	OpUpdateUserCapabilities   = "UpdateUserCapabilities"
	OpScimListUsers            = "scim.ListUsers"
	OpScimGetUser              = "scim.GetUser"
	OpScimPatchUser            = "scim.PatchUser"
	OpScimListGroups           = "scim.ListGroups"
	OpScimListApiKeys          = "scim.ListApiKeys"
	OpScimSearchApiKeys        = "scim.SearchApiKeys"
	OpScimDeleteApiKey         = "scim.DeleteApiKey"
	OpPublishMessage           = "PublishMessage"
	OpUnknown                  = "unknown"
)

// maxBody bounds request bodies; the largest legitimate one is a small PatchOp.
const maxBody = 1 << 20

// Options tune a Server.
type Options struct {
	Latency time.Duration // added to every request; a cancelled request stops waiting
	Faults  Faults
	Logger  *slog.Logger // optional; never given Authorization headers or bodies
	// RPSTSize is the length in bytes of the tokens MintPrincipal issues (padded with
	// realistic claims); 0 means DefaultRPSTSize. Real resource-principal tokens are 2–3 KB.
	RPSTSize int
	// LenientParams turns off the 400 answered to parameters Oracle does not document for an
	// operation (today: SCIM sortBy, which no SDK field comment documents as sortable for any
	// attribute; see sortby.go). Only tests that show the difference set it.
	LenientParams bool
	// AnyRequestHead turns off the 431 answered to a request whose head is larger than
	// MaxRequestHead (headsize.go). Only tests that show the difference set it.
	AnyRequestHead bool
	// Throttle rate-limits like OCI (throttle.go); the zero value does not.
	Throttle Throttle
	// Consistency emulates listings that lag behind deletes, keys DELETING for a while, 409
	// IncorrectState during it (consistency.go); the zero value is strongly consistent.
	Consistency Consistency
	// PublicEndpoints serves the tenancy also at the hostnames the SDK builds in production,
	// through a local HTTPS proxy (public.go), and ListDomains then gives the domains' public
	// URLs (https://idcs-….identity.oraclecloud.com:443) instead of the loopback listeners'.
	PublicEndpoints bool
	// Anomalies are answers of a tenancy changing under a listing, or of malformed records
	// (anomalies.go); the zero value has none.
	Anomalies Anomalies
}

// Server is a running emulator: one listener for IAM, one for Notifications, and one per
// identity domain, all on 127.0.0.1.
type Server struct {
	log        *slog.Logger
	store      *store
	tenancyID  string
	region     string   // the function's region (its resource principal's)
	homeRegion string   // the tenancy's home region, where IAM writes go (regions.go)
	regions    []string // subscribed regions, home first
	issuer     *rsa.PrivateKey

	iam, ons    *listener            // iam: the home region's IAM
	iamByRegion map[string]*listener // every subscribed region's IAM, the home region's included
	domainLns   map[string]*listener
	hostScope   map[string]string // listener host:port -> throttle scope (throttle.go)

	mu        sync.Mutex // guards everything below
	latency   time.Duration
	faults    Faults      // the plan, for IgnoreFilters
	anomalies Anomalies   // anomalies.go
	inject    faults.Func // its decider
	counts    map[string]int
	iamWrites map[string]int // IAM writes received, by the region of the endpoint
	sessions  map[string]*session
	minted    int
	reqSeq    uint64
	closed    bool

	statements   []boundStatement // the tenancy's Allow statements, parsed once (guarded by store.mu)
	rpstSize     int
	strictParams bool
	limitHead    bool
	throttleSt   *throttleState

	routes []Route // what the listeners serve (routes.go)

	public *publicFront // nil unless Options.PublicEndpoints
}

type listener struct {
	srv *http.Server
	ln  net.Listener
	url string
}

// New validates t, copies it, and starts serving. The caller's Tenancy is never modified.
func New(t *Tenancy, opts Options) (*Server, error) {
	if t == nil {
		return nil, errors.New("ociemu: nil tenancy")
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	issuer, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("ociemu: generate issuer key: %w", err)
	}
	own := t.Clone()
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		log:         log,
		store:       newStore(&own),
		tenancyID:   own.ID,
		region:      own.Region,
		homeRegion:  own.HomeRegionOf(),
		regions:     own.SubscribedRegions(),
		issuer:      issuer,
		domainLns:   map[string]*listener{},
		iamByRegion: map[string]*listener{},
		iamWrites:   map[string]int{},
		latency:     opts.Latency,
		faults:      opts.Faults,
		inject:      opts.Faults.Func(),
		anomalies:   opts.Anomalies,
		counts:      map[string]int{},
		sessions:    map[string]*session{},
		rpstSize:    opts.RPSTSize,

		strictParams: !opts.LenientParams,
		limitHead:    !opts.AnyRequestHead,

		hostScope: map[string]string{},
	}
	s.throttleSt = newThrottleState(opts.Throttle, s.domainTypes())
	if s.rpstSize == 0 {
		s.rpstSize = DefaultRPSTSize
	}
	s.store.cons.cfg = opts.Consistency
	s.statements = parsePolicies(&own)
	if opts.PublicEndpoints {
		if s.public, err = newPublicFront(log); err != nil {
			return nil, err
		}
	}
	iam := s.iamRoutes()
	for _, region := range s.regions {
		h := inRegion(region, iam)
		ln, err := s.listen(h)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.iamByRegion[region] = ln
		s.hostScope[strings.TrimPrefix(ln.url, "http://")] = scopeIAM
		s.servePublic(IdentityHost(region), h, scopeIAM)
	}
	s.iam = s.iamByRegion[s.homeRegion]
	ons := s.onsRoutes()
	if s.ons, err = s.listen(ons); err != nil {
		s.Close()
		return nil, err
	}
	s.servePublic(NotificationHost(s.region), ons, "")
	for id, di := range s.store.domains {
		// The URL is needed by the documents (meta.location), so listen first.
		mux := http.NewServeMux()
		ln, err := s.listen(mux)
		if err != nil {
			s.Close()
			return nil, err
		}
		di.url = ln.url
		if s.public != nil {
			di.url = domainPublicURL(id)
			s.servePublic(di.url, mux, id)
		}
		s.scimRoutes(mux, di)
		s.domainLns[id] = ln
		s.hostScope[strings.TrimPrefix(ln.url, "http://")] = id
	}
	s.startServing()
	return s, nil
}

func (s *Server) listen(h http.Handler) (*listener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("ociemu: listen: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug)}
	return &listener{srv: srv, ln: ln, url: "http://" + ln.Addr().String()}, nil
}

// startServing starts answering on every listener. New calls it last: the state the handlers read
// (hostScope, the domain URLs) is complete before the first request can be served, and the go
// statements order it before them (a client in another process does not, for the race
// detector or the memory model).
func (s *Server) startServing() {
	for _, l := range append(append([]*listener{s.ons}, mapValues(s.iamByRegion)...), mapValues(s.domainLns)...) {
		go func() { _ = l.srv.Serve(l.ln) }()
	}
}

// Close stops every listener and drops open connections. It is safe to call twice.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	for _, ln := range append(append([]*listener{s.ons}, mapValues(s.iamByRegion)...), mapValues(s.domainLns)...) {
		if ln != nil {
			_ = ln.srv.Close()
			_ = ln.ln.Close() // a listener New never started serving (an error on the way)
		}
	}
	if s.public != nil {
		s.public.close()
	}
}

func mapValues(m map[string]*listener) []*listener {
	out := make([]*listener, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// IdentityURL is the home region's IAM endpoint, e.g. for identity.IdentityClient.Host.
func (s *Server) IdentityURL() string { return s.iam.url }

// NotificationURL is the ONS data-plane endpoint.
func (s *Server) NotificationURL() string { return s.ons.url }

// ListedDomainURL is the URL ListDomains gives for one identity domain (its url and
// homeRegionUrl): DomainURL, or with PublicEndpoints the public form OCI gives
// (https://idcs-….identity.oraclecloud.com:443). "" for an unknown domain.
func (s *Server) ListedDomainURL(domainID string) string {
	if di, ok := s.store.domains[domainID]; ok { // set once in New, never changed
		return di.url
	}
	return ""
}

// DomainURL is the SCIM endpoint of one identity domain, "" for an unknown domain.
func (s *Server) DomainURL(domainID string) string {
	if ln, ok := s.domainLns[domainID]; ok {
		return ln.url
	}
	return ""
}

// SetFaults replaces the fault configuration and restarts its random sequence and the
// Skip/Times bookkeeping.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults, s.inject = f, f.Func()
}

// SetLatency changes the latency added to every request from now on.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// Counts returns the requests received per operation, faulted and refused ones included.
func (s *Server) Counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.counts))
	for k, v := range s.counts {
		out[k] = v
	}
	return out
}

// ResetCounts zeroes the counters.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts = map[string]int{}
}

// Total is the number of requests received since the last ResetCounts.
func (s *Server) Total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, v := range s.counts {
		n += v
	}
	return n
}

// Snapshot returns a deep copy of the current state.
func (s *Server) Snapshot() Tenancy {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	return s.store.t.Clone()
}

// Published returns the messages published so far, oldest first.
func (s *Server) Published() []Message {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	return append([]Message(nil), s.store.published...)
}

// handlerFunc serves an authenticated request whose body has already been read.
type handlerFunc func(w http.ResponseWriter, r *http.Request, body []byte)

// route is one operation on a path pattern.
type route struct {
	op string
	h  handlerFunc
}

// handle registers pattern (without method) and dispatches on the method itself, so that a
// wrong method is counted and answered like any unknown route instead of by ServeMux.
func (s *Server) handle(mux *http.ServeMux, pattern string, byMethod map[string]route) {
	s.handleIn(nil, mux, pattern, byMethod)
}

// handleIn is handle for the SCIM routes of domain di (nil: IAM and Notifications), which
// selects SCIM authorization and the SCIM error shape.
func (s *Server) handleIn(di *domainIndex, mux *http.ServeMux, pattern string, byMethod map[string]route) {
	s.noteRoutes(di != nil, pattern, byMethod)
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		rt, ok := byMethod[r.Method]
		if !ok {
			rt = route{OpUnknown, notFound}
		}
		s.serveIn(di, rt, w, r)
	})
}

func (s *Server) handleUnknown(mux *http.ServeMux) {
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.serve(route{OpUnknown, notFound}, w, r)
	})
}

func notFound(w http.ResponseWriter, _ *http.Request, _ []byte) {
	writeError(w, http.StatusNotFound, "NotAuthorizedOrNotFound", "resource not found or not authorized")
}

// serve is the pipeline every request goes through: count, wait, authenticate, maybe
// fault, then the operation itself.
func (s *Server) serve(rt route, w http.ResponseWriter, r *http.Request) { s.serveIn(nil, rt, w, r) }

func (s *Server) serveIn(scim *domainIndex, rt route, w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	s.mu.Lock()
	s.counts[rt.op]++
	s.reqSeq++
	reqID := fmt.Sprintf("emu-%016x", s.reqSeq)
	latency := s.latency
	s.mu.Unlock()
	w.Header().Set("opc-request-id", reqID)
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	outcome := "ok"
	defer func() {
		s.log.Debug("ociemu request", "op", rt.op, "method", r.Method, "path", r.URL.Path,
			"status", sw.status, "outcome", outcome, "request_id", reqID, "duration", time.Since(start))
	}()

	if n := requestHeadSize(r); s.limitHead && n > MaxRequestHead {
		outcome = "refused: request head too large"
		writeError(sw, http.StatusRequestHeaderFieldsTooLarge, "RequestHeaderFieldsTooLarge",
			fmt.Sprintf("the request line and headers are %d bytes, more than %d", n, MaxRequestHead))
		return
	}
	if err := sleepCtx(r.Context(), latency); err != nil {
		outcome = "client gone"
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(sw, r.Body, maxBody))
	if err != nil {
		writeError(sw, http.StatusBadRequest, "InvalidParameter", "request body is unreadable or too large")
		return
	}
	principal, err := s.authenticate(r, body)
	if err != nil {
		outcome = "refused: " + err.Error()
		writeError(sw, http.StatusUnauthorized, "NotAuthenticated", "the required information to complete authentication was not provided or was incorrect: "+err.Error())
		return
	}
	s.countIAMWrite(r)
	if s.outsideHomeRegion(sw, r) {
		outcome = "refused: an IAM write outside the home region"
		return
	}
	if !s.authorize(scim, rt, r, principal) {
		outcome = "refused: not authorized"
		if scim != nil {
			writeSCIMError(sw, http.StatusForbidden, scimForbiddenMsg, scimForbiddenID)
		} else {
			// IAM and Notifications do not tell "not authorized" from "not found".
			writeError(sw, http.StatusNotFound, "NotAuthorizedOrNotFound", "Authorization failed or requested resource not found.")
		}
		return
	}
	if s.throttle(sw, r) {
		outcome = "throttled"
		return
	}
	s.mu.Lock()
	inject := s.inject
	s.mu.Unlock()
	if err := inject.Inject(rt.op, r.URL.Path); err != nil {
		outcome = writeFault(sw, err)
		return
	}
	rt.h(sw, r.WithContext(withOp(r.Context(), rt.op)), body)
}

// writeFault answers an injected fault (a *faults.Fault; any other error is a 500) and says
// how, for the log.
func writeFault(w http.ResponseWriter, err error) (outcome string) {
	var f *faults.Fault
	switch {
	case !errors.As(err, &f):
		writeError(w, http.StatusInternalServerError, "InternalServerError", err.Error())
	case f.Status == 0:
		resetConnection(w)
		return "reset (injected)"
	case f.Text:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(f.Status)
		_, _ = io.WriteString(w, http.StatusText(f.Status)+"\n")
	case f.SCIM:
		writeSCIMError(w, f.Status, f.Message, "error.emulator.forced")
	default:
		if f.Status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "1")
		}
		writeError(w, f.Status, f.Code, f.Message)
	}
	return "fault (injected)"
}

// ignoringFilters says whether listings lie (Faults.IgnoreFilters). Handlers call it before
// they take the store lock.
func (s *Server) ignoringFilters() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.IgnoreFilters
}

// resetConnection closes the TCP connection without answering, with SO_LINGER 0 so the
// client sees a reset rather than a clean EOF.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // still aborts the response without an answer
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
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

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// errorBody is OCI's error shape. SCIM errors carry the same fields, which is what the
// SDK's ServiceError reads.
type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, errorBody{Code: code, Message: message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"code":"InternalServerError","message":"cannot encode response"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
