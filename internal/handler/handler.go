package handler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	fdk "github.com/fnproject/fdk-go"

	"github.com/apikeyguard/admin-apikey-guard/internal/budget"
	"github.com/apikeyguard/admin-apikey-guard/internal/config"
	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/oci"
	"github.com/apikeyguard/admin-apikey-guard/internal/report"
	"github.com/apikeyguard/admin-apikey-guard/internal/trigger"
)

// Directory is what the handler needs of the OCI adapter: the guard's Directory plus the
// call count for the report.
type Directory interface {
	guard.Directory
	CallCount() (int, map[string]int)
	Publish(ctx context.Context, topicID, title, body string) error
}

// Handler serves invocations.
type Handler struct {
	Log    *slog.Logger
	Redact redactor
	// Connect builds the Directory for one invocation; tests replace it.
	// deadline is the invocation's (zero if none): retries never back off past it.
	Connect func(c config.Config, deadline time.Time) (Directory, error)
	// Now is the clock (time.Now when nil); the report's start time, which decides when an
	// unchanged finding is repeated, comes from it. Tests inject it.
	Now func() time.Time
}

// New returns the production handler, logging JSON lines to w.
func New(w io.Writer) *Handler {
	r := newRedactor(secrets(os.Getenv))
	return &Handler{Log: slog.New(slog.NewJSONHandler(r.Writer(w), nil)), Redact: r, Connect: connect}
}

func connect(c config.Config, deadline time.Time) (Directory, error) {
	return oci.NewFromResourcePrincipal(oci.Settings{IdentityEndpoint: c.IdentityEndpoint,
		NotificationEndpoint: c.NotificationEndpoint, DefaultDomainURL: c.IdentityDomainURL, IdentityAPI: c.IdentityAPI,
		Deadline: deadline, RateLimit: c.RateLimit})
}

// Serve implements fdk.Handler.
func (h *Handler) Serve(ctx context.Context, in io.Reader, out io.Writer) {
	fctx := fdk.GetContext(ctx)
	log := h.Log.With("callId", fctx.CallID())
	now := h.Now
	if now == nil {
		now = time.Now
	}
	began := time.Now() // durations from the monotonic clock, whatever Now says
	rep := &report.Report{CallID: fctx.CallID(), StartedAt: now().UTC()}
	h.run(ctx, fctx.Config(), in, rep, log, began)
	rep.DurationMS = time.Since(began).Milliseconds()
	h.logSummary(ctx, log, rep)
	fdk.SetHeader(out, "Content-Type", "application/json")
	body, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		log.ErrorContext(ctx, "encoding the report failed", "error", err)
		body = []byte(`{"status":"error","errors":[{"stage":"report","message":"the report could not be encoded"}]}`)
	}
	if _, err := io.WriteString(out, h.Redact.String(string(body))+"\n"); err != nil {
		log.ErrorContext(ctx, "writing the report failed", "error", err)
	}
}

// invocation is what one call asks for: the configuration and the body, read strictly, and
// what was wrong with them.
type invocation struct {
	cfg        config.Config
	trig       trigger.Trigger
	configured bool // the configuration is valid (so there is a topic to tell, if any)
	triggered  bool // the body is valid
	problems   []guard.Problem
}

// dryRun is the one place the run's mode is decided: the configuration or the body asks for it.
// Only a valid configuration and a valid body are read; without a valid configuration nothing
// runs, and the report then says enforce.
func (v invocation) dryRun() bool {
	return v.configured && (v.cfg.DryRun || v.triggered && v.trig.DryRun)
}

func readInvocation(env map[string]string, in io.Reader) invocation {
	var v invocation
	cfg, cfgErr := config.Load(env)
	body, err := io.ReadAll(io.LimitReader(in, trigger.MaxBody+1))
	if err != nil {
		v.problems = append(v.problems, guard.Problem{Stage: "trigger", Message: fmt.Sprintf("reading the body: %v", err)})
		return v
	}
	trig, trigErr := trigger.Parse(body)
	if trigErr != nil {
		v.problems = append(v.problems, guard.Problem{Stage: "trigger", Message: fmt.Sprintf("%v; nothing was changed", trigErr)})
	}
	if cfgErr != nil {
		v.problems = append(v.problems, guard.Problem{Stage: "config", Message: fmt.Sprintf("%v; nothing was changed", cfgErr)})
	}
	v.cfg, v.configured, v.trig, v.triggered = cfg, cfgErr == nil, trig, trigErr == nil
	return v
}

// run fills the envelope and, when the invocation is valid, the guard's Result. A bad body
// still gets its failure notified when the configuration names a topic.
func (h *Handler) run(ctx context.Context, env map[string]string, in io.Reader, rep *report.Report, log *slog.Logger, began time.Time) {
	v := readInvocation(env, in)
	rep.Mode = report.ModeOf(v.dryRun())
	if v.triggered {
		rep.Trigger = v.trig
	}
	if len(v.problems) > 0 {
		rep.Result = guard.Stopped(v.problems...)
	}
	if !v.configured {
		return // without a valid configuration there is not even a topic to tell
	}
	runCtx, cancel := budget.RunContext(ctx) // see internal/budget for how the deadline is divided
	defer cancel()
	deadline, _ := runCtx.Deadline()
	dir, err := h.Connect(v.cfg, deadline)
	if err != nil {
		rep.Result = guard.Stopped(append(v.problems, guard.Problem{Stage: "auth", Message: fmt.Sprintf("%v; nothing was changed", err)})...)
		return
	}
	if len(v.problems) == 0 {
		log.InfoContext(ctx, "invocation", "trigger", v.trig, "mode", rep.Mode, "adminGroups", fmt.Sprint(v.cfg.AdminGroups))
		rep.Result = guard.Run(runCtx, dir, guardOptions(v, log))
	}
	if v.cfg.NotificationTopicID != "" {
		h.notify(ctx, runCtx, dir, v.cfg, rep, log, began)
	}
	rep.APICalls = callsOf(dir)
}

func guardOptions(v invocation, log *slog.Logger) guard.Options {
	c := v.cfg
	return guard.Options{
		Groups: c.AdminGroups, DryRun: v.dryRun(), Exempt: guard.NewExemptions(c.ExemptUsers),
		DisableCapability: c.DisableCapability, IncludePolicyAdmins: c.IncludePolicyAdmins,
		IncludeEscalationAdmins: c.IncludeEscalationAdmins,
		Credentials:             c.Credentials, DisableKinds: c.DisableKinds,
		Concurrency: c.Concurrency, Reserve: budget.Reserve, Logger: log,
	}
}

func callsOf(dir Directory) report.APICalls {
	total, byOp := dir.CallCount()
	return report.APICalls{Total: total, ByOperation: byOp}
}

// notify publishes the report when guard.NotifyDecision says so. The message carries the calls made
// and the time spent up to publishing; the report then counts the publish call too.
func (h *Handler) notify(ctx, runCtx context.Context, dir Directory, cfg config.Config, rep *report.Report, log *slog.Logger, began time.Time) {
	d := guard.NotifyDecision(rep.Result, rep.DryRun(), rep.StartedAt, cfg.FindingReminder)
	if !d.Publish {
		if d.Reason != "nothing to report" {
			rep.Notified = "suppressed"
			log.InfoContext(ctx, "notification suppressed", "reason", d.Reason)
		}
		return
	}
	rep.APICalls = callsOf(dir)
	rep.DurationMS = time.Since(began).Milliseconds()
	title, body := report.Message(rep, d, cfg.FindingReminder)
	if err := dir.Publish(runCtx, cfg.NotificationTopicID, h.Redact.String(title), h.Redact.String(body)); err != nil {
		// The enforcement stands; the operator learns about the failed message from the report.
		rep.Notified = "failed"
		rep.Warnings = append(rep.Warnings, guard.ProblemFrom("notify", err))
		log.ErrorContext(ctx, "notification failed", "error", err)
		return
	}
	rep.Notified = "published"
	log.InfoContext(ctx, "notification published", "reason", d.Reason)
}

func (h *Handler) logSummary(ctx context.Context, log *slog.Logger, rep *report.Report) {
	level := slog.LevelInfo
	if rep.Status != guard.StatusOK {
		level = slog.LevelError
	}
	var msgs []error
	for _, p := range rep.Errors {
		msgs = append(msgs, errors.New(p.Stage+": "+p.Message))
	}
	log.Log(ctx, level, "summary", "status", rep.Status, "mode", rep.Mode, "counts", rep.Counts,
		"apiCalls", rep.APICalls.Total, "durationMs", rep.DurationMS, "errors", errors.Join(msgs...))
}
