package oci

import (
	"context"

	"github.com/oracle/oci-go-sdk/v65/identity"

	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
	"github.com/apikeyguard/admin-apikey-guard/internal/policy"
)

// TenancyPolicies lists the policies attached to the tenancy's root compartment, the only
// place a "manage all-resources in tenancy" grant can be written.
func (d *Directory) TenancyPolicies(ctx context.Context) ([]policy.Policy, error) {
	var out []policy.Policy
	req := identity.ListPoliciesRequest{CompartmentId: &d.tenancy, Limit: ptr(1000)}
	err := iamPages(permissions.OpListPolicies, func(page *string) (*string, error) {
		req.Page = page
		resp, err := d.iam.ListPolicies(detach(ctx, permissions.OpListPolicies), req)
		if err != nil {
			return nil, opError(permissions.OpListPolicies, err)
		}
		for _, p := range resp.Items {
			if p.LifecycleState == identity.PolicyLifecycleStateDeleted {
				continue
			}
			out = append(out, policy.Policy{Name: deref(p.Name), Statements: p.Statements})
		}
		return resp.OpcNextPage, nil
	})
	return out, err
}

func ptr[T any](v T) *T { return &v }
