package ociemu

import (
	"net/http"
	"slices"
	"strings"
)

// iamNamed applies the list parameters IAM documents for ListGroups, ListUsers and
// ListPolicies (SDK identity/list_*_request_response.go): name ("A filter to only return
// resources that match the given name exactly"), sortBy (ListGroupsSortByEnum etc.:
// TIMECREATED or NAME; anything else is 400, as the SDK itself refuses other values) and
// sortOrder (ASC or DESC; "The NAME sort order is case sensitive"). Every emulated resource
// has the same timeCreated, so TIMECREATED keeps the stable default order. items is not
// modified; the result may be a new slice.
func iamNamed[T any](r *http.Request, items []T, name func(*T) string) ([]T, error) {
	q := r.URL.Query()
	if q.Has("name") {
		want := q.Get("name")
		var out []T
		for i := range items {
			if name(&items[i]) == want {
				out = append(out, items[i])
			}
		}
		items = out
	}
	order := strings.ToUpper(q.Get("sortOrder"))
	if order != "" && order != "ASC" && order != "DESC" {
		return nil, badRequest("sortOrder must be ASC or DESC")
	}
	switch strings.ToUpper(q.Get("sortBy")) {
	case "", "TIMECREATED":
		if order == "DESC" {
			items = slices.Clone(items)
			slices.Reverse(items)
		}
	case "NAME":
		items = slices.Clone(items)
		slices.SortStableFunc(items, func(a, b T) int {
			c := strings.Compare(name(&a), name(&b))
			if order == "DESC" {
				return -c
			}
			return c
		})
	default:
		return nil, badRequest("sortBy must be TIMECREATED or NAME")
	}
	return items, nil
}
