package main

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/fnagent"
	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/harness"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/report"
)

// scaleRow is one invocation on one tenancy size.
type scaleRow struct {
	api       string // IDENTITY_API of the run: iam (the default, auto) or scim
	users     int
	dryRun    bool
	setup     time.Duration // Generate + emulator start: to show whether the emulator keeps up
	calls     map[string]int
	total     int // as the emulator counted them
	reported  int // as the function's report counted them; differs only if a count is wrong
	floor     int
	wall      time.Duration
	deleted   int // deleted, or would delete in a dry run
	adminKeys int
	peakRSS   int64
	cpu       time.Duration // the function's CPU time; -1 when /proc does not tell
	discovery time.Duration // invocation start to the first DELETE arriving; the wall time in a dry run
}

func (r scaleRow) mode() string {
	if r.dryRun {
		return "dry run"
	}
	return "enforce"
}

// medianOf runs measure n times and keeps the row with the median wall time, so one row's
// figures all come from the same run.
func medianOf(n int, measure func() (scaleRow, error)) (scaleRow, error) {
	rows := make([]scaleRow, 0, n)
	for range n {
		r, err := measure()
		if err != nil {
			return r, err
		}
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b scaleRow) int { return cmp.Compare(a.wall, b.wall) })
	return rows[len(rows)/2], nil
}

// measureSize runs one invocation against a fresh emulator with a fresh function process.
func measureSize(ctx context.Context, bin string, p params, api string, users int, dryRun bool) (scaleRow, error) {
	row := scaleRow{api: api, users: users, dryRun: dryRun}
	t0 := time.Now()
	tn := ociemu.Generate(ociemu.GenSpec{Seed: p.seed, Users: users, Admins: p.admins, KeysPerAdmin: p.keys, OtherKeyFraction: p.otherKeyFraction})
	emu, err := ociemu.New(tn, ociemu.Options{Latency: p.latency})
	if err != nil {
		return row, err
	}
	defer emu.Close()
	row.setup = time.Since(t0)
	f := floorOf(tn, api)
	row.floor, row.adminKeys = f.total(dryRun), f.adminKeys

	m, err := invokeOnce(ctx, bin, emu, map[string]string{"DRY_RUN": strconv.FormatBool(dryRun), "IDENTITY_API": api})
	if err != nil {
		return row, err
	}
	rep := m.report
	row.calls, row.total, row.reported = emu.Counts(), emu.Total(), rep.APICalls.Total
	row.wall, row.peakRSS, row.cpu, row.discovery = m.result.Elapsed, m.peakRSS, m.cpu, m.firstDelete
	if dryRun {
		row.discovery = row.wall
	}
	row.deleted = rep.Counts.Deleted + rep.Counts.WouldDelete
	if row.deleted != row.adminKeys {
		return row, fmt.Errorf("the run handled %d keys, the tenancy's administrators hold %d", row.deleted, row.adminKeys)
	}
	return row, nil
}

// measured is one invocation and what the function process used for it.
type measured struct {
	report  *report.Report
	result  *fnagent.Result
	peakRSS int64
	cpu     time.Duration // start-up included; -1 when /proc does not tell
	// firstDelete is when the emulator first saw a DELETE, from the start of the invocation:
	// it splits the wall time into discovery and deletes. Zero when nothing was deleted.
	firstDelete time.Duration
}

// invokeOnce starts the function on emu, invokes it once with an empty body (a scheduled run),
// reads its peak RSS and CPU time while it is still alive, and stops it. A run whose report is
// not "ok" is an error: timing a failure would be meaningless.
func invokeOnce(ctx context.Context, bin string, emu *ociemu.Server, cfg map[string]string) (measured, error) {
	var m measured
	fn, err := harness.Start(ctx, harness.Options{Binary: bin, Emu: emu, Config: cfg})
	if err != nil {
		return m, err
	}
	emu.ResetCounts()
	stopWatch := watchFirstDelete(emu, &m.firstDelete)
	m.report, m.result, err = fn.Invoke(ctx, "", fnagent.InvokeOptions{})
	stopWatch()
	if err == nil {
		m.peakRSS, err = fn.Agent.PeakRSS()
	}
	if err == nil {
		if m.cpu, err = functionCPU(); err != nil {
			m.cpu, err = -1, nil // a figure to explain timings, not worth failing the run for
		}
	}
	if stopErr := fn.Stop(); err == nil {
		err = stopErr
	}
	if err != nil {
		return m, fmt.Errorf("%w\nfunction log (tail):\n%s", err, tail(fn.Agent.Stderr(), 2000))
	}
	if m.result.Status != 200 || m.report.Status != guard.StatusOK {
		return m, fmt.Errorf("HTTP %d, report status %q: %.500s", m.result.Status, m.report.Status, m.result.Body)
	}
	return m, nil
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// deletePoll is how often the emulator's counters are read while a run is in flight: fine
// enough against 20 ms calls, coarse enough not to contend for the emulator's lock.
const deletePoll = 2 * time.Millisecond

// watchFirstDelete polls emu until the first DeleteApiKey arrives and stores when, relative
// to now, in *at. The returned function stops the watch and waits for it, so *at is safe to
// read afterwards.
func watchFirstDelete(emu *ociemu.Server, at *time.Duration) (stop func()) {
	start := time.Now()
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(deletePoll)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if c := emu.Counts(); c[ociemu.OpScimDeleteApiKey]+c[ociemu.OpDeleteApiKey] > 0 { // either family
					*at = time.Since(start)
					return
				}
			}
		}
	}()
	return func() { close(done); <-finished }
}
