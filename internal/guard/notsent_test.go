package guard_test

import (
	"fmt"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
)

// A change the Directory held back unsent (the rate limit left no room before the deadline)
// is not-attempted, not failed, and its key is still there; the run is partial.
func TestNotSentIsNotAttempted(t *testing.T) {
	d, u := tenancy()
	first := true
	d.Fail = func(op, arg string) error {
		if op == "DeleteAPIKey" {
			if first {
				first = false
				return nil
			}
			return fmt.Errorf("paced: %w", guard.ErrNotSent)
		}
		return nil
	}
	rep := run(t, d, guard.Options{Concurrency: 1})
	c := rep.Counts
	if rep.Status != guard.StatusPartial || c.Deleted != 1 || c.NotAttempted == 0 || c.Failed != 0 {
		t.Fatalf("status %s counts %+v, want partial with one deleted and the rest not attempted", rep.Status, c)
	}
	if left := d.Keys(); len(left[u["alice"].OCID])+len(left[u["bob"].OCID])+len(left[u["breakg"].OCID]) != c.NotAttempted {
		t.Fatalf("%d keys reported not attempted, %v left", c.NotAttempted, left)
	}
}
