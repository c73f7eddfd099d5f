// Command bench is `make bench`: it builds the function binary as the Dockerfile does
// (static, stripped), runs it through the Fn-agent harness against the OCI emulator with a
// fixed latency per call, and prints markdown tables: API calls, wall time and peak RSS per
// tenancy size in enforce and dry-run mode, start-up time, binary size, and wall time against
// DELETE_CONCURRENCY. Every measured row gets a fresh emulator and a fresh function process,
// so no row profits from another's warm caches or connections.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
)

// params are the command line, after -quick has been applied.
type params struct {
	latency          time.Duration
	sizes            []int
	admins           int
	keys             int
	otherKeyFraction float64
	starts           int
	curve            []int
	repeat           int
	curveRepeat      int
	seed             int64
}

func main() {
	p, cpuProfile := parseFlags()
	if cpuProfile != "" {
		defer startCPUProfile(cpuProfile)()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, p, os.Stdout, os.Stderr); err != nil {
		stop()
		pprof.StopCPUProfile() // fatal exits without running the deferred calls
		fatal(err)
	}
}

// parseFlags reads the command line into params, applies -quick, and returns the -cpuprofile
// file ("" for none). A bad value ends the command.
func parseFlags() (params, string) {
	var p params
	var sizes, curve string
	flag.DurationVar(&p.latency, "latency", 20*time.Millisecond, "emulated latency of every OCI call")
	flag.StringVar(&sizes, "sizes", "100,1000,10000,100000", "tenancy sizes: users besides the administrators, comma separated")
	flag.IntVar(&p.admins, "admins", 50, "members of the Administrators group")
	flag.IntVar(&p.keys, "keys", 3, "API keys per administrator")
	flag.Float64Var(&p.otherKeyFraction, "other-key-fraction", 0.1, "fraction of the other users holding one key")
	flag.IntVar(&p.starts, "starts", 7, "process starts for the start-up median")
	flag.StringVar(&curve, "concurrency-curve", "1,4,8,16", "DELETE_CONCURRENCY values to time")
	flag.IntVar(&p.repeat, "repeat", 3, "runs per tenancy size and mode; the one with the median wall time is reported")
	flag.IntVar(&p.curveRepeat, "curve-repeat", 5, "runs per concurrency value; the median is reported")
	flag.Int64Var(&p.seed, "seed", 2026, "tenancy generator seed")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of this process (the emulator and the harness; the function runs in its own) to `file`")
	quick := flag.Bool("quick", false, "small smoke run: sizes 100,1000, 3 starts, curve 1,8, every run once")
	flag.Parse()

	var err error
	if p.sizes, err = intList(sizes); err != nil {
		fatal(fmt.Errorf("-sizes: %w", err))
	}
	if p.curve, err = intList(curve); err != nil {
		fatal(fmt.Errorf("-concurrency-curve: %w", err))
	}
	slices.Sort(p.curve) // the curve is read as steps from one value to the next
	if *quick {
		p.sizes, p.starts, p.curve, p.repeat, p.curveRepeat = []int{100, 1000}, 3, []int{1, 8}, 1, 1
	}
	if p.admins < 1 || p.keys < 1 || p.starts < 1 || p.repeat < 1 || p.curveRepeat < 1 {
		fatal(fmt.Errorf("-admins, -keys, -starts, -repeat and -curve-repeat must be at least 1"))
	}
	return p, *cpuProfile
}

// startCPUProfile starts profiling this process into path and returns what stops it.
func startCPUProfile(path string) (stop func()) {
	f, err := os.Create(path)
	if err != nil {
		fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

func run(ctx context.Context, p params, out, progress io.Writer) error {
	dir, err := os.MkdirTemp("", "guard-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "func")
	fmt.Fprintln(progress, "bench: building the stripped static binary")
	size, err := buildStripped(ctx, bin)
	if err != nil {
		return err
	}

	loadBefore := loadAverage()
	if tp.only { // throttle.go
		err := runThrottle(ctx, bin, p, out, progress)
		writeMachine(out, loadBefore, loadAverage())
		return err
	}
	rows, err := measureSizes(ctx, bin, p, progress)
	if err != nil {
		return err
	}
	fmt.Fprintf(progress, "bench: %d starts\n", p.starts)
	st, err := measureStartup(ctx, bin, p.starts)
	if err != nil {
		return err
	}
	fmt.Fprintf(progress, "bench: concurrency curve %v\n", p.curve)
	points, err := measureCurve(ctx, bin, p)
	if err != nil {
		return err
	}

	writeMachine(out, loadBefore, loadAverage())
	writeScaling(out, p, rows)
	writeStartup(out, st)
	writeBinary(out, size)
	writeCurve(out, p, points)
	writeTargets(out, p, rows, st, size)
	return runThrottle(ctx, bin, p, out, progress)
}

// measureSizes measures every family, tenancy size and mode, each the median of p.repeat runs.
func measureSizes(ctx context.Context, bin string, p params, progress io.Writer) ([]scaleRow, error) {
	var rows []scaleRow
	for _, api := range benchFamilies {
		for _, users := range p.sizes {
			for _, dry := range []bool{false, true} {
				fmt.Fprintf(progress, "bench: %s family, %d users, dry run %v\n", api, users, dry)
				r, err := medianOf(p.repeat, func() (scaleRow, error) { return measureSize(ctx, bin, p, api, users, dry) })
				if err != nil {
					return nil, fmt.Errorf("%s family, %d users, dry run %v: %w", api, users, dry, err)
				}
				rows = append(rows, r)
			}
		}
	}
	return rows, nil
}

// benchFamilies are the identity API families measured: the IAM API (IDENTITY_API=auto, the
// default, serves the Default domain through it) and Identity Domains SCIM.
var benchFamilies = []string{permissions.APIIAM, permissions.APISCIM}

func intList(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%q is not a non-negative whole number", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}
