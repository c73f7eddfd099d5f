// Package ratelimit is Oracle's "API Rate Limits" table for identity domains, as the function
// paces by it, and the IDENTITY_RATE_LIMIT setting that overrides it.
//
// Oracle, "API Rate Limits" (https://docs.oracle.com/en-us/iaas/Content/Identity/sku/api-rate-limiting.htm):
// "If you reach the API limit for the identity domain type, then IAM returns a 429 error code."
// Each domain type has a per-second and a per-minute limit per API group, and "API limits apply
// to the total of all APIs within a group". Every call this function makes to a domain
// (/admin/v1/Users, Groups, ApiKeys and the other credentials) is in none of the named groups
// (AuthN, BasicAuthN, Token Mgmt, Bulk), so it is in "Others". Only that row is kept here.
package ratelimit

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Windows are the two limits of one domain type's Others group: requests per second and per
// minute. A client must stay under both.
type Windows struct {
	PerSecond float64 `json:"perSecond"`
	PerMinute float64 `json:"perMinute"`
}

// Domain types as IAM ListDomains spells Domain.licenseType (lower case, words joined by "-").
// The SDK documents the field only as "The License type of Domain" (identity/domain.go);
// Oracle's own example value is "oracle-apps-premium". "oracle-apps" is this product's reading
// of the table's "Oracle Apps" column in the same spelling; no Oracle page confirms it.
const (
	Free              = "free"
	OracleApps        = "oracle-apps"
	OracleAppsPremium = "oracle-apps-premium"
	Premium           = "premium"
	ExternalUser      = "external-user"
)

// Tightest is the type paced at when a domain's type is unknown: the lowest limits of both
// windows in the table (Free: 20 per second, 150 per minute).
const Tightest = Free

// table is the "Others" rows of Oracle's table, by domain type.
var table = map[string]Windows{
	Free:              {PerSecond: 20, PerMinute: 150},
	OracleApps:        {PerSecond: 50, PerMinute: 1500},
	OracleAppsPremium: {PerSecond: 55, PerMinute: 1750},
	Premium:           {PerSecond: 90, PerMinute: 5000},
	ExternalUser:      {PerSecond: 80, PerMinute: 4000},
}

// Types lists the documented domain types, tightest first.
func Types() []string {
	return []string{Free, OracleApps, OracleAppsPremium, ExternalUser, Premium}
}

// normal spells a licenseType the way the table does: "Oracle Apps Premium", "ORACLE_APPS_PREMIUM"
// and "oracle-apps-premium" are one type.
func normal(licenseType string) string {
	s := strings.ToLower(strings.TrimSpace(licenseType))
	return strings.NewReplacer(" ", "-", "_", "-").Replace(s)
}

// Name is a licenseType spelled as the table spells it ("Premium" is "premium").
func Name(licenseType string) string { return normal(licenseType) }

// Of is the windows of a domain type and whether the type is in the table. An unknown or empty
// type gets the Tightest type's windows (and false), so it is never paced above a limit
// Oracle documents for some type.
func Of(licenseType string) (Windows, bool) {
	w, ok := table[normal(licenseType)]
	if !ok {
		return table[Tightest], false
	}
	return w, true
}

// Setting is IDENTITY_RATE_LIMIT: by the domain's type (the default, "auto"), one domain type
// for every host, or a fixed number of requests per second (evenly spaced, no burst; 0 = no
// pacing).
type Setting struct {
	// Type, when set, paces every host at that domain type's windows.
	Type string
	// Fixed, when true, paces every host at PerSecond requests per second with no burst.
	Fixed     bool
	PerSecond float64
}

// Auto is the default: each domain at its own type's windows.
func (s Setting) Auto() bool { return s.Type == "" && !s.Fixed }

func (s Setting) String() string {
	switch {
	case s.Type != "":
		return s.Type
	case s.Fixed:
		return strconv.FormatFloat(s.PerSecond, 'f', -1, 64)
	}
	return "auto"
}

// MaxPerSecond bounds a fixed rate: above every type's per-second limit (95 is the highest in
// the whole table).
const MaxPerSecond = 100

// Parse reads IDENTITY_RATE_LIMIT: "auto" (or empty), a domain type, or requests per second
// from 0 to MaxPerSecond.
func Parse(v string) (Setting, error) {
	s := strings.TrimSpace(v)
	if s == "" || strings.EqualFold(s, "auto") {
		return Setting{}, nil
	}
	if _, ok := table[normal(s)]; ok {
		return Setting{Type: normal(s)}, nil
	}
	r, err := strconv.ParseFloat(s, 64)
	if err != nil || !(r >= 0 && r <= MaxPerSecond) {
		types := Types()
		slices.Sort(types)
		return Setting{}, fmt.Errorf("want auto (each domain at its type's limits), a domain type (%s), or requests per second from 0 (no pacing) to %d", strings.Join(types, ", "), MaxPerSecond)
	}
	return Setting{Fixed: true, PerSecond: r}, nil
}

// Applied is how the function paces one host, as the report shows it.
type Applied struct {
	// Endpoint is what the host serves: "IAM" (the IAM endpoint) or an identity domain's name.
	Endpoint string `json:"endpoint"`
	Host     string `json:"host"`
	// Type is the domain type whose windows are used; empty with a fixed IDENTITY_RATE_LIMIT.
	Type string `json:"type,omitempty"`
	// Basis says where the limits come from: the domain's licenseType, IDENTITY_RATE_LIMIT, or
	// an unknown type paced at the tightest type's limits.
	Basis string `json:"basis"`
	// PerSecond and PerMinute are the paced rates (a little below the type's limits, see
	// internal/oci/pace.go's headroom); 0 is not limited.
	PerSecond float64 `json:"perSecond"`
	PerMinute float64 `json:"perMinute,omitempty"`
}
