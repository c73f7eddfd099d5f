package oci

import (
	"net/http"
	"sync"

	"github.com/oracle/oci-go-sdk/v65/common"

	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
)

// Calls counts every HTTP request the SDK sends (retries included), by operation, so the report
// shows what a run cost and tests can compare with the emulator's own count.
type Calls struct {
	mu   sync.Mutex
	byOp map[string]int
}

// Snapshot returns the total and a copy of the per-operation counts.
func (c *Calls) Snapshot() (int, map[string]int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	total, m := 0, make(map[string]int, len(c.byOp))
	for k, v := range c.byOp {
		m[k] = v
		total += v
	}
	return total, m
}

func (c *Calls) add(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byOp == nil {
		c.byOp = map[string]int{}
	}
	c.byOp[op]++
}

// wrap installs the counter in front of an SDK client's dispatcher.
func (c *Calls) wrap(next common.HTTPRequestDispatcher) common.HTTPRequestDispatcher {
	return countingDispatcher{next: next, calls: c}
}

type countingDispatcher struct {
	next  common.HTTPRequestDispatcher
	calls *Calls
}

func (d countingDispatcher) Do(req *http.Request) (*http.Response, error) {
	op, _ := req.Context().Value(operationKey{}).(string)
	if op == "" {
		op = req.Method + " " + req.URL.Path // a call made without detach: still counted, visibly
	}
	d.calls.add(op)
	resp, err := boundByInvocation(d.next, req)
	if err == nil && permissions.IsSCIM(op) {
		normalizeSCIMError(resp)
	}
	return resp, err
}

// CallCount reports the calls made so far (total, by operation).
func (d *Directory) CallCount() (int, map[string]int) { return d.Calls.Snapshot() }
