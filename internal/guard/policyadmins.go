package guard

import (
	"context"

	"github.com/apikeyguard/admin-apikey-guard/internal/policy"
)

// PolicySource reads the tenancy's root-compartment policies. A Directory that also
// implements it lets the guard find groups that a policy makes administrators.
type PolicySource interface {
	TenancyPolicies(ctx context.Context) ([]policy.Policy, error)
	Tenancy() string // the tenancy OCID: "in compartment id <it>" means "in tenancy"
}

// policyGroups reads the tenancy's policies, records a finding for every grant of manage
// all-resources in tenancy (and a warning for every statement not understood), and returns the
// groups to enforce on top of the configured ones. What each grant means is policyDecisions';
// what an unreadable policy set means is unreadablePolicies'.
func policyGroups(ctx context.Context, dir Directory, configured []GroupRef, include bool, f *found) ([]GroupRef, error) {
	src, ok := dir.(PolicySource)
	if !ok {
		if include {
			return nil, ErrNoPolicySource
		}
		return nil, nil
	}
	pols, err := src.TenancyPolicies(ctx)
	if err != nil {
		warning, stop := unreadablePolicies(include, err)
		if warning != nil {
			f.warnings = append(f.warnings, *warning)
		}
		return nil, stop
	}
	grants, problems := policy.AdminGrantsIn(pols, src.Tenancy())
	for _, e := range problems {
		f.warnings = append(f.warnings, unparsedStatement(e))
	}
	findings, enforce := policyDecisions(grants, configured, include)
	f.policy = append(f.policy, findings...)
	return enforce, nil
}
