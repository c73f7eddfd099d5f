package oci

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"

	"github.com/oracle/oci-go-sdk/v65/identity"

	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
)

// IAM writes go to the tenancy's home region. Oracle, "Managing Regions"
// (https://docs.oracle.com/iaas/Content/Identity/regions/managingregions.htm): users, groups
// and policies can be created and updated only in the home region, and "When you use the API
// to update your IAM resources, you must use the endpoint for your home region"; another
// region's IAM endpoint answers a write with 403 NotAllowed, "Please go to your home region
// PHX to execute CREATE, UPDATE and DELETE operations." (as reported in
// oracle/oci-python-sdk issue 32 and oracle/terraform-provider-oci issue 1596). A function
// often runs outside the home region, so:
//
//   - reads (ListGroups, GetUser, List…) stay on the IAM client of the function's region;
//   - every IAM write (DeleteApiKey, UpdateUserCapabilities, Delete<credential>) goes through
//     writeIAM, the IAM client of the home region, found at run time with IAM
//     ListRegionSubscriptions (the entry with isHomeRegion; "inspect tenancies", TENANCY_INSPECT,
//     "Details for IAM with Identity Domains"). GetTenancy would give only the region key
//     (homeRegionKey, e.g. "PHX"), which needs a table to become an endpoint; a Default domain's
//     homeRegion is the domain's, and needs "inspect domains", which the IAM family otherwise
//     does without.
//   - the lookup is made once per run, and only when the first write is about to be sent: a dry
//     run, or a run with nothing to delete, costs nothing more;
//   - with OCI_IDENTITY_ENDPOINT set, that endpoint serves every IAM call, reads and writes
//     alike, and no lookup is made: an override names one endpoint (a private endpoint, a
//     proxy, the emulator), and this function cannot derive another region's endpoint from it.
//     An operator who overrides the endpoint points it at the home region's IAM (README
//     "Configuration"); if it is not, the writes fail with NotAllowed and the hint names the
//     home region from Oracle's message.
//
// The Identity Domains (SCIM) family needs none of this: a domain's URL (ListDomains' url)
// is not regional.

// homeIAM is the lazily built IAM client for writes, shared by every write of the run.
type homeIAM struct {
	mu     sync.Mutex
	done   bool
	client *identity.IdentityClient
	region string // the home region's name, once looked up ("" with an endpoint override)
	err    error
}

// writeIAM returns the IAM client that writes go through (see the comment above). A failed
// lookup is kept, so that every write of the run reports it without calling again.
func (d *Directory) writeIAM(ctx context.Context) (*identity.IdentityClient, error) {
	if d.settings.IdentityEndpoint != "" {
		return &d.iam, nil
	}
	h := &d.home
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.done {
		h.client, h.region, h.err = d.homeClient(ctx)
		h.done = true
	}
	if h.err != nil {
		// Each write gets its own copy: its caller fills in the domain and home region. A 404
		// of the lookup is not the write's resource missing: no "already gone" re-listing.
		var e *OpError
		if errors.As(h.err, &e) {
			cp := *e
			cp.BeforeWrite = true
			return nil, &cp
		}
	}
	return h.client, h.err
}

// homeRegionName is the home region found so far ("" before the first write, or with an
// endpoint override).
func (d *Directory) homeRegionName() string {
	d.home.mu.Lock()
	defer d.home.mu.Unlock()
	return d.home.region
}

// homeClient looks the home region up and returns the IAM client for it: the reading client
// itself when the function runs in the home region.
func (d *Directory) homeClient(ctx context.Context) (*identity.IdentityClient, string, error) {
	resp, err := d.iam.ListRegionSubscriptions(detach(ctx, permissions.OpListRegionSubscriptions),
		identity.ListRegionSubscriptionsRequest{TenancyId: &d.tenancy})
	if err != nil {
		return nil, "", opError(permissions.OpListRegionSubscriptions, err)
	}
	var home []string
	for _, s := range resp.Items {
		if s.IsHomeRegion != nil && *s.IsHomeRegion {
			home = append(home, deref(s.RegionName))
		}
	}
	if len(home) != 1 || home[0] == "" {
		return nil, "", &OpError{Op: permissions.OpListRegionSubscriptions,
			Err: fmt.Errorf("%d of the tenancy's %d region subscriptions are marked as the home region, want exactly one: IAM writes cannot be addressed", len(home), len(resp.Items))}
	}
	region := home[0]
	if region == d.region {
		return &d.iam, region, nil
	}
	c, err := identity.NewIdentityClientWithConfigurationProvider(d.provider)
	if err != nil {
		return nil, "", fmt.Errorf("identity client for the home region %s: %w", region, err)
	}
	c.SetRegion(region)
	d.configure(&c.BaseClient, "")
	return &c, region, nil
}

// notAllowedRegion reads the home region out of Oracle's NotAllowed message ("Please go to your
// home region PHX to execute CREATE, UPDATE and DELETE operations.").
var notAllowedRegion = regexp.MustCompile(`home region ([A-Za-z0-9-]+)`)

// errNotAllowed is OCI's code for a write sent to an IAM endpoint outside the home region.
const errNotAllowed = "NotAllowed"

// homeRegionHint is the hint of a 403 NotAllowed: the write went to the wrong region, not a
// missing grant.
func homeRegionHint(known, message string) string {
	region := known
	if region == "" {
		if m := notAllowedRegion.FindStringSubmatch(message); m != nil {
			region = m[1]
		}
	}
	if region == "" {
		region = "(see the message)"
	}
	return "IAM writes must go to home region " + region + ` (Oracle, "Managing Regions"): this write reached another region's IAM endpoint. ` +
		"Without OCI_IDENTITY_ENDPOINT the function finds the home region itself (ListRegionSubscriptions); with it, point it at the home region's IAM endpoint"
}

// writeError marks an IAM write's error (from domainError) with the home region, for the
// hint of a NotAllowed.
func (d *Directory) writeError(err error) error {
	var e *OpError
	if errors.As(err, &e) && e.HomeRegion == "" {
		e.HomeRegion = d.homeRegionName()
	}
	return err
}
