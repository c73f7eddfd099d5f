package main

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
)

// curveUsers is small on purpose: the curve is about the deletes, not the listings.
const curveUsers = 100

// curvePoint is the median wall time of the runs at one DELETE_CONCURRENCY; concurrency 0 is
// the dry-run baseline, whose wall time is what the run costs before its first delete.
type curvePoint struct {
	concurrency int
	wall        time.Duration
	deletes     int
}

// measureCurve returns the dry-run baseline first, then one point per p.curve value.
func measureCurve(ctx context.Context, bin string, p params) ([]curvePoint, error) {
	points := make([]curvePoint, 0, len(p.curve)+1)
	for _, c := range append([]int{0}, p.curve...) {
		cfg := map[string]string{"DRY_RUN": "true"}
		if c > 0 {
			cfg = map[string]string{"DELETE_CONCURRENCY": strconv.Itoa(c)}
		}
		var walls []time.Duration
		deletes := 0
		for range p.curveRepeat {
			tn := ociemu.Generate(ociemu.GenSpec{Seed: p.seed, Users: curveUsers, Admins: p.admins, KeysPerAdmin: p.keys, OtherKeyFraction: p.otherKeyFraction})
			emu, err := ociemu.New(tn, ociemu.Options{Latency: p.latency})
			if err != nil {
				return nil, err
			}
			m, err := invokeOnce(ctx, bin, emu, cfg)
			emu.Close()
			if err != nil {
				return nil, err
			}
			walls = append(walls, m.result.Elapsed)
			deletes = m.report.Counts.Deleted + m.report.Counts.WouldDelete
		}
		slices.Sort(walls)
		points = append(points, curvePoint{concurrency: c, wall: walls[len(walls)/2], deletes: deletes})
	}
	return points, nil
}

// minYield is the share of its latency-bound saving that a step up the curve must deliver to
// be taken. Measured steps that are still latency-bound deliver 0.9 or more; once parallel
// writes queue on something else (CPU here, throttling on OCI) the yield falls towards 0.5
// and below, so 0.75 separates the two with room for timing noise.
const minYield = 0.75

// deletePhase is the part of a run's wall time spent deleting: its wall time minus the dry
// run's, which makes the same calls except the deletes.
func deletePhase(pt, base curvePoint) time.Duration { return pt.wall - base.wall }

// idealPhase is the delete phase if every call cost exactly the latency: rounds of concurrent
// deletes, one latency each.
func idealPhase(pt curvePoint, latency time.Duration) time.Duration {
	return time.Duration((pt.deletes+pt.concurrency-1)/pt.concurrency) * latency
}

// stepYield is how much of the ideal saving moving from a to b delivered.
func stepYield(a, b, base curvePoint, latency time.Duration) float64 {
	ideal := idealPhase(a, latency) - idealPhase(b, latency)
	if ideal <= 0 {
		return 0
	}
	return float64(deletePhase(a, base)-deletePhase(b, base)) / float64(ideal)
}

// kneeOf walks the curve up from the smallest concurrency and stops before the first step
// whose yield is under minYield: past that knee, more parallel writes buy little time here and
// only bring the Identity API's throttling closer on OCI. points[0] is the dry-run baseline.
func kneeOf(points []curvePoint, latency time.Duration) curvePoint {
	base, runs := points[0], slices.Clone(points[1:])
	slices.SortFunc(runs, func(a, b curvePoint) int { return cmp.Compare(a.concurrency, b.concurrency) })
	pick := runs[0]
	for _, next := range runs[1:] {
		if stepYield(pick, next, base, latency) < minYield {
			break
		}
		pick = next
	}
	return pick
}
