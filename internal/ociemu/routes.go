package ociemu

import (
	"slices"
	"strings"
)

// Route is one operation the emulator serves.
type Route struct {
	API     string // "iam", "scim" (every domain's listener) or "ons"
	Method  string
	Pattern string // the path pattern, e.g. /20160918/users/{userId}
	Op      string // the operation name Counts and Faults use
}

// Routes lists every operation the emulator serves, sorted by API, pattern and method. Every
// one is used by the function or by a test (internal/e2e/routes_test.go keeps it so).
func (s *Server) Routes() []Route { return slices.Clone(s.routes) }

// noteRoutes records the routes of a pattern once, however many domains serve it. It runs
// while New builds the listeners.
func (s *Server) noteRoutes(scim bool, pattern string, byMethod map[string]route) {
	api := "iam"
	switch {
	case scim:
		api = "scim"
	case strings.HasPrefix(pattern, "/20181201/"):
		api = "ons"
	}
	for method, rt := range byMethod {
		r := Route{API: api, Method: method, Pattern: pattern, Op: rt.op}
		i, found := slices.BinarySearchFunc(s.routes, r, compareRoutes)
		if !found {
			s.routes = slices.Insert(s.routes, i, r)
		}
	}
}

func compareRoutes(a, b Route) int {
	if c := strings.Compare(a.API, b.API); c != 0 {
		return c
	}
	if c := strings.Compare(a.Pattern, b.Pattern); c != 0 {
		return c
	}
	return strings.Compare(a.Method, b.Method)
}
