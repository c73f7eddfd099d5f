package budget

import (
	"context"
	"time"
)

// Reserve is kept back before Run: no new write starts inside it (see the package doc).
const Reserve = 250 * time.Millisecond

// maxMargin caps Margin: against Functions' 300 s a second is nothing, and more is never needed
// to write a report.
const maxMargin = time.Second

// Margin is how long before Fn's deadline OCI work stops, for left time remaining.
func Margin(left time.Duration) time.Duration { return min(left/5, maxMargin) }

// Budget divides one invocation's time.
type Budget struct {
	Fn  time.Time // the platform's deadline
	Now func() time.Time
}

// Of returns the budget of ctx's deadline; ok is false when ctx has none (a local run).
func Of(ctx context.Context) (Budget, bool) {
	d, ok := ctx.Deadline()
	return Budget{Fn: d, Now: time.Now}, ok
}

// Run is when OCI work stops: Margin before Fn's deadline.
func (b Budget) Run() time.Time { return b.Fn.Add(-Margin(b.Fn.Sub(b.Now()))) }

// LastWrite is the last instant a write may start: Reserve before Run.
func (b Budget) LastWrite() time.Time { return b.Run().Add(-Reserve) }

// RunContext is ctx ending at Run (or just cancellable when ctx has no deadline).
func RunContext(ctx context.Context) (context.Context, context.CancelFunc) {
	b, ok := Of(ctx)
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, b.Run())
}

// NoDeadlineTimeout is the deadline a function invocation gets when Fn sends none: fdk-go sets
// no deadline when the Fn-Deadline header is absent or not RFC 3339 (fdk-go v0.0.63, fdk.go
// ctxWithDeadline falls back to context.WithCancel), and a run without one could wait on a
// listing forever. 300 s is the longest a synchronous OCI Functions invocation may run
// ("Synchronous invocations: at most 300 s"; a function's configured timeout is at most that),
// so a run bounded by it never outlives the platform's own limit by its own doing.
const NoDeadlineTimeout = 300 * time.Second
