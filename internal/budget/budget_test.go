package budget

import (
	"context"
	"testing"
	"time"
)

func TestTheInvocationIsDividedAsDocumented(t *testing.T) {
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name             string
		left             time.Duration
		margin, toWrites time.Duration // Fn deadline − Run, and Fn deadline − LastWrite
	}{
		{"Functions' maximum: the margin is capped at a second", 300 * time.Second, time.Second, time.Second + Reserve},
		{"five seconds: a fifth", 5 * time.Second, time.Second, time.Second + Reserve},
		{"two seconds: a fifth", 2 * time.Second, 400 * time.Millisecond, 400*time.Millisecond + Reserve},
		{"nothing left", 0, 0, Reserve},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := Budget{Fn: now.Add(tc.left), Now: func() time.Time { return now }}
			if got := b.Fn.Sub(b.Run()); got != tc.margin {
				t.Errorf("Fn − Run = %v, want %v", got, tc.margin)
			}
			if got := b.Fn.Sub(b.LastWrite()); got != tc.toWrites {
				t.Errorf("Fn − LastWrite = %v, want %v", got, tc.toWrites)
			}
			if !b.LastWrite().Before(b.Run()) && tc.left > 0 {
				t.Error("LastWrite is not before Run")
			}
		})
	}
}

func TestRunContextEndsBeforeFnsDeadline(t *testing.T) {
	fn := time.Now().Add(10 * time.Second)
	parent, cancel := context.WithDeadline(context.Background(), fn)
	defer cancel()
	ctx, stop := RunContext(parent)
	defer stop()
	d, ok := ctx.Deadline()
	if !ok || !d.Before(fn) || fn.Sub(d) > maxMargin {
		t.Fatalf("run deadline %v for Fn's %v", d, fn)
	}
	free, stop2 := RunContext(context.Background())
	defer stop2()
	if _, ok := free.Deadline(); ok {
		t.Error("a context without a deadline got one")
	}
}
