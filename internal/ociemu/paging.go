package ociemu

import (
	"net/http"
	"strconv"
	"strings"
)

const (
	iamDefaultLimit = 100
	iamMaxLimit     = 1000
	scimDefaultCnt  = 50
	scimMaxCount    = 1000
	pageTokenPrefix = "emu1."
)

// badRequest is a client error answered with 400 InvalidParameter.
type badRequest string

func (e badRequest) Error() string { return string(e) }

// iamPage resolves limit/page for a list of n items and sets opc-next-page when more
// remain. Page tokens are opaque to clients but carry the offset, so paging is O(page).
// The server's anomalies (anomalies.go) may cap the page or repeat the token it was asked for.
func iamPage(a Anomalies, w http.ResponseWriter, r *http.Request, n int) (lo, hi int, err error) {
	q := r.URL.Query()
	limit := iamDefaultLimit
	if v := q.Get("limit"); v != "" {
		limit, err = strconv.Atoi(v)
		if err != nil || limit < 1 {
			return 0, 0, badRequest("limit must be a positive integer")
		}
		limit = min(limit, iamMaxLimit)
	}
	if tok := q.Get("page"); tok != "" {
		off, ok := strings.CutPrefix(tok, pageTokenPrefix)
		lo, err = strconv.Atoi(off)
		if !ok || err != nil || lo < 0 || lo > n {
			return 0, 0, badRequest("page token is invalid")
		}
	}
	hi = min(lo+a.capPage(limit), n)
	switch {
	case hi < n && q.Get("page") != "" && a.repeatsPages(opOf(r.Context())):
		w.Header().Set("opc-next-page", q.Get("page"))
	case hi < n:
		w.Header().Set("opc-next-page", pageToken(hi))
	}
	return lo, hi, nil
}

// scimWindow resolves startIndex (1-based) and count for SCIM lists.
func scimWindow(r *http.Request) (start, count int, err error) {
	q := r.URL.Query()
	start, count = 1, scimDefaultCnt
	if v := q.Get("startIndex"); v != "" {
		if start, err = strconv.Atoi(v); err != nil {
			return 0, 0, badRequest("startIndex must be an integer")
		}
		start = max(start, 1) // RFC 7644 3.4.2.4: values below 1 are read as 1
	}
	if v := q.Get("count"); v != "" {
		if count, err = strconv.Atoi(v); err != nil || count < 0 {
			return 0, 0, badRequest("count must be a non-negative integer")
		}
		count = min(count, scimMaxCount)
	}
	return start, count, nil
}
