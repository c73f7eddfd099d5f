package oci

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/identity"
	"golang.org/x/sync/errgroup"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
)

// The IAM API family serves the Default identity domain (IDENTITY_API=auto or iam). Each call
// is one that "Details for IAM with Identity Domains" maps to a documented permission, so the
// IAM policy statements in internal/permissions authorize exactly these calls. The IAM API
// has no batch reads: keys cost one call per administrator (ListApiKeys), never one per user of
// the tenancy; a member's name, state and capabilities (GetUser) only where the guard needs them
// (guard.Directory.Detail).

// iamPageLimit is the page size asked of IAM list operations (limit); the SDK's request
// structs document limit without a maximum, so the service may return fewer and the
// opc-next-page token is always followed.
const iamPageLimit = 1000

// iamResolve finds the group in the Default domain: by name with ListGroups (see
// iamGroupsNamed), or by OCID with GetGroup.
func (d *Directory) iamResolve(ctx context.Context, dom guard.Domain, ref guard.GroupRef) (guard.Group, error) {
	var found []identity.Group
	if ref.OCID != "" {
		resp, err := d.iam.GetGroup(detach(ctx, permissions.OpGetGroup), identity.GetGroupRequest{GroupId: &ref.OCID})
		if err != nil {
			return guard.Group{}, domainError(permissions.OpGetGroup, dom, err)
		}
		if deref(resp.Id) == ref.OCID && resp.LifecycleState != identity.GroupLifecycleStateDeleted {
			found = append(found, resp.Group)
		}
	} else {
		// The name filter is exact ("match the given name exactly", ListGroupsRequest.Name);
		// OCI group names, like the SCIM family's displayName eq, are matched without regard to
		// case. So the exact filter is tried first (one call, the common case), and only when
		// it finds nothing are all groups listed and compared case-insensitively.
		var err error
		if found, err = d.iamGroupsNamed(ctx, dom, ref.Name, &ref.Name); err == nil && len(found) == 0 {
			found, err = d.iamGroupsNamed(ctx, dom, ref.Name, nil)
		}
		if err != nil {
			return guard.Group{}, err
		}
	}
	if err := exactlyOneGroup(len(found), ref, dom); err != nil {
		return guard.Group{}, err
	}
	g := found[0]
	if deref(g.Id) == "" {
		return guard.Group{}, malformed(permissions.OpListGroups, fmt.Sprintf("group %q without its id", deref(g.Name)))
	}
	if ref.Name == "" {
		ref.Name = deref(g.Name)
	}
	return guard.Group{Ref: ref, Domain: dom, ID: deref(g.Id), OCID: deref(g.Id)}, nil
}

// iamGroupsNamed pages through ListGroups (with the name filter when filter is set) and keeps
// the groups whose name equals name without regard to case: a server that ignored the filter
// cannot make another group an administrator group.
func (d *Directory) iamGroupsNamed(ctx context.Context, dom guard.Domain, name string, filter *string) ([]identity.Group, error) {
	var found []identity.Group
	req := identity.ListGroupsRequest{CompartmentId: &d.tenancy, Name: filter, Limit: common.Int(iamPageLimit)}
	err := iamPages(permissions.OpListGroups, func(page *string) (*string, error) {
		req.Page = page
		resp, err := d.iam.ListGroups(detach(ctx, permissions.OpListGroups), req)
		if err != nil {
			return nil, domainError(permissions.OpListGroups, dom, err)
		}
		for _, g := range resp.Items {
			if strings.EqualFold(deref(g.Name), name) && g.LifecycleState != identity.GroupLifecycleStateDeleted {
				found = append(found, g)
			}
		}
		return resp.OpcNextPage, nil
	})
	return found, err
}

// iamMembers lists the group's memberships (iamMemberIDs). A membership carries the user's
// OCID only: the users are returned undetailed, and the guard reads one (iamDetail) only where
// it needs the name, state or capabilities. Every membership must be of this group and name its
// user, or the listing is not trusted.
func (d *Directory) iamMembers(ctx context.Context, g guard.Group) ([]guard.User, error) {
	ids, err := d.iamMemberIDs(ctx, g)
	if err != nil {
		return nil, err
	}
	users := make([]guard.User, len(ids))
	for i, id := range ids {
		users[i] = guard.User{Domain: g.Domain, ID: id, OCID: id}
	}
	return users, nil
}

// iamDetail reads one user (GetUser) for name, state and capabilities.
func (d *Directory) iamDetail(ctx context.Context, u guard.User) (guard.User, error) {
	resp, err := d.iam.GetUser(detach(ctx, permissions.OpGetUser), identity.GetUserRequest{UserId: &u.OCID})
	if err != nil {
		return guard.User{}, domainError(permissions.OpGetUser, u.Domain, err)
	}
	if deref(resp.Id) != u.OCID {
		return guard.User{}, fmt.Errorf("%s for %s answered user %s: refusing to trust it", permissions.OpGetUser, u.OCID, deref(resp.Id))
	}
	caps := resp.Capabilities
	return guard.User{Domain: u.Domain, ID: u.OCID, OCID: u.OCID, UserName: deref(resp.Name),
		Active: resp.LifecycleState == identity.UserLifecycleStateActive,
		// absent means the default, which is "can use API keys"
		CanUseAPIKeys:   caps == nil || caps.CanUseApiKeys == nil || *caps.CanUseApiKeys,
		CapabilitiesOff: iamCapabilitiesOff(caps), Detailed: true}, nil
}

// iamMemberIDs reads the user OCIDs of the group's memberships, every page, read whole
// (readWhole: judged by the guard, read again while it moves).
func (d *Directory) iamMemberIDs(ctx context.Context, g guard.Group) ([]string, error) {
	op := permissions.OpListUserGroupMemberships
	return readWhole(ctx, op, func() ([]string, guard.ListingRead, error) {
		var ids []string
		var read guard.ListingRead
		seen := map[string]bool{}
		req := identity.ListUserGroupMembershipsRequest{CompartmentId: &d.tenancy, GroupId: &g.OCID, Limit: common.Int(iamPageLimit)}
		err := iamPages(op, func(page *string) (*string, error) {
			req.Page = page
			resp, err := d.iam.ListUserGroupMemberships(detach(ctx, op), req)
			if err != nil {
				return nil, domainError(op, g.Domain, err)
			}
			read.Pages++
			for _, m := range resp.Items {
				if deref(m.GroupId) != g.OCID {
					return nil, fmt.Errorf("%s returned a membership of group %s, not of %q: refusing to trust this listing", op, deref(m.GroupId), g.Ref)
				}
				if deref(m.UserId) == "" {
					return nil, malformed(op, fmt.Sprintf("membership %q of group %q without its userId", deref(m.Id), g.Ref))
				}
				// A membership on its way out still counts: treating a leaving administrator as
				// one costs a key that had to go anyway; the reverse would leave one behind.
				if m.LifecycleState == identity.UserGroupMembershipLifecycleStateDeleted {
					continue
				}
				if seen[deref(m.UserId)] {
					read.Duplicates++
					continue
				}
				seen[deref(m.UserId)] = true
				ids = append(ids, deref(m.UserId))
			}
			return resp.OpcNextPage, nil
		})
		read.IDs = slices.Sorted(slices.Values(ids))
		return ids, read, err
	})
}

// iamAPIKeys lists each user's keys (ListApiKeys answers one user's keys, unpaged: a user has
// at most three).
func (d *Directory) iamAPIKeys(ctx context.Context, dom guard.Domain, users []guard.User) ([]guard.APIKey, error) {
	perUser := make([][]guard.APIKey, len(users))
	err := d.eachIndex(ctx, len(users), func(ctx context.Context, i int) error {
		u := users[i]
		resp, err := d.iam.ListApiKeys(detach(ctx, permissions.OpListApiKeys), identity.ListApiKeysRequest{UserId: &u.OCID})
		if err != nil {
			return domainError(permissions.OpListApiKeys, dom, err)
		}
		for _, k := range resp.Items {
			switch {
			case deref(k.Fingerprint) == "":
				return malformed(permissions.OpListApiKeys, fmt.Sprintf("a key of user %s without its fingerprint", u.OCID))
			case deref(k.UserId) == "":
				return malformed(permissions.OpListApiKeys, fmt.Sprintf("key %s without its userId (asked for user %s)", deref(k.Fingerprint), u.OCID))
			}
			if deref(k.UserId) != u.OCID {
				return fmt.Errorf("%s for user %s returned key %s of user %q: refusing to trust this listing", permissions.OpListApiKeys, u.OCID, deref(k.Fingerprint), deref(k.UserId))
			}
			// DELETED keys are gone; DELETING ones are reported, not deleted again; CREATING and
			// INACTIVE ones are an administrator's keys like ACTIVE ones (identity/api_key.go).
			if k.LifecycleState == identity.ApiKeyLifecycleStateDeleted {
				continue
			}
			perUser[i] = append(perUser[i], guard.APIKey{Domain: dom, ID: deref(k.KeyId), Fingerprint: deref(k.Fingerprint), UserOCID: u.OCID,
				Deleting: k.LifecycleState == identity.ApiKeyLifecycleStateDeleting})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var keys []guard.APIKey
	for _, ks := range perUser {
		keys = append(keys, ks...)
	}
	return keys, nil
}

// iamDelete deletes one key, addressed as IAM does: user OCID and fingerprint.
// Like every IAM write, it goes to the home region (writeIAM).
func (d *Directory) iamDelete(ctx context.Context, k guard.APIKey) error {
	iam, err := d.writeIAM(ctx)
	if err == nil {
		_, err = iam.DeleteApiKey(detach(ctx, permissions.OpDeleteApiKey), identity.DeleteApiKeyRequest{UserId: &k.UserOCID, Fingerprint: &k.Fingerprint})
	}
	return d.writeError(domainError(permissions.OpDeleteApiKey, k.Domain, err))
}

// iamDisable sets canUseApiKeys=false with UpdateUserCapabilities. Only canUseApiKeys is
// sent: the SDK leaves nil optional fields out of the body, and the other capabilities are
// not touched (an assumption: Oracle's API reference does not say whether absent fields are
// kept; the emulator keeps them).
func (d *Directory) iamDisable(ctx context.Context, u guard.User) error {
	return d.iamDisableKinds(ctx, u, []guard.Kind{guard.KindAPIKeys})
}

// eachIndex runs f for 0..n-1 with at most ReadConcurrency at once; the first error stops the
// rest (discovery is all-or-nothing anyway).
func (d *Directory) eachIndex(ctx context.Context, n int, f func(ctx context.Context, i int) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(d.settings.ReadConcurrency)
	for i := range n {
		g.Go(func() error { return f(gctx, i) })
	}
	return g.Wait()
}
