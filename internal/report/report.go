package report

import (
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/version"
)

// Report is the response body: the guard's Result inside the handler's envelope. The handler
// fills the envelope (mode once, call id, trigger, calls, notification, timings); the guard
// never sees it. This package renders it for people.
type Report struct {
	guard.Result
	Mode       string    `json:"mode"` // ModeEnforce or ModeDryRun
	CallID     string    `json:"callId,omitempty"`
	Trigger    any       `json:"trigger,omitempty"`
	StartedAt  time.Time `json:"startedAt"`
	DurationMS int64     `json:"durationMs"`
	APICalls   APICalls  `json:"apiCalls"`
	Notified   string    `json:"notification,omitempty"` // "published", "failed", "suppressed" or empty
	// Version is the build that wrote the report (module version, VCS revision).
	Version version.Info `json:"version"`
}

// The run's modes.
const (
	ModeEnforce = "enforce"
	ModeDryRun  = "dry-run"
)

// ModeOf is the mode of a run that is, or is not, a dry run.
func ModeOf(dryRun bool) string {
	if dryRun {
		return ModeDryRun
	}
	return ModeEnforce
}

// APICalls are the OCI API calls the invocation made, as the OCI adapter counted them, by
// operation name (internal/permissions' Op* constants).
type APICalls struct {
	Total       int            `json:"total"`
	ByOperation map[string]int `json:"byOperation,omitempty"`
}
