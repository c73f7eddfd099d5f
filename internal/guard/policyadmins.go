package guard

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/apikeyguard/admin-apikey-guard/internal/policy"
)

// PolicySource reads the tenancy's root-compartment policies. A Directory that also
// implements it lets the guard find groups that a policy makes administrators.
type PolicySource interface {
	TenancyPolicies(ctx context.Context) ([]policy.Policy, error)
	Tenancy() string // the tenancy OCID: "in compartment id <it>" means "in tenancy"
}

// policyGroups finds every group granted "manage all-resources in tenancy", reports each
// grant, and returns the ones to enforce (only when include is set, and never the groups
// already configured). Reading the policies is required when include is set: without it the
// guard cannot know who the administrators are.
func policyGroups(ctx context.Context, dir Directory, configured []GroupRef, include bool, rep *Report) ([]GroupRef, error) {
	src, ok := dir.(PolicySource)
	if !ok {
		if include {
			return nil, errors.New("INCLUDE_POLICY_ADMINS is set but this directory cannot read policies")
		}
		return nil, nil
	}
	pols, err := src.TenancyPolicies(ctx)
	if err != nil {
		if include {
			return nil, fmt.Errorf("read tenancy policies: %w", err)
		}
		p := problem("policy", fmt.Errorf("could not read tenancy policies, so administrator groups granted by policy were not checked: %w", err))
		rep.Warnings = append(rep.Warnings, p)
		return nil, nil
	}
	grants, problems := policy.AdminGrantsIn(pols, src.Tenancy())
	for _, e := range problems {
		rep.Warnings = append(rep.Warnings, Problem{Stage: "policy", Message: "statement not understood, so it was not checked for administrator grants: " + e.Error()})
	}
	configuredKeys, added := map[string]bool{}, map[string]bool{}
	for _, g := range configured {
		configuredKeys[refKey(g)] = true
	}
	var enforce []GroupRef
	for _, g := range grants {
		f := PolicyFinding{Subject: g.Subject.String(), Kind: string(g.Subject.Kind), PolicyName: g.PolicyName,
			Statement: g.Statement, Conditional: g.Conditional}
		ref := GroupRef{Name: g.Subject.Name, OCID: g.Subject.OCID}
		if !g.Subject.InDefaultDomain() {
			ref.Domain = g.Subject.Domain
		}
		switch k := refKey(ref); {
		case g.Subject.Kind != policy.KindGroup:
			f.Note = "not a group of users: reported, not enforced"
		case configuredKeys[k]:
			f.Enforced, f.Note = true, "enforced through ADMIN_GROUPS"
		case include:
			f.Enforced, f.Note = true, "enforced (INCLUDE_POLICY_ADMINS=true)"
			if !added[k] {
				added[k] = true
				enforce = append(enforce, ref)
			}
		default:
			f.Note = "reported only: set INCLUDE_POLICY_ADMINS=true to enforce"
		}
		rep.Policy = append(rep.Policy, f)
	}
	return enforce, nil
}

// refKey identifies a group reference: OCI group and domain names are case-insensitive.
func refKey(r GroupRef) string {
	if r.OCID != "" {
		return "id:" + r.OCID
	}
	domain := r.Domain
	if strings.EqualFold(domain, policy.DefaultDomain) {
		domain = ""
	}
	return strings.ToLower(domain) + "/" + strings.ToLower(r.Name)
}
