package main

// Rate-limit benchmark (issue 18): the function paced at both windows of the domain's type
// against an emulator that enforces both windows of that type (Oracle, "API Rate Limits",
// https://docs.oracle.com/en-us/iaas/Content/Identity/sku/api-rate-limiting.htm: Free 20/s and
// 150/min, Premium 90/s and 5000/min for the Others group). Everything runs in real time: one
// function process per scenario, invoked back to back as Fn would invoke a hot container.
//
//   - free-20: 20 administrators in a Free domain, one run: wall time against the least time the
//     two windows allow for the calls made, and the share of requests answered 429.
//   - free-150: 150 administrators × 3 keys in a Free domain, 60 s invocations one after
//     another until every administrator key is gone: each run must delete keys, and the runs
//     needed are compared with what 150 requests a minute allow.
//   - premium-150 and premium-1500: the same at 40 ms per call in a Premium domain, one 60 s
//     run and one 120 s run.
//   - steady state: the IAM family's calls when nobody holds a key, at 10, 100 and 1,000
//     administrators (no throttling: only the count matters).

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/fnagent"
	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/harness"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/ratelimit"
)

type throttleParams struct {
	enabled, only bool
	families      string
	maxRuns       int
	steady        string
	scenarios     string
}

var tp throttleParams

func init() {
	flag.BoolVar(&tp.enabled, "throttle", true, "include the rate-limit section (about 15 minutes, real time)")
	flag.BoolVar(&tp.only, "throttle-only", false, "run only the rate-limit section")
	flag.StringVar(&tp.families, "throttle-families", "auto,scim", "identity API families to measure (IDENTITY_API values; auto = the IAM API for the Default domain)")
	flag.IntVar(&tp.maxRuns, "throttle-max-runs", 15, "invocations before giving up on convergence")
	flag.StringVar(&tp.steady, "steady-admins", "10,100,1000", "administrator counts of the IAM family's steady-state call count")
	flag.StringVar(&tp.scenarios, "pacing-scenarios", "free-20,free-150,premium-150,premium-1500", "rate-limit scenarios to measure")
}

// scenario is one tenancy, domain type, latency and invocation deadline.
type scenario struct {
	name     string
	typ      string // the Default domain's licenseType, and the emulator's limits
	users    int
	admins   int
	keys     int
	latency  time.Duration
	deadline time.Duration
	// rateLimit is IDENTITY_RATE_LIMIT for the IAM family: it lists no domain, so it cannot
	// read the type (README "Rate limits"); "" leaves the default (auto).
	iamRateLimit string
}

func scenarios() []scenario {
	return []scenario{
		{name: "free-20", typ: ratelimit.Free, users: 10000, admins: 20, keys: 2, latency: 20 * time.Millisecond, deadline: 300 * time.Second},
		{name: "free-150", typ: ratelimit.Free, users: 1000, admins: 150, keys: 3, latency: 20 * time.Millisecond, deadline: 60 * time.Second},
		{name: "premium-150", typ: ratelimit.Premium, users: 1000, admins: 150, keys: 3, latency: 40 * time.Millisecond, deadline: 60 * time.Second, iamRateLimit: ratelimit.Premium},
		{name: "premium-1500", typ: ratelimit.Premium, users: 1000, admins: 1500, keys: 3, latency: 40 * time.Millisecond, deadline: 120 * time.Second, iamRateLimit: ratelimit.Premium},
	}
}

// paceRun is one invocation.
type paceRun struct {
	status                            guard.Status
	deleted, notAttempted, notReached int
	wall                              time.Duration
	calls, throttled                  int
}

// paceResult is one scenario and family until every administrator key is gone (or maxRuns).
type paceResult struct {
	sc        scenario
	api       string
	rateLimit string // IDENTITY_RATE_LIMIT
	runs      []paceRun
	keys      int // administrator keys at the start
	left      int // administrator keys left at the end
	ideal     int // calls one uninterrupted run needs (the floor)
}

func (r paceResult) totals() (wall time.Duration, calls, throttled int) {
	for _, x := range r.runs {
		wall += x.wall
		calls += x.calls
		throttled += x.throttled
	}
	return
}

// leastTime is the least time in which n requests can be sent under both windows, token
// buckets starting full (burst = the window's limit): the n-th request waits for the later of
// the two windows.
func leastTime(n int, w ratelimit.Windows) time.Duration {
	sec := (float64(n) - w.PerSecond) / w.PerSecond
	minute := (float64(n) - w.PerMinute) / (w.PerMinute / 60)
	return time.Duration(math.Max(0, math.Max(sec, minute)) * float64(time.Second))
}

func measurePacing(ctx context.Context, bin string, seed int64, sc scenario, api string) (paceResult, error) {
	res := paceResult{sc: sc, api: api, rateLimit: "auto"}
	if api != "scim" && sc.iamRateLimit != "" {
		res.rateLimit = sc.iamRateLimit
	}
	tn := ociemu.Generate(ociemu.GenSpec{Seed: seed, Users: sc.users, Admins: sc.admins, KeysPerAdmin: sc.keys, OtherKeyFraction: 0.1})
	tn.DefaultDomain().LicenseType = sc.typ
	allKeys := len(tn.KeyRefs()) // before the emulator owns (and changes) the tenancy
	f := floorOf(tn, api)
	res.keys, res.ideal = f.adminKeys, f.total(false)
	emu, err := ociemu.New(tn, ociemu.Options{Latency: sc.latency, Throttle: ociemu.ThrottleByDomainType()})
	if err != nil {
		return res, err
	}
	defer emu.Close()
	fn, err := harness.Start(ctx, harness.Options{Binary: bin, Emu: emu, Config: map[string]string{"IDENTITY_RATE_LIMIT": res.rateLimit, "IDENTITY_API": api}})
	if err != nil {
		return res, err
	}
	defer fn.Stop()
	res.left = res.keys
	for len(res.runs) < tp.maxRuns && res.left > 0 {
		emu.ResetCounts()
		before := emu.Throttled()
		rep, r, err := fn.Invoke(ctx, "", fnagent.InvokeOptions{Deadline: time.Now().Add(sc.deadline)})
		if err != nil {
			return res, fmt.Errorf("%s %s run %d: %w\n%s", sc.name, api, len(res.runs)+1, err, tail(fn.Agent.Stderr(), 2000))
		}
		res.runs = append(res.runs, paceRun{status: rep.Status, deleted: rep.Counts.Deleted, notAttempted: rep.Counts.NotAttempted,
			notReached: rep.Counts.NotReached, wall: r.Elapsed, calls: emu.Total(), throttled: emu.Throttled() - before})
		after := emu.Snapshot()
		res.left = res.keys - (allKeys - len(after.KeyRefs()))
		if rep.Status == guard.StatusError {
			return res, fmt.Errorf("%s %s run %d ended in error: %v", sc.name, api, len(res.runs), rep.Errors)
		}
	}
	return res, nil
}

// steadyCalls is the IAM family's calls in a run that finds nobody holding a key.
func steadyCalls(ctx context.Context, bin string, seed int64, admins int) (int, map[string]int, error) {
	tn := ociemu.Generate(ociemu.GenSpec{Seed: seed, Users: 100, Admins: admins, KeysPerAdmin: 0})
	emu, err := ociemu.New(tn, ociemu.Options{})
	if err != nil {
		return 0, nil, err
	}
	defer emu.Close()
	fn, err := harness.Start(ctx, harness.Options{Binary: bin, Emu: emu, Config: map[string]string{"IDENTITY_API": "auto"}})
	if err != nil {
		return 0, nil, err
	}
	defer fn.Stop()
	rep, _, err := fn.Invoke(ctx, "", fnagent.InvokeOptions{Deadline: time.Now().Add(300 * time.Second)})
	if err != nil {
		return 0, nil, err
	}
	if rep.Status != guard.StatusOK || rep.Counts.Administrators != admins {
		return 0, nil, fmt.Errorf("steady state, %d administrators: status %s counts %+v", admins, rep.Status, rep.Counts)
	}
	return emu.Total(), emu.Counts(), nil
}

func runThrottle(ctx context.Context, bin string, p params, out, progress io.Writer) error {
	if q := flag.Lookup("quick"); !tp.only && (!tp.enabled || q != nil && q.Value.String() == "true") {
		return nil // -throttle=false, or a -quick smoke run
	}
	var rows []paceResult
	for _, sc := range scenarios() {
		if !slices.Contains(strings.Split(tp.scenarios, ","), sc.name) {
			continue
		}
		for _, api := range strings.Split(tp.families, ",") {
			fmt.Fprintf(progress, "bench: pacing %s, %s family\n", sc.name, api)
			r, err := measurePacing(ctx, bin, p.seed, sc, api)
			if err != nil {
				return err
			}
			rows = append(rows, r)
		}
	}
	var steady [][]string
	for _, s := range strings.Split(tp.steady, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("-steady-admins: %w", err)
		}
		fmt.Fprintf(progress, "bench: steady state, %d administrators\n", n)
		calls, byOp, err := steadyCalls(ctx, bin, p.seed, n)
		if err != nil {
			return err
		}
		steady = append(steady, []string{strconv.Itoa(n), strconv.Itoa(calls), strconv.Itoa(n + 3), fmt.Sprintf("%+d", calls-n-3), fmt.Sprint(byOp)})
	}
	writePacing(out, rows, steady)
	return nil
}

// writePacing writes the rate-limit section.
func writePacing(w io.Writer, rows []paceResult, steady [][]string) {
	fmt.Fprintf(w, "## Pacing at both windows of the domain's type (issue 18)\n\n")
	fmt.Fprintf(w, "The emulator enforces both windows of the Default domain's type (`ociemu.ThrottleByDomainType`: Oracle, \"API Rate Limits\", "+
		"Others group, token buckets whose burst is the window's limit; the IAM API at the Default domain's type, an assumption) and answers 429 "+
		"over either; the function runs with `IDENTITY_RATE_LIMIT=auto` unless the row says otherwise. *family*: auto = the IAM API for the "+
		"Default domain (the default), which lists no domain and so cannot read the type: in a Premium domain it is told with "+
		"`IDENTITY_RATE_LIMIT=premium`; scim = `IDENTITY_API=scim`, which reads `licenseType` from ListDomains. One function process per row, "+
		"invoked back to back (as Fn does a hot container) until every administrator key is gone. *least time* = the least time the two windows "+
		"allow for the calls made (n-th call at max((n − per-second)/per-second, (n − per-minute)/(per-minute/60))). *runs allowed* = the calls one "+
		"uninterrupted run needs (*floor*) at 150 a minute, one run a minute.\n\n")
	var cells [][]string
	for _, r := range rows {
		wall, calls, throttled := r.totals()
		win, _ := ratelimit.Of(r.sc.typ)
		least := leastTime(calls, win)
		runs := make([]string, len(r.runs))
		for i, x := range r.runs {
			runs[i] = fmt.Sprintf("%s %d/%d/%d", x.status, x.deleted, x.notAttempted, x.notReached)
		}
		ratio := "-"
		if least > 0 {
			ratio = fmt.Sprintf("%.2f", float64(wall)/float64(least))
		}
		allowed := math.Ceil(float64(r.ideal) / 150)
		cells = append(cells, []string{r.sc.name, r.api, r.rateLimit, fmt.Sprintf("%d × %d", r.sc.admins, r.sc.keys), r.sc.latency.String(),
			fmtDur(r.sc.deadline), strconv.Itoa(len(r.runs)), strings.Join(runs, "; "), strconv.Itoa(r.left), strconv.Itoa(calls), strconv.Itoa(r.ideal),
			fmtDur(wall), fmtDur(least), ratio, strconv.Itoa(throttled), fmt.Sprintf("%.2f %%", 100*float64(throttled)/float64(max(1, calls))),
			fmt.Sprintf("%g (%.2f×)", allowed, float64(len(r.runs))/allowed)})
	}
	table(w, []string{"scenario", "family", "IDENTITY_RATE_LIMIT", "admins × keys", "latency", "deadline", "runs",
		"per run: status deleted/not-attempted/admins not reached", "keys left", "calls", "floor", "wall (all runs)", "least time",
		"wall / least", "429s", "429 share", "runs allowed at 150/min"}, cells)
	fmt.Fprintf(w, "\n### The IAM family's steady state: nobody holds a key\n\n")
	fmt.Fprintf(w, "`IDENTITY_API=auto`, Default-domain Administrators, no administrator holds a key, no throttling. Expected: ListPolicies + "+
		"ListGroups + ListUserGroupMemberships + one ListApiKeys per administrator = n + 3 (GetUser only for a holder of a credential).\n\n")
	table(w, []string{"administrators", "calls", "n + 3", "difference", "by operation"}, steady)
	fmt.Fprintln(w)
}

func fmtDur(d time.Duration) string {
	if d >= 10*time.Second {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Millisecond).String()
}
