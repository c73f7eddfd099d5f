package oci

import (
	"net/http"
	"strings"
	"sync"

	"github.com/oracle/oci-go-sdk/v65/common"
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
	d.calls.add(operation(req.Method, req.URL.Path))
	return boundByInvocation(d.next, req)
}

// operation names a request the way the permissions list and the emulator do.
func operation(method, path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(parts) >= 3 && parts[0] == "admin" && parts[1] == "v1":
		resource, item := parts[2], len(parts) > 3
		switch {
		case method == http.MethodGet && !item:
			return "scim.List" + resource
		case method == http.MethodGet:
			return "scim.Get" + strings.TrimSuffix(resource, "s")
		case method == http.MethodPatch:
			return "scim.Patch" + strings.TrimSuffix(resource, "s")
		case method == http.MethodDelete:
			return "scim.Delete" + strings.TrimSuffix(resource, "s")
		}
	case len(parts) == 2 && parts[0] == "20160918" && method == http.MethodGet:
		return "List" + strings.ToUpper(parts[1][:1]) + parts[1][1:]
	case len(parts) == 4 && parts[0] == "20181201" && parts[3] == "messages":
		return "PublishMessage"
	}
	return method + " " + path
}

// CallCount reports the calls made so far (total, by operation).
func (d *Directory) CallCount() (int, map[string]int) { return d.Calls.Snapshot() }
