package oci

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
)

// Paging, for both families. Nothing holds the pages of a listing together (RFC 7644 §3.4.2.4:
// "Pagination is not session based, and hence clients SHOULD never assume repeatable results";
// IAM documents its opc-next-page token as opaque and says nothing of changes under it), and a
// service may answer with fewer items than asked (RFC 7644 §3.4.2.4, count: "MAY return fewer
// results"; IAM's limit is a maximum). So:
//   - every IAM listing follows opc-next-page through a guard.PageTrail, which refuses a token
//     given before: a service repeating one would otherwise be followed until the deadline, and
//     forever without one (iamPages);
//   - every SCIM listing is read whole by startIndex and judged by guard.JudgeListing, read again
//     while it moved, at most guard.ListingReads times with guard.RereadListing's backoff inside
//     the deadline, and refused when it does not hold still (scimPages, readWhole); the IAM
//     member listing, the one whose gaps hide administrators, is read the same way (iam.go);
//   - a record without what identifies it is guard.ErrMalformedRecord, never dereferenced.

// scimMaxPages bounds one read of a SCIM listing: a total that keeps growing page after page
// would otherwise be paged for as long as the service cares to grow it.
const scimMaxPages = 10_000

// iamPages calls list with each page token in turn, from none, until the service gives no next
// page (opc-next-page absent or empty), and refuses a token it gave before.
func iamPages(op string, list func(page *string) (next *string, err error)) error {
	var trail guard.PageTrail
	var page *string
	for {
		next, err := list(page)
		if err != nil {
			return err
		}
		if next == nil || *next == "" {
			return nil
		}
		if err := trail.Next(*next); err != nil {
			return &OpError{Op: op, Err: fmt.Errorf("%w: refusing to follow it (token %.40q)", err, *next)}
		}
		page = next
	}
}

// iamAllPages is iamPages collecting every page's items.
func iamAllPages[T any](op string, list func(page *string) ([]T, *string, error)) ([]T, error) {
	var all []T
	err := iamPages(op, func(page *string) (*string, error) {
		items, next, err := list(page)
		all = append(all, items...)
		return next, err
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}

// malformed is the error of a record op returned without what identifies it.
func malformed(op, what string) error {
	return &OpError{Op: op, Err: fmt.Errorf("%w: returned %s; refusing to act on an incomplete listing", guard.ErrMalformedRecord, what)}
}

// scimPageFunc reads one page of a SCIM listing: its items and the totalResults it announced (nil when
// the response had none).
type scimPageFunc[T any] func(start, count int) (items []T, total *int, err error)

// scimPages reads a SCIM listing whole (readWhole) and returns its items. check validates one
// item and gives its SCIM id: an error there (a user the filter excludes, a record without its
// id or owner) stops the listing at once, as no re-read would mend it.
func scimPages[T any](ctx context.Context, d *Directory, op string, page scimPageFunc[T], check func(T) (id string, err error)) ([]T, error) {
	return readWhole(ctx, op, func() ([]T, guard.ListingRead, error) { return scimPass(d, op, page, check) })
}

// scimPass is one read of a SCIM listing by 1-based startIndex: until totalResults are read (and,
// when the last page was full, one page more to show nothing follows), a page comes back empty
// (StoppedShort) or a page brings only items already read (Repeated).
// Duplicates are counted, not kept: the guard judges what the read shows.
func scimPass[T any](d *Directory, op string, page scimPageFunc[T], check func(T) (string, error)) ([]T, guard.ListingRead, error) {
	var read guard.ListingRead
	var items []T
	seen := map[string]bool{}
	probed := false
	for start := 1; ; {
		got, total, err := page(start, d.settings.PageSize)
		if err != nil {
			return nil, read, err
		}
		if total == nil {
			// "totalResults: The total number of results returned by the list or query
			// operation… REQUIRED" (RFC 7644 §3.4.2); without it a page cannot be known complete.
			return nil, read, malformed(op, fmt.Sprintf("a page (startIndex %d) without totalResults", start))
		}
		read.Pages++
		read.Totals = append(read.Totals, *total)
		fresh, err := takeNew(got, check, seen, &items, &read)
		if err != nil {
			return nil, read, err
		}
		start += len(got)
		switch {
		case len(got) > 0 && fresh == 0:
			read.Repeated = true
		case start > *total && len(got) == d.settings.PageSize && !probed:
			// The total is reached on a full page: a total that lags the listing would end the
			// read exactly here and hide what follows, so one more page must come back empty
			// (any item on it makes the count disagree). One call, only when the items are a
			// multiple of the page size.
			probed = true
			continue
		case start > *total:
		case len(got) == 0:
			read.StoppedShort = true
		case read.Pages >= scimMaxPages:
			return nil, read, &OpError{Op: op, Err: fmt.Errorf("more than %d pages for %d results: refusing to page on", scimMaxPages, *total)}
		default:
			continue
		}
		read.IDs = slices.Sorted(maps.Keys(seen))
		return items, read, nil
	}
}

// takeNew appends the page's items not read before to items (checking each), counts the others
// as duplicates, and says how many were new.
func takeNew[T any](got []T, check func(T) (string, error), seen map[string]bool, items *[]T, read *guard.ListingRead) (fresh int, err error) {
	for _, x := range got {
		id, err := check(x)
		if err != nil {
			return 0, err
		}
		if seen[id] {
			read.Duplicates++
			continue
		}
		seen[id] = true
		*items = append(*items, x)
		fresh++
	}
	return fresh, nil
}

// readWhole reads a listing with pass until guard.JudgeListing accepts a read, reading again
// while it moved (guard.RereadListing: bounded, with backoff, inside ctx's deadline). A listing
// that does not hold still is guard.ErrListingUnstable, one the service answers in a way no
// re-read mends is refused at once: either way the run stops, nothing changed.
func readWhole[T any](ctx context.Context, op string, pass func() ([]T, guard.ListingRead, error)) ([]T, error) {
	var confirmed *guard.ListingRead
	for reads := 1; ; reads++ {
		items, read, err := pass()
		if err != nil {
			return nil, err
		}
		j := guard.JudgeListing(read, confirmed)
		switch j.Verdict {
		case guard.ListingAccepted:
			return items, nil
		case guard.ListingRefused:
			return nil, &OpError{Op: op, Err: fmt.Errorf("%s: refusing to trust this listing", j.Reason)}
		}
		if j.Consistent {
			confirmed = &read
		}
		deadline, _ := ctx.Deadline()
		wait, again := guard.RereadListing(reads, deadline, time.Now())
		if !again {
			return nil, &OpError{Op: op, Err: fmt.Errorf("%w (%d reads; the last: %s): refusing to act on a listing that cannot be read whole; the next run reads it again",
				guard.ErrListingUnstable, reads, j.Reason)}
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, &OpError{Op: op, Err: fmt.Errorf("reading the listing again: %w", err)}
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return &errInvocationOver{ctx.Err()}
	}
}
