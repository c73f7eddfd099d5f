package fnagent

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"time"
)

// DefaultCallTimeout is the Fn-Deadline distance when InvokeOptions.Deadline
// is zero, matching the longest timeout OCI Functions allows.
const DefaultCallTimeout = 5 * time.Minute

// deadlineLayout is RFC 3339 with milliseconds, so sub-second deadlines
// used by tests survive the trip.
const deadlineLayout = "2006-01-02T15:04:05.000Z07:00"

// InvokeOptions are the per-call headers the agent sets.
type InvokeOptions struct {
	CallID   string    // Fn-Call-Id; random when empty
	Deadline time.Time // Fn-Deadline; now+DefaultCallTimeout when zero
	// NoDeadline sends no Fn-Deadline at all, as a caller that sends none: fdk-go then gives
	// the handler a context without a deadline (fdk-go fdk.go, ctxWithDeadline).
	NoDeadline  bool
	ContentType string // default application/json
	Header      http.Header
}

// Result is the function's HTTP answer as the agent receives it.
type Result struct {
	Status  int
	Header  http.Header
	Body    []byte
	Elapsed time.Duration
	CallID  string
}

// Invoke sends one call. The fdk answers only when the handler returns, so
// Elapsed is the handler's duration plus transport overhead.
func (a *Agent) Invoke(ctx context.Context, body []byte, opts InvokeOptions) (*Result, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://localhost/call", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("fnagent: %w", err)
	}
	for k, vs := range opts.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	callID := opts.CallID
	if callID == "" {
		callID = newCallID()
	}
	deadline := opts.Deadline
	if deadline.IsZero() {
		deadline = time.Now().Add(DefaultCallTimeout)
	}
	contentType := opts.ContentType
	if contentType == "" {
		contentType = "application/json"
	}
	req.Header.Set("Fn-Call-Id", callID)
	if !opts.NoDeadline {
		req.Header.Set("Fn-Deadline", deadline.UTC().Format(deadlineLayout))
	}
	req.Header.Set("Content-Type", contentType)

	start := time.Now()
	resp, err := a.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fnagent: invoke: %w", err)
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("fnagent: read response: %w", err)
	}
	return &Result{
		Status:  resp.StatusCode,
		Header:  resp.Header,
		Body:    respBody,
		Elapsed: time.Since(start),
		CallID:  callID,
	}, nil
}

func newCallID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails on Linux; a zero id would still be usable
	return hex.EncodeToString(b[:])
}
