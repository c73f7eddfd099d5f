package main

// Rate-limit benchmark: 1,000 administrator keys deleted from an identity domain that throttles
// like each documented domain type (OCI docs, "API Rate Limits",
// https://docs.oracle.com/en-us/iaas/Content/Identity/sku/api-rate-limiting.htm; the SCIM calls
// are in the "Others" group), with the function paced at that type's sustained rate
// (IDENTITY_RATE_LIMIT = per-minute limit / 60), and a curve of the limiter's rate against
// wall time and 429s on one type.
//
// Where the limit cannot fit the run into a 300 s Functions invocation (Free: 150/min), time is
// scaled: the emulator's rates, the function's rate and the deadline are all multiplied (or
// divided) by -throttle-scale, and so is the per-call latency, so that every ratio between
// them is the one of the real run; the wall times are reported multiplied back.

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/fnagent"
	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/harness"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
)

type throttleParams struct {
	enabled   bool
	only      bool
	presets   string
	curveOn   string
	curve     string
	scale     float64
	timeout   time.Duration
	admins    int
	keys      int
	users     int
	maxRuns   int
	skipCurve bool
	families  string
}

var tp throttleParams

func init() {
	flag.BoolVar(&tp.enabled, "throttle", true, "include the rate-limit section (about 6 minutes)")
	flag.BoolVar(&tp.only, "throttle-only", false, "run only the rate-limit section")
	flag.StringVar(&tp.presets, "throttle-presets", strings.Join(ociemu.Presets(), ","), "identity domain types to measure")
	flag.StringVar(&tp.curveOn, "throttle-curve-preset", ociemu.PresetOracleApps, "domain type of the limiter-rate curve")
	flag.StringVar(&tp.curve, "throttle-curve", "10,25,40,50,0", "IDENTITY_RATE_LIMIT values of the curve (0 = no pacing)")
	flag.BoolVar(&tp.skipCurve, "throttle-skip-curve", false, "leave the limiter-rate curve out")
	flag.Float64Var(&tp.scale, "throttle-scale", 5, "time scale for domain types whose run does not fit one invocation")
	flag.DurationVar(&tp.timeout, "throttle-timeout", 300*time.Second, "invocation deadline (OCI Functions' maximum)")
	flag.IntVar(&tp.admins, "throttle-admins", 500, "administrators")
	flag.IntVar(&tp.keys, "throttle-keys", 2, "API keys per administrator")
	flag.IntVar(&tp.users, "throttle-users", 1000, "other users")
	flag.IntVar(&tp.maxRuns, "throttle-max-runs", 6, "invocations before giving up on convergence")
	flag.StringVar(&tp.families, "throttle-families", "scim,iam", "identity API families to measure (IDENTITY_API values)")
}

// throttleRun is one invocation.
type throttleRun struct {
	status                         guard.Status
	deleted, notAttempted, failed  int
	wall                           time.Duration // real time, scaled back
	calls, throttled, reportedCall int
}

// throttleResult is one configuration until convergence (or maxRuns).
type throttleResult struct {
	api     string // IDENTITY_API
	preset  string
	rate    float64 // IDENTITY_RATE_LIMIT, real (unscaled); 0 = none
	scale   float64 // 1 = real time
	limit   ociemu.Limit
	runs    []throttleRun
	keys    int
	latency time.Duration
}

func (r throttleResult) converged() bool {
	return len(r.runs) > 0 && r.runs[len(r.runs)-1].status == guard.StatusOK
}

func (r throttleResult) totals() (wall time.Duration, calls, throttled int) {
	for _, x := range r.runs {
		wall += x.wall
		calls += x.calls
		throttled += x.throttled
	}
	return
}

// measureThrottle runs the function against a fresh emulator with the preset's limits until
// it reports ok. rate is the function's IDENTITY_RATE_LIMIT in real terms; scale > 1 plays the
// whole thing faster.
func measureThrottle(ctx context.Context, bin string, latency time.Duration, seed int64, api, preset string, rate, scale float64) (throttleResult, error) {
	res := throttleResult{api: api, preset: preset, rate: rate, scale: scale, latency: latency}
	th, err := ociemu.ThrottlePreset(preset)
	if err != nil {
		return res, err
	}
	res.limit = th.Domain[ociemu.ClassOthers]
	th.Scale = scale
	tn := ociemu.Generate(ociemu.GenSpec{Seed: seed, Users: tp.users, Admins: tp.admins, KeysPerAdmin: tp.keys, OtherKeyFraction: 0.1})
	before := tn.Clone()
	emu, err := ociemu.New(tn, ociemu.Options{Latency: time.Duration(float64(latency) / scale), Throttle: th})
	if err != nil {
		return res, err
	}
	defer emu.Close()
	res.keys = floorOf(tn, api).adminKeys
	cfg := map[string]string{"IDENTITY_RATE_LIMIT": strconv.FormatFloat(rate*scale, 'f', -1, 64), "IDENTITY_API": api}
	fn, err := harness.Start(ctx, harness.Options{Binary: bin, Emu: emu, Config: cfg})
	if err != nil {
		return res, err
	}
	defer fn.Stop()
	deadline := time.Duration(float64(tp.timeout) / scale)
	for len(res.runs) < tp.maxRuns && !res.converged() {
		emu.ResetCounts()
		throttledBefore := emu.Throttled()
		rep, r, err := fn.Invoke(ctx, "", fnagent.InvokeOptions{Deadline: time.Now().Add(deadline)})
		if err != nil {
			return res, fmt.Errorf("%s run %d: %w\n%s", preset, len(res.runs)+1, err, tail(fn.Agent.Stderr(), 2000))
		}
		res.runs = append(res.runs, throttleRun{status: rep.Status, deleted: rep.Counts.Deleted, notAttempted: rep.Counts.NotAttempted,
			failed: rep.Counts.Failed, wall: time.Duration(float64(r.Elapsed) * scale), calls: emu.Total(),
			throttled: emu.Throttled() - throttledBefore, reportedCall: rep.APICalls.Total})
		if rep.Status == guard.StatusError {
			// Discovery did not fit one invocation at this rate: every later run would end the
			// same way. That is a result, reported as such.
			break
		}
	}
	// Throttling must never change what is deleted: exactly the administrators' keys are gone.
	after := emu.Snapshot()
	if res.converged() {
		gone := len(before.KeyRefs()) - len(after.KeyRefs())
		if gone != res.keys {
			return res, fmt.Errorf("%s: %d keys gone, the administrators held %d", preset, gone, res.keys)
		}
	}
	return res, nil
}

func runThrottle(ctx context.Context, bin string, p params, out, progress io.Writer) error {
	if q := flag.Lookup("quick"); !tp.only && (!tp.enabled || q != nil && q.Value.String() == "true") {
		return nil // -throttle=false, or a -quick smoke run
	}
	var rows, curve []throttleResult
	for _, api := range strings.Split(tp.families, ",") {
		for _, preset := range strings.Split(tp.presets, ",") {
			th, err := ociemu.ThrottlePreset(preset)
			if err != nil {
				return err
			}
			sustained := th.Domain[ociemu.ClassOthers].Sustained()
			scale := 1.0
			// Scale time only where one invocation cannot hold the run (a 5 % margin).
			if float64(throttleCalls(api))/sustained > 0.95*tp.timeout.Seconds() {
				scale = tp.scale
			}
			fmt.Fprintf(progress, "bench: throttle %s family, preset %s at %.2f/s (time x%g)\n", api, preset, sustained, scale)
			r, err := measureThrottle(ctx, bin, p.latency, p.seed, api, preset, sustained, scale)
			if err != nil {
				return err
			}
			rows = append(rows, r)
		}
		if tp.skipCurve {
			continue
		}
		for _, s := range strings.Split(tp.curve, ",") {
			rate, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				return fmt.Errorf("-throttle-curve: %w", err)
			}
			fmt.Fprintf(progress, "bench: throttle curve %s family, %s at IDENTITY_RATE_LIMIT=%g\n", api, tp.curveOn, rate)
			r, err := measureThrottle(ctx, bin, p.latency, p.seed, api, tp.curveOn, rate, 1)
			if err != nil {
				return err
			}
			curve = append(curve, r)
		}
	}
	writeThrottle(out, p, rows, curve)
	return nil
}

// throttleCalls is about how many calls one family needs for the benchmark's tenancy: every
// key deleted, plus discovery (IAM: two reads per administrator; SCIM: a few listings).
func throttleCalls(api string) int {
	calls := tp.admins * tp.keys
	if api == permissions.APISCIM {
		return calls + tp.admins/50 + 5
	}
	return calls + 2*tp.admins + 3
}

// writeThrottle writes the rate-limit section: what was measured and how, one row per family
// and domain type, a note on each row that did not finish in one run, then the limiter-rate
// curve when it was measured.
func writeThrottle(w io.Writer, p params, rows, curve []throttleResult) {
	fmt.Fprintf(w, "## Identity Domains rate limits: 1,000 administrator keys by domain type\n\n")
	fmt.Fprintf(w, "%d administrators × %d keys, %d other users, %s per call, DELETE_CONCURRENCY 8. The emulator throttles like the "+
		"domain type (token buckets per second and per minute of the *Others* API group, OCI docs \"API Rate Limits\"); the function "+
		"paces at that type's sustained rate, IDENTITY_RATE_LIMIT = per-minute limit ÷ 60. *ideal* = calls ÷ that rate. "+
		"*429s* are requests the emulator refused; every one was retried (no other fault is injected), so *retries* = 429s. "+
		"Runs repeat until one reports ok (or one ends in error: discovery did not fit the invocation, and no later run can do better); "+
		"wall times of time-scaled rows are multiplied back. *family*: scim = IDENTITY_API=scim; iam = the default (auto), the Default domain "+
		"through the IAM API, whose bucket the emulator sizes like the domain's Others group (an assumption: Oracle publishes no IAM rate).\n\n", tp.admins, tp.keys, tp.users, p.latency)
	writeThrottleRows(w, rows)
	writeThrottleNotes(w, rows)
	fmt.Fprintln(w)
	if len(curve) > 0 {
		writeThrottleCurve(w, curve)
	}
}

// writeThrottleRows is the table of one row per family and domain type.
func writeThrottleRows(w io.Writer, rows []throttleResult) {
	var cells [][]string
	for _, r := range rows {
		wall, calls, throttled := r.totals()
		ideal := time.Duration(float64(calls) / r.rate * float64(time.Second))
		runs := make([]string, len(r.runs))
		for i, x := range r.runs {
			runs[i] = fmt.Sprintf("%s %d/%d", x.status, x.deleted, x.notAttempted)
		}
		scale := "real"
		if r.scale != 1 {
			scale = fmt.Sprintf("×%g", r.scale)
		}
		cells = append(cells, []string{r.api, r.preset, fmt.Sprintf("%g/s, %g/min", r.limit.PerSecond, r.limit.PerMinute), fmt.Sprintf("%.2f", r.rate),
			scale, strconv.Itoa(len(r.runs)), strings.Join(runs, "; "), strconv.Itoa(calls), fmtDur(wall), fmtDur(ideal),
			fmt.Sprintf("%.2f", float64(wall)/float64(ideal)), strconv.Itoa(throttled), fmt.Sprintf("%.2f %%", 100*float64(throttled)/float64(calls))})
	}
	table(w, []string{"family", "domain type", "Others limit", "rate /s", "time", "runs", "per run: status deleted/not-attempted", "calls", "wall (all runs)", "ideal", "wall / ideal", "429s = retries", "429 share"}, cells)
}

// writeThrottleNotes explains each row that did not delete every key in one run: either
// discovery alone outlasts an invocation, or the keys took several invocations.
func writeThrottleNotes(w io.Writer, rows []throttleResult) {
	for _, r := range rows {
		if last := r.runs[len(r.runs)-1]; last.status == guard.StatusError {
			fmt.Fprintf(w, "- **%s, %s**: discovery alone needs about %d calls, %s at %.2f/s, more than one %s invocation: the run ends in error "+
				"before any delete, and so would every later run. Use IDENTITY_API=scim (batched reads) or a domain type with a higher limit.\n",
				r.api, r.preset, throttleCalls(r.api)-r.keys, fmtDur(time.Duration(float64(throttleCalls(r.api)-r.keys)/r.rate*float64(time.Second))), r.rate, fmtDur(tp.timeout))
			continue
		}
		if len(r.runs) > 1 {
			first := r.runs[0]
			fmt.Fprintf(w, "- **%s, %s**: %d keys at %.2f/s need about %s, more than the %s Functions limit. The first run ended %s after %s "+
				"(deadline %s) with %d deleted, %d not-attempted and %d failed; %d runs in all deleted every key.\n",
				r.api, r.preset, r.keys, r.rate, fmtDur(time.Duration(float64(r.keys)/r.rate*float64(time.Second))), fmtDur(tp.timeout),
				first.status, fmtDur(first.wall), fmtDur(tp.timeout), first.deleted, first.notAttempted, first.failed, len(r.runs))
		}
	}
}

// writeThrottleCurve is the table of wall time and 429s against IDENTITY_RATE_LIMIT.
func writeThrottleCurve(w io.Writer, curve []throttleResult) {
	fmt.Fprintf(w, "### Limiter rate against wall time and 429s (%s domain type, real time)\n\n", curve[0].preset)
	fmt.Fprintf(w, "Same tenancy; IDENTITY_RATE_LIMIT varied (0 = no pacing, only Retry-After slows the run). The %s type allows %g/s "+
		"and %g/min: a 1,000-key run fits in one minute's budget, so pacing up to the per-second limit costs no 429 when no other "+
		"client uses the domain; the function's default paces at the sustained rate because it cannot know what others spent.\n\n",
		curve[0].preset, curve[0].limit.PerSecond, curve[0].limit.PerMinute)
	var cells [][]string
	for _, r := range curve {
		wall, calls, throttled := r.totals()
		rate := "0 (off)"
		if r.rate > 0 {
			rate = fmt.Sprintf("%g", r.rate)
		}
		cells = append(cells, []string{r.api, rate, strconv.Itoa(len(r.runs)), strconv.Itoa(calls), fmtDur(wall), strconv.Itoa(throttled),
			fmt.Sprintf("%.2f %%", 100*float64(throttled)/float64(calls)), string(r.runs[len(r.runs)-1].status)})
	}
	table(w, []string{"family", "IDENTITY_RATE_LIMIT", "runs", "calls", "wall", "429s", "429 share", "last status"}, cells)
}

func fmtDur(d time.Duration) string {
	if d >= 10*time.Second {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Millisecond).String()
}
