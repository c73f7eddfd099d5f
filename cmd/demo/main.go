// Command demo is `make demo`: it builds the real function binary, starts the OCI emulator
// with a sample tenancy (a few administrators with keys, a few hundred other users, and the
// decoys a careless guard would hit), and invokes the function over the fdk socket the way
// the Fn agent does: an instance-start event as a dry run first, then for real.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
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

func main() {
	users := flag.Int("users", 300, "non-administrator users in the sample tenancy")
	latency := flag.Duration("latency", 10*time.Millisecond, "emulated latency of every OCI call")
	showJSON := flag.Bool("json", true, "print the enforce run's JSON report")
	flag.Parse()
	if err := run(*users, *latency, *showJSON); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(users int, latency time.Duration, showJSON bool) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "guard-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "func")
	step("Building the function binary")
	if err := gobuild.Build(ctx, bin, gobuild.Options{}); err != nil {
		return err
	}
	tn := ociemu.Generate(ociemu.GenSpec{Seed: 2026, Users: users, Admins: 4, KeysPerAdmin: 2, OtherKeyFraction: 0.25, Decoys: true})
	emu, err := ociemu.New(tn, ociemu.Options{Latency: latency})
	if err != nil {
		return err
	}
	defer emu.Close()
	before := emu.Snapshot()
	step(fmt.Sprintf("Emulated tenancy: %d users, %d API keys, %s per call", countUsers(before), len(before.KeyRefs()), latency))
	describe(before)

	for i, dryRun := range []string{"true", "false"} {
		if err := invoke(ctx, bin, emu, i+1, dryRun, showJSON); err != nil {
			return err
		}
	}
	step("What changed in the tenancy")
	return verify(before, emu.Snapshot())
}

// invoke starts a fresh function process with DRY_RUN=dryRun, sends it invocation n (an
// instance-start event), prints what the emulator saw and the function's report, and fails
// unless the run ended ok.
func invoke(ctx context.Context, bin string, emu *ociemu.Server, n int, dryRun string, showJSON bool) error {
	title := map[string]string{"true": "Invocation 1: instance-start event, DRY_RUN=true", "false": "Invocation 2: instance-start event, enforce"}[dryRun]
	step(title)
	f, err := harness.Start(ctx, harness.Options{Binary: bin, Emu: emu, Config: map[string]string{"DRY_RUN": dryRun}})
	if err != nil {
		return err
	}
	emu.ResetCounts()
	rep, res, err := f.Invoke(ctx, fmt.Sprintf(instanceStart, time.Now().UTC().Format(time.RFC3339), n), fnagent.InvokeOptions{})
	stopErr := f.Stop()
	if err != nil {
		return fmt.Errorf("%w\nfunction log:\n%s", err, f.Agent.Stderr())
	}
	if stopErr != nil {
		return stopErr
	}
	fmt.Printf("HTTP %d in %s; %d API calls seen by the emulator: %v\n\n", res.Status, res.Elapsed.Round(time.Millisecond), emu.Total(), emu.Counts())
	fmt.Println(report.Title(rep))
	fmt.Println(indent(report.Text(rep)))
	if dryRun == "false" && showJSON {
		step("The JSON report of the enforce run (the response body)")
		fmt.Println(string(res.Body))
	}
	if rep.Status != guard.StatusOK {
		return fmt.Errorf("run %d ended with status %s", n, rep.Status)
	}
	return nil
}

// verify shows, from the emulator's state rather than the function's report, that exactly the
// Default domain administrators' keys went and every other key stayed.
func verify(before, after ociemu.Tenancy) error {
	doomed := oracle.Keys(oracle.Admins(&before, oracle.DefaultAdministrators(&before), nil))
	left := after.KeyRefs()
	var adminBefore, adminAfter, otherBefore, otherAfter int
	for _, k := range before.KeyRefs() {
		kept := slices.Contains(left, k)
		if slices.Contains(doomed, k) {
			adminBefore++
			if kept {
				adminAfter++
			}
		} else {
			otherBefore++
			if kept {
				otherAfter++
			}
		}
	}
	fmt.Printf("  administrators' keys:            %3d before, %3d after\n", adminBefore, adminAfter)
	fmt.Printf("  every other key (decoys too):    %3d before, %3d after\n", otherBefore, otherAfter)
	if adminAfter != 0 || otherAfter != otherBefore {
		return fmt.Errorf("unexpected end state")
	}
	fmt.Println("  => only administrators lost their keys; nothing else was touched.")
	return nil
}

func describe(t ociemu.Tenancy) {
	for _, d := range t.Domains {
		for _, g := range d.Groups {
			keys := 0
			for _, m := range g.Members {
				for _, u := range d.Users {
					if u.OCID == m {
						keys += len(u.APIKeys)
					}
				}
			}
			fmt.Printf("  domain %-12s group %-22s %2d members holding %2d keys\n", d.DisplayName, g.DisplayName, len(g.Members), keys)
		}
	}
}

func countUsers(t ociemu.Tenancy) int {
	n := 0
	for _, d := range t.Domains {
		n += len(d.Users)
	}
	return n
}

func step(s string) { fmt.Printf("\n== %s\n", s) }

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ")
}
