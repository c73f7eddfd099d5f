// Command admin-apikey-guard is the function's guard run by hand, from Cloud Shell or a laptop
// with ~/.oci/config, before (or instead of) deploying the function: the same configuration
// keys, checks, pacing, exemptions, report and notification (internal/handler.Run, the one run
// both entry points share), signed by the SDK's providers instead of a resource principal.
//
// It reports only unless asked to enforce. Enforcing first runs the same thing as a dry run,
// shows it, and goes on only when the operator types the phrase the preview asks for ("delete
// 8 keys"), or passes it as --confirm; with neither (no terminal to ask) it refuses. It never
// deletes the API key it signs with (guard rule the-signing-key-is-never-touched).
//
// Exit status: 0 ok, 1 error (nothing changed), 2 bad usage or not confirmed (nothing changed),
// 3 partial (something was not done: a failure, the deadline, or the key it signs with).
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/oracle/oci-go-sdk/v65/common"

	"github.com/apikeyguard/admin-apikey-guard/internal/config"
	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/handler"
	"github.com/apikeyguard/admin-apikey-guard/internal/oci"
	"github.com/apikeyguard/admin-apikey-guard/internal/report"
)

// Exit statuses.
const (
	exitOK      = 0
	exitError   = 1
	exitUsage   = 2
	exitPartial = 3
)

func main() {
	handler.SilenceSDKLog() // as the function does: the SDK's own log would print past the redaction
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv, os.Environ())
	stop()
	os.Exit(code)
}

// run is the command, with its world passed in.
func run(ctx context.Context, args []string, stdin *os.File, stdout, stderr io.Writer, getenv func(string) string, environ []string) int {
	o, err := parseFlags(args, getenv, stderr)
	if err != nil {
		return exitUsage // flag has printed the problem and the usage
	}
	env, err := o.configEnv(environ)
	if err != nil {
		fmt.Fprintln(stderr, "admin-apikey-guard:", err)
		return exitUsage
	}
	provider, secrets, err := o.auth.provider()
	if err != nil {
		fmt.Fprintln(stderr, "admin-apikey-guard: authentication:", err, "(nothing was changed)")
		return exitError
	}
	if o.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.timeout)
		defer cancel()
	}
	c := &cli{opts: o, env: env, stdin: stdin, stdout: stdout, stderr: stderr, h: newHandler(provider, secrets, o.logFormat, stderr)}
	return c.do(ctx)
}

// newHandler is the function's handler signed by provider: the same run, another signer.
func newHandler(p common.ConfigurationProvider, secrets []string, logFormat string, stderr io.Writer) *handler.Handler {
	r := handler.NewRedactor(secrets)
	var h slog.Handler = slog.DiscardHandler
	switch logFormat {
	case "text":
		h = slog.NewTextHandler(r.Writer(stderr), nil)
	case "json":
		h = slog.NewJSONHandler(r.Writer(stderr), nil)
	}
	return &handler.Handler{Log: slog.New(h), Redact: r,
		Connect: func(c config.Config, deadline time.Time) (handler.Directory, error) {
			return oci.New(p, handler.Settings(c, deadline))
		}}
}

// cli is one invocation of the command.
type cli struct {
	opts           options
	env            map[string]string
	stdin          *os.File
	stdout, stderr io.Writer
	h              *handler.Handler
	callID         string
}

// do runs the preview and, when asked and confirmed, the enforcing run.
func (c *cli) do(ctx context.Context) int {
	c.callID = newCallID()
	preview := c.runOnce(ctx, true)
	if !c.opts.enforce {
		return c.finish(preview)
	}
	if preview.Status == guard.StatusError {
		fmt.Fprintln(c.stderr, "admin-apikey-guard: the preview failed, so nothing is enforced (nothing was changed)")
		return c.finish(preview)
	}
	if !preview.Changed() {
		fmt.Fprintln(c.stdout, "Nothing to delete or disable: no enforcing run.")
		return c.finish(preview)
	}
	want := phrase(preview.Counts)
	if err := confirm(want, c.opts.confirm, c.stdin, c.stderr); err != nil {
		fmt.Fprintln(c.stderr, "admin-apikey-guard:", err, "(nothing was changed)")
		c.writeReport(preview)
		return exitUsage
	}
	rep := c.runOnce(ctx, false)
	if done := rep.Counts.Deleted + rep.Counts.Disabled + rep.Counts.Failed; done > preview.Counts.WouldDelete+preview.Counts.WouldDisable {
		fmt.Fprintf(c.stdout, "\nNOTE: the tenancy changed since the preview: %d changes were attempted, %d were confirmed.\n",
			done, preview.Counts.WouldDelete+preview.Counts.WouldDisable)
	}
	return c.finish(rep)
}

// runOnce is one run through the function's handler: a dry run (the preview, or the whole
// report-only run) or the enforcing run. The preview of an enforcing run publishes nothing
// (the notification tells what the enforcing run did), unless the configuration is invalid:
// then the preview is the run that fails, and the failure is notified as the function would.
func (c *cli) runOnce(ctx context.Context, dryRun bool) *report.Report {
	env := maps.Clone(c.env)
	env["DRY_RUN"] = fmt.Sprint(dryRun)
	id := c.callID
	if dryRun && c.opts.enforce {
		if _, err := config.Load(env); err == nil {
			delete(env, "NOTIFICATION_TOPIC_ID")
		}
		id += "-preview"
	}
	rep := c.h.Run(ctx, id, env, strings.NewReader(""))
	fmt.Fprintf(c.stdout, "%s\n\n%s", c.h.Redact.String(report.Title(rep)), c.h.Redact.String(report.Text(rep)))
	return rep
}

// finish writes the report and says how the run ended.
func (c *cli) finish(rep *report.Report) int {
	if !c.writeReport(rep) {
		return exitError
	}
	switch rep.Status {
	case guard.StatusOK:
		return exitOK
	case guard.StatusPartial:
		return exitPartial
	default:
		return exitError
	}
}

// writeReport writes the JSON report to --report, readable by its owner only: it names every
// administrator and their key fingerprints.
func (c *cli) writeReport(rep *report.Report) bool {
	if c.opts.reportPath == "" {
		return true
	}
	body, err := json.MarshalIndent(rep, "", "  ")
	if err == nil {
		err = os.WriteFile(c.opts.reportPath, []byte(c.h.Redact.String(string(body))+"\n"), 0o600)
	}
	if err != nil {
		fmt.Fprintln(c.stderr, "admin-apikey-guard: writing the report:", err)
		return false
	}
	fmt.Fprintf(c.stdout, "\nReport: %s\n", c.opts.reportPath)
	return true
}

// newCallID names this invocation in the report and the log, as Fn's call id does.
func newCallID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return "workstation-" + hex.EncodeToString(b)
}

// errDryRunConflict: DRY_RUN=true in the environment and --enforce ask for opposite things.
var errDryRunConflict = errors.New("DRY_RUN=true in the environment contradicts --enforce; unset DRY_RUN (the command decides the mode: report-only unless --enforce)")
