package main

import (
	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"

	"cmp"
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"strings"
	"time"
)

// opOrder is the order in which a run makes its calls; other operations follow, sorted.
var opOrder = []string{"ListDomains", "ListPolicies", "scim.ListGroups", "scim.ListUsers", "scim.ListApiKeys", "scim.DeleteApiKey"}

// table writes a markdown table; cells are already formatted.
func table(w io.Writer, header []string, rows [][]string) {
	line := func(cells []string) { fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | ")) }
	line(header)
	sep := make([]string, len(header))
	for i := range sep {
		sep[i] = "---:"
	}
	sep[0] = "---"
	line(sep)
	for _, r := range rows {
		line(r)
	}
	fmt.Fprintln(w)
}

func operations(rows []scaleRow) []string {
	seen := map[string]bool{}
	for _, r := range rows {
		for op := range r.calls {
			seen[op] = true
		}
	}
	var ops []string
	for _, op := range opOrder {
		if seen[op] {
			ops = append(ops, op)
			delete(seen, op)
		}
	}
	return append(ops, slices.Sorted(maps.Keys(seen))...)
}

// writeMachine says what the figures were measured on; the load average matters because
// other work on the same cores shows up as wall time.
func writeMachine(w io.Writer, loadBefore, loadAfter string) {
	fmt.Fprintf(w, "## Machine\n\n%s/%s, %d CPUs (%s), %s; load average before %s, after %s.\n\n",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel(), runtime.Version(), loadBefore, loadAfter)
}

func writeScaling(w io.Writer, p params, rows []scaleRow) {
	fmt.Fprintf(w, "## API calls, wall time and memory by tenancy size\n\n")
	fmt.Fprintf(w, "%d administrators with %d keys each, %g of the other users hold one key, %s per call; "+
		"a fresh emulator and function process per run, the run with the median wall time of %d shown. *family*: the identity API "+
		"(iam: IDENTITY_API=auto, the default, for Default-domain groups; scim: IDENTITY_API=scim). *floor*: SCIM: ListDomains + ListPolicies + group lookup + "+
		"member pages + key-listing pages (1000 per page) + AppRoles + Grants (domain roles) + one DELETE per key; IAM: ListPolicies + ListGroups + membership pages + "+
		"GetUser and ListApiKeys per member + one DELETE per key. *discovery*: until the first DELETE "+
		"reached the emulator; *deletes*: the rest. *function CPU*: user+system time of the function process, "+
		"start-up included, in 10 ms ticks.\n\n",
		p.admins, p.keys, p.otherKeyFraction, p.latency, p.repeat)
	ops := operations(rows)
	header := append([]string{"family", "users", "mode", "calls", "floor", "over floor"}, ops...)
	header = append(header, "wall", "discovery", "deletes", "function CPU", "keys deleted", "peak RSS", "emulator setup")
	var cells [][]string
	for _, r := range rows {
		c := []string{r.api, fmt.Sprintf("%d + %d admins", r.users, p.admins), r.mode(), calls(r), fmt.Sprint(r.floor), fmt.Sprintf("%+d", r.total-r.floor)}
		for _, op := range ops {
			c = append(c, fmt.Sprint(r.calls[op]))
		}
		deleted := fmt.Sprint(r.deleted)
		if r.dryRun {
			deleted = fmt.Sprintf("0 (%d would be)", r.deleted)
		}
		cpu := "n/a"
		if r.cpu >= 0 {
			cpu = ms(r.cpu)
		}
		c = append(c, ms(r.wall), ms(r.discovery), ms(r.wall-r.discovery), cpu, deleted, mb(r.peakRSS), ms(r.setup))
		cells = append(cells, c)
	}
	table(w, header, cells)
}

// calls shows the emulator's count, and the function's own when it disagrees.
func calls(r scaleRow) string {
	if r.reported != r.total {
		return fmt.Sprintf("%d (report says %d)", r.total, r.reported)
	}
	return fmt.Sprint(r.total)
}

func writeStartup(w io.Writer, s startup) {
	fmt.Fprintf(w, "## Start-up: process start to socket accepting a connection\n\n")
	table(w, []string{"starts", "median", "min", "max", "idle peak RSS"},
		[][]string{{fmt.Sprint(len(s.ready)), ms(s.median()), ms(s.ready[0]), ms(s.ready[len(s.ready)-1]), mb(s.idleRSS)}})
}

func writeBinary(w io.Writer, size int64) {
	fmt.Fprintf(w, "## Binary\n\n")
	table(w, []string{"build", "size"},
		[][]string{{"`CGO_ENABLED=0 go build -trimpath -ldflags \"-s -w\"`", fmt.Sprintf("%s (%d bytes)", mb(size), size)}})
}

func writeCurve(w io.Writer, p params, points []curvePoint) {
	base := points[0]
	runs := points[1:]
	if len(runs) == 0 {
		return
	}
	fmt.Fprintf(w, "## Wall time against DELETE_CONCURRENCY\n\n")
	fmt.Fprintf(w, "%d users + %d administrators, %d deletes, %s per call, median of %d run(s) per row. "+
		"*delete phase*: wall minus the dry run's wall (%s, the same run without deletes); "+
		"*ideal*: ceil(deletes / concurrency) x latency.\n\n",
		curveUsers, p.admins, runs[0].deletes, p.latency, p.curveRepeat, ms(base.wall))
	one := runs[0]
	var cells [][]string
	for i, pt := range runs {
		phase, ideal := deletePhase(pt, base), idealPhase(pt, p.latency)
		yield := "-"
		if i > 0 {
			yield = fmt.Sprintf("%.2f", stepYield(runs[i-1], pt, base, p.latency))
		}
		cells = append(cells, []string{fmt.Sprint(pt.concurrency), ms(pt.wall), ms(phase), ms(ideal),
			fmt.Sprintf("%.2f", float64(phase)/float64(max(ideal, 1))), yield, fmt.Sprintf("%.1fx", float64(one.wall)/float64(pt.wall))})
	}
	table(w, []string{"DELETE_CONCURRENCY", "wall", "delete phase", "ideal", "phase / ideal", "step yield", fmt.Sprintf("speed-up vs %d", one.concurrency)}, cells)
	knee := kneeOf(points, p.latency)
	fmt.Fprintf(w, "*step yield*: the share of its ideal saving that the step from the row above delivered. "+
		"Knee: deletes stay latency-bound up to **DELETE_CONCURRENCY=%d** (%s), the last step that delivered at least %.2f "+
		"of its ideal saving%s. The emulator does not throttle: OCI's Identity Domains rate limits cap the useful "+
		"setting lower (see BENCHMARKS.md).\n\n", knee.concurrency, ms(knee.wall), minYield, beyond(knee, runs))
}

func beyond(knee curvePoint, runs []curvePoint) string {
	if knee.concurrency == runs[len(runs)-1].concurrency {
		return " (the largest value measured)"
	}
	return "; past it, parallel writes queue on something else (CPU on this machine)"
}

// target limits, in the units the issue states them.
const (
	maxOverFloor = 5
	maxWall100k  = 2 * time.Second
	maxStart     = 100 * time.Millisecond
	maxRSS       = 40e6
	maxBinary    = 30e6
)

func writeTargets(w io.Writer, p params, rows []scaleRow, s startup, size int64) {
	fmt.Fprintf(w, "## Targets\n\n")
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "**missed**"
	}
	var cells [][]string
	smallest, largest := slices.Min(p.sizes), slices.Max(p.sizes)
	for _, api := range benchFamilies {
		for _, dry := range []bool{false, true} {
			a, b := find(rows, api, smallest, dry), find(rows, api, largest, dry)
			same := maps.Equal(a.calls, b.calls)
			cells = append(cells, []string{fmt.Sprintf("%s: identical calls at %d and %d users (%s)", api, smallest, largest, a.mode()),
				fmt.Sprintf("%d vs %d", a.total, b.total), verdict(same && smallest != largest)})
		}
	}
	worst := slices.MaxFunc(rows, func(a, b scaleRow) int { return cmp.Compare(a.total-a.floor, b.total-b.floor) })
	cells = append(cells, []string{fmt.Sprintf("within %d calls of the floor (worst row)", maxOverFloor),
		fmt.Sprintf("%+d (%s, %d users, %s)", worst.total-worst.floor, worst.api, worst.users, worst.mode()), verdict(worst.total-worst.floor <= maxOverFloor)})
	big := find(rows, permissions.APIIAM, largest, false)
	cells = append(cells, []string{fmt.Sprintf("wall under %s at %d users, enforce", maxWall100k, largest), ms(big.wall), verdict(big.wall < maxWall100k)})
	cells = append(cells, []string{fmt.Sprintf("start-up median under %s", maxStart), ms(s.median()), verdict(s.median() < maxStart)})
	rss := max(big.peakRSS, find(rows, permissions.APIIAM, largest, true).peakRSS)
	cells = append(cells, []string{fmt.Sprintf("peak RSS under %s at %d users", mb(maxRSS), largest), mb(rss), verdict(rss < maxRSS)})
	cells = append(cells, []string{fmt.Sprintf("binary under %s", mb(maxBinary)), mb(size), verdict(size < maxBinary)})
	table(w, []string{"target", "measured", "verdict"}, cells)
	fmt.Fprintf(w, "MB are 10^6 bytes. Targets at 100,000 users apply only when the largest size measured is 100,000 (got %d).\n\n", largest)
}

func find(rows []scaleRow, api string, users int, dry bool) scaleRow {
	for _, r := range rows {
		if r.api == api && r.users == users && r.dryRun == dry {
			return r
		}
	}
	return scaleRow{}
}

func ms(d time.Duration) string {
	if d < 10*time.Millisecond {
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%d ms", d.Round(time.Millisecond).Milliseconds())
}

func mb(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/1e6) }
