// Command demo is `make demo`: it builds the real function binary, starts the OCI emulator
// with a sample tenancy (a few administrators with keys, a few hundred other users, and the
// decoys a careless guard would hit), and invokes the function over the fdk socket the way
// the Fn agent does: an instance-start event as a dry run first, then for real.
//
// It prints its conclusion first: what changed in the tenancy, read from the emulator's state
// rather than from the function's report, and which groups were left alone and why; then the
// function's own summary of each run. The JSON report of the enforcing run only with -json.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/fnagent"
	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/harness"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/report"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/gobuild"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/oracle"
)

const instanceStart = `{"eventType":"com.oraclecloud.computeapi.instanceaction.end","cloudEventsVersion":"0.1",
"eventTypeVersion":"2.0","source":"ComputeApi","eventTime":"%s","contentType":"application/json",
"data":{"compartmentId":"ocid1.compartment.oc1..scheduler","resourceName":"nightly-guard-trigger",
"resourceId":"ocid1.instance.oc1.iad.nightlytrigger","additionalDetails":{"instanceActionType":"start"}},
"eventID":"demo-%d","extensions":{"compartmentId":"ocid1.compartment.oc1..scheduler"}}`

// options are the demo's flags.
type options struct {
	users    int           // non-administrator users in the sample tenancy
	latency  time.Duration // emulated latency of every OCI call
	showJSON bool          // print the enforcing run's JSON report
	bin      string        // a function binary already built; empty: build one
}

func main() {
	var o options
	flag.IntVar(&o.users, "users", 300, "non-administrator users in the sample tenancy")
	flag.DurationVar(&o.latency, "latency", 10*time.Millisecond, "emulated latency of every OCI call")
	flag.BoolVar(&o.showJSON, "json", false, "also print the enforcing run's JSON report (the response body)")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, os.Stderr, o); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// invocation is one run of the function as the demo saw it.
type invocation struct {
	title string
	rep   *report.Report
	res   *fnagent.Result
	calls map[string]int // as the emulator counted them
	after ociemu.Tenancy // the tenancy once the run was over
}

// run builds the function (unless o.bin names one), runs the dry run and the enforcing run
// against a fresh emulated tenancy, and writes the conclusion, then each run's summary, to w.
// progress gets the lines a person waits through.
func run(ctx context.Context, w, progress io.Writer, o options) error {
	bin := o.bin
	if bin == "" {
		dir, err := os.MkdirTemp("", "guard-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "func")
		fmt.Fprintln(progress, "building the function binary …")
		if err := gobuild.Build(ctx, bin, gobuild.Options{}); err != nil {
			return err
		}
	}
	tn := ociemu.Generate(ociemu.GenSpec{Seed: 2026, Users: o.users, Admins: 4, KeysPerAdmin: 2, OtherKeyFraction: 0.25, Decoys: true})
	emu, err := ociemu.New(tn, ociemu.Options{Latency: o.latency})
	if err != nil {
		return err
	}
	defer emu.Close()
	before := emu.Snapshot()

	var runs []invocation
	for i, dryRun := range []bool{true, false} {
		title := fmt.Sprintf("Invocation %d: instance-start event, %s", i+1, map[bool]string{true: "DRY_RUN=true", false: "enforce"}[dryRun])
		fmt.Fprintf(progress, "%s …\n", strings.ToLower(title[:1])+title[1:])
		inv, err := invoke(ctx, bin, emu, i+1, dryRun)
		if err != nil {
			return err
		}
		inv.title = title
		runs = append(runs, inv)
	}

	return write(w, before, runs, o)
}

// write prints the conclusion, then each run's summary, then (with -json) the enforcing run's
// report; its error is the conclusion's verdict on the end state.
func write(w io.Writer, before ociemu.Tenancy, runs []invocation, o options) error {
	fmt.Fprintf(w, "admin-apikey-guard demo: the function binary over the fdk socket, as Fn runs it, against the OCI emulator\n")
	fmt.Fprintf(w, "(a tenancy of %d users and %d API keys, %s per call; ADMIN_GROUPS=Administrators, the default)\n",
		countUsers(before), len(before.KeyRefs()), o.latency)
	step(w, "What changed in the tenancy (the emulator's state, not the function's word)")
	verdict := conclusion(w, before, runs)
	for _, r := range runs {
		step(w, r.title)
		fmt.Fprintf(w, "HTTP %d in %s; %d API calls seen by the emulator: %s\n\n", r.res.Status,
			r.res.Elapsed.Round(time.Millisecond), total(r.calls), callList(r.calls))
		fmt.Fprintln(w, report.Title(r.rep))
		fmt.Fprintln(w, indent(report.Text(r.rep)))
	}
	if o.showJSON {
		step(w, "The JSON report of the enforcing run (the response body)")
		fmt.Fprintln(w, strings.TrimRight(string(runs[len(runs)-1].res.Body), "\n"))
	}
	return verdict
}

// invoke starts a fresh function process with DRY_RUN=dryRun, sends it invocation n (an
// instance-start event) and fails unless the run ended ok.
func invoke(ctx context.Context, bin string, emu *ociemu.Server, n int, dryRun bool) (invocation, error) {
	f, err := harness.Start(ctx, harness.Options{Binary: bin, Emu: emu, Config: map[string]string{"DRY_RUN": fmt.Sprint(dryRun)}})
	if err != nil {
		return invocation{}, err
	}
	emu.ResetCounts()
	rep, res, err := f.Invoke(ctx, fmt.Sprintf(instanceStart, time.Now().UTC().Format(time.RFC3339), n), fnagent.InvokeOptions{})
	stopErr := f.Stop()
	if err != nil {
		return invocation{}, fmt.Errorf("%w\nfunction log:\n%s", err, f.Agent.Stderr())
	}
	if stopErr != nil {
		return invocation{}, stopErr
	}
	if rep.Status != guard.StatusOK {
		return invocation{}, fmt.Errorf("run %d ended with status %s:\n%s", n, rep.Status, report.Text(rep))
	}
	return invocation{rep: rep, res: res, calls: emu.Counts(), after: emu.Snapshot()}, nil
}

// conclusion writes the two tables: keys of administrators and of everyone else before and
// after each run, then every group of the tenancy with what became of its members' keys and
// why. The returned error says whether the end state is the one the rules require: exactly the
// Default domain administrators' keys gone, every other key still there.
func conclusion(w io.Writer, before ociemu.Tenancy, runs []invocation) error {
	doomed := oracle.Keys(oracle.Admins(&before, oracle.DefaultAdministrators(&before), nil))
	isAdminKey := func(k string) bool { return slices.Contains(doomed, k) }
	const row = "  %-30s %8s %18s %16s\n"
	heads := []any{"", "before"}
	admins := []any{"administrators' keys", fmt.Sprint(countKeys(before, isAdminKey))}
	others := []any{"every other key (decoys too)", fmt.Sprint(countKeys(before, not(isAdminKey)))}
	for _, r := range runs {
		heads = append(heads, map[string]string{report.ModeDryRun: "after the dry run", report.ModeEnforce: "after enforcing"}[r.rep.Mode])
		admins = append(admins, fmt.Sprint(countKeys(r.after, isAdminKey)))
		others = append(others, fmt.Sprint(countKeys(r.after, not(isAdminKey))))
	}
	for _, cells := range [][]any{heads, admins, others} {
		fmt.Fprintf(w, row, cells...)
	}

	final := runs[len(runs)-1]
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  group\tmembers\tkeys before → after\twhat the function did, and why")
	for _, d := range before.Domains {
		for _, g := range d.Groups {
			keysBefore := groupKeys(before, d.ID, g)
			keysAfter := groupKeys(final.after, d.ID, g)
			fmt.Fprintf(tw, "  %s/%s\t%d\t%d → %d\t%s\n", d.DisplayName, g.DisplayName, len(g.Members), keysBefore, keysAfter,
				why(final.rep, d.DisplayName, g.DisplayName))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	gone, stayed := 0, 0
	left := final.after.KeyRefs()
	for _, k := range before.KeyRefs() {
		switch kept := slices.Contains(left, k); {
		case isAdminKey(k) && !kept:
			gone++
		case !isAdminKey(k) && kept:
			stayed++
		}
	}
	if gone != len(doomed) || stayed != len(before.KeyRefs())-len(doomed) {
		return fmt.Errorf("unexpected end state: %d of %d administrator keys gone, %d of %d other keys kept",
			gone, len(doomed), stayed, len(before.KeyRefs())-len(doomed))
	}
	fmt.Fprintln(w, "\n=> only the administrators lost their keys, and only when enforcing; nothing else was touched.")
	return nil
}

// why says, for one group of the tenancy, what the enforcing run's report says became of it.
// It only reads the report: the decisions are the guard's (internal/guard/decide.go).
func why(rep *report.Report, domain, name string) string {
	for _, g := range rep.Groups {
		if g.Domain == domain && g.Name == name {
			from := map[string]string{"config": "named in ADMIN_GROUPS", "policy": "a policy makes it an administrator group"}[g.Source]
			return fmt.Sprintf("keys deleted: %s (through the %s API)", from, strings.ToUpper(cmp.Or(g.API, "identity")))
		}
	}
	for _, p := range rep.Policy {
		inDefault := domain == "Default" && p.Subject == fmt.Sprintf("group '%s'", name)
		if inDefault || p.Subject == fmt.Sprintf("group '%s'/'%s'", domain, name) {
			return "left alone, reported: " + cmp.Or(p.Note, "a policy grants it manage all-resources in tenancy")
		}
	}
	for _, g := range rep.Groups {
		if g.Name == name {
			return fmt.Sprintf("left alone: same name in another identity domain; ADMIN_GROUPS names the %s domain's", g.Domain)
		}
	}
	return "left alone: not in ADMIN_GROUPS, and no policy grants it manage all-resources in tenancy"
}

func countKeys(t ociemu.Tenancy, keep func(string) bool) int {
	n := 0
	for _, k := range t.KeyRefs() {
		if keep(k) {
			n++
		}
	}
	return n
}

func not(f func(string) bool) func(string) bool {
	return func(k string) bool { return !f(k) }
}

// groupKeys counts the API keys the members of g (in domain domainID) hold in t.
func groupKeys(t ociemu.Tenancy, domainID string, g ociemu.Group) int {
	n := 0
	for _, d := range t.Domains {
		if d.ID != domainID {
			continue
		}
		for _, u := range d.Users {
			if slices.Contains(g.Members, u.OCID) {
				n += len(u.APIKeys)
			}
		}
	}
	return n
}

func countUsers(t ociemu.Tenancy) int {
	n := 0
	for _, d := range t.Domains {
		n += len(d.Users)
	}
	return n
}

func total(calls map[string]int) int {
	n := 0
	for _, c := range calls {
		n += c
	}
	return n
}

// callList renders the emulator's call counts as "ListGroups 1, GetUser 4, …", by name.
func callList(calls map[string]int) string {
	var parts []string
	for _, op := range slices.Sorted(maps.Keys(calls)) {
		parts = append(parts, fmt.Sprintf("%s %d", op, calls[op]))
	}
	return strings.Join(parts, ", ")
}

func step(w io.Writer, s string) { fmt.Fprintf(w, "\n== %s\n", s) }

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ")
}
