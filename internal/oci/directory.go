package oci

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/common/auth"
	"github.com/oracle/oci-go-sdk/v65/identity"
	"github.com/oracle/oci-go-sdk/v65/identitydomains"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
	"github.com/apikeyguard/admin-apikey-guard/internal/policy"
)

// Settings are what the adapter takes from the function configuration.
type Settings struct {
	IdentityEndpoint     string // IAM endpoint override; region default when empty
	NotificationEndpoint string // ONS endpoint override
	DefaultDomainURL     string // IDENTITY_DOMAIN_URL; discovered when empty
	PageSize             int    // SCIM page size (count), at most 1000
	KeyBatch             int    // users per SCIM ApiKeys search filter
	// IdentityAPI is IDENTITY_API: permissions.APIAuto (default when empty), APIIAM or APISCIM.
	IdentityAPI string
	// ReadConcurrency bounds the IAM family's per-user reads (GetUser, ListApiKeys).
	ReadConcurrency int
	// Deadline is the invocation's: no retry backs off past it. Zero means none.
	Deadline time.Time
	// RateLimit is requests per second per host (IDENTITY_RATE_LIMIT); 0 = no pacing (a 429's
	// Retry-After is still honoured).
	RateLimit float64
}

// Directory is guard.Directory on OCI.
type Directory struct {
	provider common.ConfigurationProvider
	tenancy  string
	region   string                  // the function's region (the resource principal's)
	iam      identity.IdentityClient // reads; writes go through writeIAM (homeregion.go)
	home     homeIAM
	settings Settings
	api      string // IdentityAPI, defaulted
	policy   common.RetryPolicy
	Calls    *Calls
	pace     *pacer // pace.go

	mu      sync.Mutex
	domains map[string]guard.Domain // by display name ("" = Default)
	scim    map[string]*identitydomains.IdentityDomainsClient
}

var _ guard.Directory = (*Directory)(nil)

// NewFromResourcePrincipal builds a Directory signed by the resource principal that OCI
// Functions injects (OCI_RESOURCE_PRINCIPAL_VERSION 2.2, _RPST, _PRIVATE_PEM, _REGION).
func NewFromResourcePrincipal(s Settings) (*Directory, error) {
	p, err := auth.ResourcePrincipalConfigurationProvider()
	if err != nil {
		return nil, fmt.Errorf("resource principal: %w", err)
	}
	return New(p, s)
}

// New builds a Directory on any configuration provider.
func New(p common.ConfigurationProvider, s Settings) (*Directory, error) {
	tenancy, err := p.TenancyOCID()
	if err != nil {
		return nil, fmt.Errorf("resource principal has no tenancy: %w", err)
	}
	region, err := p.Region()
	if err != nil {
		return nil, fmt.Errorf("resource principal has no region: %w", err)
	}
	iam, err := identity.NewIdentityClientWithConfigurationProvider(p)
	if err != nil {
		return nil, fmt.Errorf("identity client: %w", err)
	}
	if s.PageSize <= 0 || s.PageSize > 1000 {
		s.PageSize = 1000
	}
	if s.KeyBatch <= 0 {
		s.KeyBatch = 50
	}
	if s.ReadConcurrency <= 0 {
		s.ReadConcurrency = 8
	}
	api := s.IdentityAPI
	switch api {
	case "":
		api = permissions.APIAuto
	case permissions.APIAuto, permissions.APIIAM, permissions.APISCIM:
	default:
		return nil, fmt.Errorf("identity API %q: want auto, iam or scim", api)
	}
	d := &Directory{provider: p, tenancy: tenancy, region: region, iam: iam, settings: s, api: api, Calls: &Calls{}, pace: newPacer(s.RateLimit),
		// Identity Domains and ONS have no retry policy by default; every client gets this one.
		policy:  retryPolicy(func() (time.Time, bool) { return s.Deadline, !s.Deadline.IsZero() }),
		domains: map[string]guard.Domain{}, scim: map[string]*identitydomains.IdentityDomainsClient{}}
	d.configure(&d.iam.BaseClient, s.IdentityEndpoint)
	return d, nil
}

// Tenancy is the tenancy OCID from the resource principal token (res_tenant).
func (d *Directory) Tenancy() string { return d.tenancy }

func (d *Directory) configure(c *common.BaseClient, host string) {
	if host != "" {
		c.Host = host
	}
	cfg := c.Configuration
	cfg.RetryPolicy = &d.policy
	if cfg.CircuitBreaker != nil { // nil when OCI_SDK_DEFAULT_CIRCUITBREAKER_ENABLED=false
		cfg.CircuitBreaker = breaker(c.Host)
	}
	c.SetCustomClientConfiguration(cfg)
	c.HTTPClient = d.pace.wrap(d.Calls.wrap(c.HTTPClient))
}

// domain finds an identity domain by display name ("" or "Default" is the Default domain) and
// decides which API family serves it. The IAM API needs no domain lookup at all: it addresses
// the Default domain by the tenancy.
func (d *Directory) domain(ctx context.Context, name string) (guard.Domain, error) {
	if strings.EqualFold(name, policy.DefaultDomain) {
		name = ""
	}
	if name == "" && d.api != permissions.APISCIM {
		return guard.Domain{Name: policy.DefaultDomain, Default: true, API: permissions.APIIAM}, nil
	}
	if name != "" && d.api == permissions.APIIAM {
		return guard.Domain{}, fmt.Errorf("identity domain %q: IDENTITY_API=iam reaches the Default identity domain only; set IDENTITY_API=auto to enforce groups of other domains", name)
	}
	d.mu.Lock()
	dom, ok := d.domains[name]
	d.mu.Unlock()
	if ok {
		return dom, nil
	}
	var err error
	switch {
	case name == "" && d.settings.DefaultDomainURL != "":
		dom, err = d.configuredDefault(ctx)
	case name == "":
		dom, err = d.findDomain(ctx, func(s identity.DomainSummary) bool { return s.Type == identity.DomainTypeDefault }, "the Default identity domain")
	default:
		dom, err = d.findDomain(ctx, func(s identity.DomainSummary) bool { return strings.EqualFold(deref(s.DisplayName), name) }, fmt.Sprintf("identity domain %q", name))
	}
	if err != nil {
		return guard.Domain{}, err
	}
	dom.API = d.family(dom)
	d.mu.Lock()
	d.domains[name] = dom
	d.mu.Unlock()
	return dom, nil
}

// configuredDefault is the Default domain at IDENTITY_DOMAIN_URL, once ListDomains confirms that
// the URL is the Default domain's (guard.CheckDefaultDomainURL): a secondary domain's URL there
// would have its groups enforced, and reported, as the Default domain's. The requests go to the
// URL as configured (the domain's url or its homeRegionUrl, the operator's choice).
func (d *Directory) configuredDefault(ctx context.Context) (guard.Domain, error) {
	var listed identity.DomainSummary
	dom, err := d.findDomain(ctx, func(s identity.DomainSummary) bool {
		if s.Type != identity.DomainTypeDefault {
			return false
		}
		listed = s
		return true
	}, "the Default identity domain")
	if err != nil {
		return guard.Domain{}, err
	}
	if err := guard.CheckDefaultDomainURL(d.settings.DefaultDomainURL, deref(listed.Url), deref(listed.HomeRegionUrl)); err != nil {
		return guard.Domain{}, err
	}
	dom.URL = d.settings.DefaultDomainURL
	return dom, nil
}

// family is the API family that serves dom under the configured IDENTITY_API.
func (d *Directory) family(dom guard.Domain) string {
	if dom.Default && d.api != permissions.APISCIM {
		return permissions.APIIAM
	}
	return permissions.APISCIM
}

// findDomain looks in the tenancy's root compartment first (where the Default domain always
// is) and only then walks the sub-compartments, so the common case costs one call.
func (d *Directory) findDomain(ctx context.Context, match func(identity.DomainSummary) bool, what string) (guard.Domain, error) {
	compartments := []string{d.tenancy}
	for i := 0; i < len(compartments); i++ {
		found, err := d.listDomains(ctx, compartments[i], match)
		if err != nil {
			return guard.Domain{}, err
		}
		switch len(found) {
		case 1:
			return found[0], nil
		case 0:
		default:
			return guard.Domain{}, fmt.Errorf("%s is ambiguous: %d active domains match", what, len(found))
		}
		if i == 0 {
			subs, err := d.subCompartments(ctx)
			if err != nil {
				return guard.Domain{}, err
			}
			compartments = append(compartments, subs...)
		}
	}
	return guard.Domain{}, fmt.Errorf("%s not found in the tenancy: %w", what, guard.ErrNotFound)
}

// allDomains lists every active identity domain in the tenancy, the root compartment and below.
func (d *Directory) allDomains(ctx context.Context) ([]guard.Domain, error) {
	all := func(identity.DomainSummary) bool { return true }
	found, err := d.listDomains(ctx, d.tenancy, all)
	if err != nil {
		return nil, err
	}
	subs, err := d.subCompartments(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range subs {
		more, err := d.listDomains(ctx, c, all)
		if err != nil {
			return nil, err
		}
		found = append(found, more...)
	}
	return found, nil
}

func (d *Directory) listDomains(ctx context.Context, compartment string, match func(identity.DomainSummary) bool) ([]guard.Domain, error) {
	var found []guard.Domain
	req := identity.ListDomainsRequest{CompartmentId: &compartment, LifecycleState: identity.DomainLifecycleStateActive, Limit: ptr(1000)}
	err := iamPages(permissions.OpListDomains, func(page *string) (*string, error) {
		req.Page = page
		resp, err := d.iam.ListDomains(detach(ctx, permissions.OpListDomains), req)
		if err != nil {
			return nil, opError(permissions.OpListDomains, err)
		}
		for _, s := range resp.Items {
			if !match(s) {
				continue
			}
			if deref(s.Url) == "" {
				return nil, malformed(permissions.OpListDomains, fmt.Sprintf("identity domain %q without its url", deref(s.DisplayName)))
			}
			dom := guard.Domain{ID: deref(s.Id), Name: deref(s.DisplayName),
				URL: strings.TrimSuffix(deref(s.Url), "/"), Default: s.Type == identity.DomainTypeDefault}
			dom.API = d.family(dom)
			found = append(found, dom)
		}
		return resp.OpcNextPage, nil
	})
	return found, err
}

func (d *Directory) subCompartments(ctx context.Context) ([]string, error) {
	var ids []string
	req := identity.ListCompartmentsRequest{CompartmentId: &d.tenancy, CompartmentIdInSubtree: common.Bool(true),
		AccessLevel: identity.ListCompartmentsAccessLevelAny, LifecycleState: identity.CompartmentLifecycleStateActive}
	err := iamPages(permissions.OpListCompartments, func(page *string) (*string, error) {
		req.Page = page
		resp, err := d.iam.ListCompartments(detach(ctx, permissions.OpListCompartments), req)
		if err != nil {
			return nil, opError(permissions.OpListCompartments, err)
		}
		for _, c := range resp.Items {
			if deref(c.Id) == "" {
				return nil, malformed(permissions.OpListCompartments, fmt.Sprintf("compartment %q without its id", deref(c.Name)))
			}
			ids = append(ids, deref(c.Id))
		}
		return resp.OpcNextPage, nil
	})
	return ids, err
}

// client returns the SCIM client of a domain, one per domain URL.
func (d *Directory) client(dom guard.Domain) (*identitydomains.IdentityDomainsClient, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if c, ok := d.scim[dom.URL]; ok {
		return c, nil
	}
	c, err := identitydomains.NewIdentityDomainsClientWithConfigurationProvider(d.provider, dom.URL)
	if err != nil {
		return nil, fmt.Errorf("identity domain %q client: %w", dom.Name, err)
	}
	d.configure(&c.BaseClient, "")
	d.scim[dom.URL] = &c
	return &c, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
