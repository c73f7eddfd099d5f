package ociemu

import (
	"context"
	"fmt"
	"net/http"
)

// Regions. IAM is served per region at identity.<region>.oci.oraclecloud.com (the SDK's
// identity client template, identity/identity_client.go SetRegion), one listener per region the
// tenancy subscribes to (its home region and the region the function runs in). Oracle,
// "Managing Regions" (https://docs.oracle.com/iaas/Content/Identity/regions/managingregions.htm):
// IAM resources are created and updated only in the home region, "When you use the API to
// update your IAM resources, you must use the endpoint for your home region". Another region's
// IAM answers a write with 403 NotAllowed and "Please go to your home region PHX to execute
// CREATE, UPDATE and DELETE operations." (the message as publicly reported: oracle/oci-python-sdk
// issue 32, oracle/terraform-provider-oci issue 1596, both for IAM writes outside the home
// region). Which HTTP methods count as writes, and that the region check comes after
// authentication and before authorization, are assumptions: Oracle documents neither.

// regionKeys are the region identifiers and their keys, from Oracle's "Regions and
// Availability Domains" (https://docs.oracle.com/iaas/Content/General/Concepts/regions.htm);
// only the commercial realm (oc1, oraclecloud.com), and only regions a fixture may name.
var regionKeys = map[string]string{
	"us-ashburn-1":      "IAD",
	"us-phoenix-1":      "PHX",
	"us-sanjose-1":      "SJC",
	"us-chicago-1":      "ORD",
	"ca-toronto-1":      "YYZ",
	"ca-montreal-1":     "YUL",
	"eu-frankfurt-1":    "FRA",
	"eu-amsterdam-1":    "AMS",
	"eu-zurich-1":       "ZRH",
	"eu-madrid-1":       "MAD",
	"eu-paris-1":        "CDG",
	"eu-milan-1":        "LIN",
	"eu-stockholm-1":    "ARN",
	"uk-london-1":       "LHR",
	"uk-cardiff-1":      "CWL",
	"ap-tokyo-1":        "NRT",
	"ap-osaka-1":        "KIX",
	"ap-seoul-1":        "ICN",
	"ap-sydney-1":       "SYD",
	"ap-melbourne-1":    "MEL",
	"ap-mumbai-1":       "BOM",
	"ap-hyderabad-1":    "HYD",
	"ap-singapore-1":    "SIN",
	"sa-saopaulo-1":     "GRU",
	"sa-santiago-1":     "SCL",
	"me-jeddah-1":       "JED",
	"me-dubai-1":        "DXB",
	"il-jerusalem-1":    "MTZ",
	"af-johannesburg-1": "JNB",
}

// HomeRegionOf is the tenancy's home region: HomeRegion, or Region when the fixture names only
// one (the function then runs in the home region).
func (t *Tenancy) HomeRegionOf() string {
	if t.HomeRegion != "" {
		return t.HomeRegion
	}
	return t.Region
}

// SubscribedRegions are the regions the tenancy subscribes to: the home region first, then the
// function's region.
func (t *Tenancy) SubscribedRegions() []string {
	out := []string{t.HomeRegionOf()}
	if t.Region != out[0] {
		out = append(out, t.Region)
	}
	return out
}

func validateRegions(t *Tenancy, bad func(string, ...any)) {
	for _, r := range []string{t.Region, t.HomeRegion} {
		if _, ok := regionKeys[r]; r != "" && !ok {
			bad("region %q is not one of the emulator's regions (Oracle's identifiers, e.g. us-ashburn-1)", r)
		}
	}
}

// IdentityHost is the IAM host of a region in the commercial realm, as the SDK builds it.
func IdentityHost(region string) string { return "identity." + region + ".oci.oraclecloud.com" }

// NotificationHost is the ONS data-plane host of a region ("https://notification.{region}.{secondLevelDomain}",
// ons/ons_notificationdataplane_client.go SetRegion).
func NotificationHost(region string) string { return "notification." + region + ".oraclecloud.com" }

type regionKey struct{}

// inRegion marks every request a region's IAM listener receives with that region.
func inRegion(region string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), regionKey{}, region)))
	})
}

// iamWrite says whether an IAM request creates, updates or deletes (every method but GET and
// HEAD).
func iamWrite(r *http.Request) bool { return r.Method != http.MethodGet && r.Method != http.MethodHead }

// outsideHomeRegion answers 403 NotAllowed to an IAM write that reached a region other than the
// home region, and says whether it did.
func (s *Server) outsideHomeRegion(w http.ResponseWriter, r *http.Request) bool {
	region, ok := r.Context().Value(regionKey{}).(string)
	if !ok || region == s.homeRegion || !iamWrite(r) {
		return false
	}
	writeError(w, http.StatusForbidden, "NotAllowed",
		fmt.Sprintf("Please go to your home region %s to execute CREATE, UPDATE and DELETE operations.", regionKeys[s.homeRegion]))
	return true
}

// IdentityURLIn is a region's IAM listener ("" for a region the tenancy does not subscribe
// to). IdentityURL is the home region's.
func (s *Server) IdentityURLIn(region string) string {
	if ln, ok := s.iamByRegion[region]; ok {
		return ln.url
	}
	return ""
}

// IAMWritesByRegion counts the IAM writes received per region's endpoint (refused ones
// included), so that a test can show where the function sent them.
func (s *Server) IAMWritesByRegion() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.iamWrites))
	for k, v := range s.iamWrites {
		out[k] = v
	}
	return out
}

// countIAMWrite records an IAM write's region.
func (s *Server) countIAMWrite(r *http.Request) {
	region, ok := r.Context().Value(regionKey{}).(string)
	if !ok || !iamWrite(r) {
		return
	}
	s.mu.Lock()
	s.iamWrites[region]++
	s.mu.Unlock()
}

// regionSubscription is identity.RegionSubscription (identity/region_subscription.go: regionKey,
// regionName, status READY|IN_PROGRESS, isHomeRegion; all mandatory).
type regionSubscription struct {
	RegionKey    string `json:"regionKey"`
	RegionName   string `json:"regionName"`
	Status       string `json:"status"`
	IsHomeRegion bool   `json:"isHomeRegion"`
}

// listRegionSubscriptions is GET /20160918/tenancies/{tenancyId}/regionSubscriptions
// (identity/list_region_subscriptions_request_response.go: the tenancy id in the path, no
// paging; the answer is a plain array). Another tenancy's id is 404, as IAM answers what it
// will not show.
func (s *Server) listRegionSubscriptions(w http.ResponseWriter, r *http.Request, _ []byte) {
	if r.PathValue("tenancyId") != s.tenancyID {
		writeFailure(w, errNotFound)
		return
	}
	var out []regionSubscription
	for _, region := range s.regions {
		out = append(out, regionSubscription{RegionKey: regionKeys[region], RegionName: region, Status: "READY", IsHomeRegion: region == s.homeRegion})
	}
	writeJSON(w, http.StatusOK, out)
}
