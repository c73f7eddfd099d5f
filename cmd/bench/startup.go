package main

import (
	"context"
	"slices"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/harness"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
)

// startup is process start -> socket accepting, as the Fn agent sees a cold start.
type startup struct {
	ready   []time.Duration // sorted
	idleRSS int64           // largest peak RSS of a started, never invoked process
}

func (s startup) median() time.Duration { return s.ready[len(s.ready)/2] }

func measureStartup(ctx context.Context, bin string, n int) (startup, error) {
	// Start-up touches no OCI API, so one small tenancy serves every start.
	emu, err := ociemu.New(ociemu.Generate(ociemu.GenSpec{Seed: 1, Users: 10, Admins: 1, KeysPerAdmin: 1}), ociemu.Options{})
	if err != nil {
		return startup{}, err
	}
	defer emu.Close()
	var s startup
	for range n {
		fn, err := harness.Start(ctx, harness.Options{Binary: bin, Emu: emu})
		if err != nil {
			return s, err
		}
		s.ready = append(s.ready, fn.Agent.ReadyAfter())
		rss, err := fn.Agent.PeakRSS()
		if stopErr := fn.Stop(); err == nil {
			err = stopErr
		}
		if err != nil {
			return s, err
		}
		s.idleRSS = max(s.idleRSS, rss)
	}
	slices.Sort(s.ready)
	return s, nil
}
