package oci

import (
	"context"
	"errors"
	"fmt"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
)

// Each identity domain is served by one API family, chosen when the domain is found
// (Directory.domain): with IDENTITY_API=auto the Default domain goes through the IAM API,
// whose permissions IAM policy statements grant exactly, and secondary domains through the
// Identity Domains (SCIM) API, the only API that reaches them; scim sends everything through
// SCIM; iam reaches the Default domain only. The guard.Directory methods below only route.
//
// A new API family would be: a permissions.API* constant with its grants (internal/permissions),
// a file like iam.go or scim.go with the family's resolve, members, credentials, delete and
// disable calls for one domain, a case in Directory.domain choosing it, and a case in each
// routing method below; the conformance suite (conformance_test.go) then runs it.

// ResolveGroup finds exactly one group: by OCID, or by display name in the named domain.
// A policy's "group id <ocid>" does not say which identity domain holds the group, so an OCID
// without a domain is looked up in the Default domain first and then in every other domain.
func (d *Directory) ResolveGroup(ctx context.Context, ref guard.GroupRef) (guard.Group, error) {
	dom, err := d.domain(ctx, ref.Domain)
	if err != nil {
		return guard.Group{}, err
	}
	g, err := d.resolveIn(ctx, dom, ref)
	if !errors.Is(err, guard.ErrNotFound) || ref.OCID == "" || ref.Domain != "" {
		return g, err
	}
	if d.api == permissions.APIIAM {
		// Not "not found": the group may well exist in a domain this mode cannot see.
		return guard.Group{}, fmt.Errorf("group id %s is not in the Default identity domain, and IDENTITY_API=iam cannot look in other domains: set IDENTITY_API=auto", ref.OCID)
	}
	others, lerr := d.allDomains(ctx)
	if lerr != nil {
		return guard.Group{}, lerr
	}
	for _, o := range others {
		if o.Default {
			continue // searched first, above
		}
		if g, err = d.resolveIn(ctx, o, ref); !errors.Is(err, guard.ErrNotFound) {
			return g, err
		}
	}
	return guard.Group{}, err
}

func (d *Directory) resolveIn(ctx context.Context, dom guard.Domain, ref guard.GroupRef) (guard.Group, error) {
	if dom.API == permissions.APIIAM {
		return d.iamResolve(ctx, dom, ref)
	}
	return d.scimResolve(ctx, dom, ref)
}

// exactlyOneGroup says what n matches for ref in dom mean, in either family: none is
// guard.ErrNotFound, more than one is ambiguous (never a guess between administrator groups).
func exactlyOneGroup(n int, ref guard.GroupRef, dom guard.Domain) error {
	switch n {
	case 0:
		return fmt.Errorf("group %q in identity domain %q: %w", ref, dom.Name, guard.ErrNotFound)
	case 1:
		return nil
	default:
		return fmt.Errorf("group %q in identity domain %q is ambiguous: %d groups match", ref, dom.Name, n)
	}
}

// Members lists every user of the group, through the family that serves its domain.
func (d *Directory) Members(ctx context.Context, g guard.Group) ([]guard.User, error) {
	if g.Domain.API == permissions.APIIAM {
		return d.iamMembers(ctx, g)
	}
	return d.scimMembers(ctx, g)
}

// Detail reads a member that Members returned undetailed (the IAM family's); SCIM members
// come with their details.
func (d *Directory) Detail(ctx context.Context, u guard.User) (guard.User, error) {
	if u.Domain.API == permissions.APIIAM {
		return d.iamDetail(ctx, u)
	}
	if !u.Detailed {
		return guard.User{}, fmt.Errorf("user %s of identity domain %q: SCIM members are listed with their details, this one was not", u.OCID, u.Domain.Name)
	}
	return u, nil
}

// ListBatch is how many administrators of a domain the guard lists at once: the IAM family
// lists one user's credentials per call, ReadConcurrency of them in parallel; SCIM searches
// KeyBatch users per call.
func (d *Directory) ListBatch(dom guard.Domain) int {
	if dom.API == permissions.APIIAM {
		return d.settings.ReadConcurrency
	}
	return d.settings.KeyBatch
}

// APIKeys lists every API key of the given users, all of one identity domain.
func (d *Directory) APIKeys(ctx context.Context, dom guard.Domain, users []guard.User) ([]guard.APIKey, error) {
	if dom.API == permissions.APIIAM {
		return d.iamAPIKeys(ctx, dom, users)
	}
	return d.scimAPIKeys(ctx, dom, users)
}

// DeleteAPIKey deletes one key.
func (d *Directory) DeleteAPIKey(ctx context.Context, k guard.APIKey) error {
	if k.Domain.API == permissions.APIIAM {
		return d.iamDelete(ctx, k)
	}
	return d.scimDelete(ctx, k)
}

// DisableAPIKeys sets the user's canUseApiKeys capability to false.
func (d *Directory) DisableAPIKeys(ctx context.Context, u guard.User) error {
	if u.Domain.API == permissions.APIIAM {
		return d.iamDisable(ctx, u)
	}
	return d.scimDisable(ctx, u)
}
