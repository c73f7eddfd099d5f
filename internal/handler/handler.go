package handler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	fdk "github.com/fnproject/fdk-go"

	"github.com/apikeyguard/admin-apikey-guard/internal/budget"
	"github.com/apikeyguard/admin-apikey-guard/internal/config"
	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/oci"
	"github.com/apikeyguard/admin-apikey-guard/internal/ratelimit"
	"github.com/apikeyguard/admin-apikey-guard/internal/report"
	"github.com/apikeyguard/admin-apikey-guard/internal/trigger"
	"github.com/apikeyguard/admin-apikey-guard/internal/version"
)

// Directory is what the handler needs of the OCI adapter: the guard's Directory plus the
// call count for the report and the API key the requests are signed with, if any.
type Directory interface {
	guard.Directory
	CallCount() (int, map[string]int)
	Publish(ctx context.Context, topicID, title, body string) error
	Signer() guard.Signer
}

// Handler runs the guard once per invocation: Serve for the function (an fdk invocation), Run
// for any other entry point (the workstation command, cmd/admin-apikey-guard). Both go through
// the same configuration, mode, Directory, guard, notification and report.
type Handler struct {
	Log    *slog.Logger
	Redact Redactor
	// Connect builds the Directory for one invocation; tests replace it.
	// deadline is the invocation's (zero if none): retries never back off past it.
	Connect func(c config.Config, deadline time.Time) (Directory, error)
	// Now is the clock (time.Now when nil); the report's start time, which decides when an
	// unchanged finding is repeated, comes from it. Tests inject it.
	Now func() time.Time

	// resumeAt is where the last run of this process left administrators undone
	// (guard.Result.ResumeAt): Fn sends further invocations to the same process while its
	// container is hot, and the next run starts there, so a tenancy too large for one
	// invocation converges. A new process starts at the first administrator.
	mu       sync.Mutex
	resumeAt string
}

// New returns the production handler, logging JSON lines to w. Its redaction set is the
// resource principal's secrets, read again at every invocation (secrets).
func New(w io.Writer) *Handler {
	SilenceSDKLog()
	r := NewReadingRedactor(func() []string { return secrets(os.Getenv) })
	return &Handler{Log: slog.New(slog.NewJSONHandler(r.Writer(w), nil)), Redact: r, Connect: (&pacers{}).connect}
}

// pacers keeps one oci.Pacer per IDENTITY_RATE_LIMIT value for the life of the process: Fn
// sends further invocations to the same container while it is hot, and a run that follows
// another must know what that one spent of each domain's rate limits (internal/oci/pace.go).
type pacers struct {
	mu     sync.Mutex
	byRate map[ratelimit.Setting]*oci.Pacer
}

func (p *pacers) get(s ratelimit.Setting) *oci.Pacer {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.byRate == nil {
		p.byRate = map[ratelimit.Setting]*oci.Pacer{}
	}
	if p.byRate[s] == nil {
		p.byRate[s] = oci.NewPacer(s)
	}
	return p.byRate[s]
}

func (p *pacers) connect(c config.Config, deadline time.Time) (Directory, error) {
	s := Settings(c, deadline)
	s.Pacer = p.get(c.RateLimit)
	return oci.NewFromResourcePrincipal(s)
}

// Settings are the OCI adapter's settings for a configuration and a deadline (zero: none),
// whatever signs the requests.
func Settings(c config.Config, deadline time.Time) oci.Settings {
	return oci.Settings{IdentityEndpoint: c.IdentityEndpoint,
		NotificationEndpoint: c.NotificationEndpoint, DefaultDomainURL: c.IdentityDomainURL, IdentityAPI: c.IdentityAPI,
		Deadline: deadline, RateLimit: c.RateLimit}
}

// Serve implements fdk.Handler. An invocation without Fn's deadline (fdk-go sets none when the
// Fn-Deadline header is absent or malformed) gets budget.NoDeadlineTimeout of its own: no run of
// the function is unbounded.
func (h *Handler) Serve(ctx context.Context, in io.Reader, out io.Writer) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, budget.NoDeadlineTimeout)
		defer cancel()
		h.Log.WarnContext(ctx, "the invocation has no Fn-Deadline: the run gets a deadline of its own", "timeout", budget.NoDeadlineTimeout.String())
	}
	fctx := fdk.GetContext(ctx)
	rep := h.Run(ctx, fctx.CallID(), fctx.Config(), in)
	fdk.SetHeader(out, "Content-Type", "application/json")
	body, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		h.Log.ErrorContext(ctx, "encoding the report failed", "callId", rep.CallID, "error", err)
		body = []byte(`{"status":"error","errors":[{"stage":"report","message":"the report could not be encoded"}]}`)
	}
	if _, err := io.WriteString(out, h.Redact.String(string(body))+"\n"); err != nil {
		h.Log.ErrorContext(ctx, "writing the report failed", "callId", rep.CallID, "error", err)
	}
}

// Run is one run: env holds the configuration keys (Fn's function configuration, or what the
// workstation command collected), in the body (empty, an event, or the options object). It
// logs the summary line and returns the report, not yet redacted: whoever prints it redacts
// it with h.Redact.
func (h *Handler) Run(ctx context.Context, callID string, env map[string]string, in io.Reader) *report.Report {
	h.Redact.Refresh() // the token this invocation's SDK client reads may not be the last one's
	log := h.Log.With("callId", callID)
	now := h.Now
	if now == nil {
		now = time.Now
	}
	began := time.Now() // durations from the monotonic clock, whatever Now says
	rep := &report.Report{CallID: callID, StartedAt: now().UTC(), Version: version.Current()}
	h.run(ctx, env, in, rep, log, began)
	rep.DurationMS = time.Since(began).Milliseconds()
	h.logSummary(ctx, log, rep)
	return rep
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

// run fills the envelope and, when the invocation is valid, the guard's Result. A failure is
// heard: a bad body or a bad configuration still publishes its one message when the topic
// itself is valid (config.NotificationOnly), so a nightly run stopped by a typo does not fail
// silently every night.
func (h *Handler) run(ctx context.Context, env map[string]string, in io.Reader, rep *report.Report, log *slog.Logger, began time.Time) {
	v := readInvocation(env, in)
	rep.Mode = report.ModeOf(v.dryRun())
	if v.triggered {
		rep.Trigger = v.trig
	}
	var ignored []guard.Problem
	for _, w := range config.IgnoredVariables(env) {
		ignored = append(ignored, guard.Problem{Stage: "config", Message: w})
	}
	settle := func(r guard.Result) {
		r.Warnings = append(r.Warnings, ignored...)
		rep.Result = r
	}
	if len(v.problems) > 0 {
		settle(guard.Stopped(v.problems...))
	}
	cfg := v.cfg
	if !v.configured {
		var tell bool
		if cfg, tell = config.NotificationOnly(env); !tell {
			return // there is not even a valid topic to tell
		}
	}
	runCtx, cancel := budget.RunContext(ctx) // see internal/budget for how the deadline is divided
	defer cancel()
	deadline, _ := runCtx.Deadline()
	dir, err := h.Connect(cfg, deadline)
	if err != nil {
		settle(guard.Stopped(append(v.problems, guard.Problem{Stage: "auth", Message: fmt.Sprintf("%v; nothing was changed", err)})...))
		return
	}
	if len(v.problems) == 0 {
		log.InfoContext(ctx, "invocation", "trigger", v.trig, "mode", rep.Mode, "adminGroups", fmt.Sprint(cfg.AdminGroups))
		settle(h.resume(runCtx, dir, guardOptions(v, dir.Signer(), log)))
	}
	if cfg.NotificationTopicID != "" {
		h.notify(ctx, runCtx, dir, cfg, rep, log, began)
	}
	rep.APICalls = callsOf(dir)
	if p, ok := dir.(interface{ RateLimits() []ratelimit.Applied }); ok {
		rep.RateLimits = p.RateLimits()
	}
}

// resume runs the guard from where the last run of this process left administrators undone,
// and keeps where this one leaves them (Handler.resumeAt).
func (h *Handler) resume(ctx context.Context, dir Directory, opt guard.Options) guard.Result {
	h.mu.Lock()
	opt.ResumeAt = h.resumeAt
	h.mu.Unlock()
	r := guard.Run(ctx, dir, opt)
	h.mu.Lock()
	h.resumeAt = r.ResumeAt
	h.mu.Unlock()
	return r
}

func guardOptions(v invocation, signer guard.Signer, log *slog.Logger) guard.Options {
	c := v.cfg
	return guard.Options{
		Groups: c.AdminGroups, DryRun: v.dryRun(), Exempt: guard.NewExemptions(c.ExemptUsers),
		DisableCapability: c.DisableCapability, IncludePolicyAdmins: c.IncludePolicyAdmins,
		IncludeEscalationAdmins: c.IncludeEscalationAdmins,
		Credentials:             c.Credentials, DisableKinds: c.DisableKinds,
		Concurrency: c.Concurrency, Reserve: budget.Reserve, Signer: signer, Logger: log,
		Named: named(v.trig.Credential),
	}
}

// named is the credential a creation event names, for the guard (nil when it names none).
func named(c *trigger.NamedCredential) *guard.NamedCredential {
	if c == nil {
		return nil
	}
	return &guard.NamedCredential{UserOCID: c.UserOCID, Kind: guard.Kind(c.Kind), Fingerprint: c.Fingerprint}
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
	log.Log(ctx, level, "summary", "status", rep.Status, "mode", rep.Mode, "version", rep.Version,
		"exemptions", rep.Exemptions.Summary, "counts", rep.Counts,
		"apiCalls", rep.APICalls.Total, "durationMs", rep.DurationMS, "errors", errors.Join(msgs...))
}
