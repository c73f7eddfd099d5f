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
// all-resources in tenancy and for every escalation path (and a warning for every statement not
// understood), and returns the groups to enforce on top of the configured ones, each with its
// source. What each grant means is policyDecisions'; each path, escalationPaths' and
// escalationDecisions'; what an unreadable policy set means is unreadablePolicies'.
func policyGroups(ctx context.Context, dir Directory, opt Options, f *found) ([]sourcedRef, error) {
	configured := sameGroupRefs(opt.Groups, opt.resolved)
	include := opt.IncludePolicyAdmins || opt.IncludeEscalationAdmins
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
	findings, enforce := policyDecisions(grants, configured, opt.IncludePolicyAdmins)
	f.policy = append(f.policy, findings...)
	var out []sourcedRef
	for _, g := range enforce {
		out = append(out, sourcedRef{g, SourcePolicy})
	}
	paths, denyProblems := escalationPaths(pols, src.Tenancy(), protectedRefs(opt.Groups, opt.resolved))
	f.warnings = append(f.warnings, denyProblems...)
	paths, escalate := escalationDecisions(paths, configured, enforce, opt.IncludeEscalationAdmins)
	f.escalation = append(f.escalation, paths...)
	for _, e := range paths {
		opt.Logger.WarnContext(ctx, "escalation path", "subject", e.Subject, "path", e.Path, "conditional", e.Conditional,
			"possible", e.Possible, "enforced", e.Enforced, "policy", e.PolicyName, "statement", e.Statement)
	}
	for _, g := range escalate {
		out = append(out, sourcedRef{g, SourceEscalation})
	}
	return out, nil
}

// sourcedRef is a group to enforce beyond the configured ones, and why (SourcePolicy,
// SourceEscalation).
type sourcedRef struct {
	ref    GroupRef
	source string
}

// beyondConfigured finds the administrators beyond the configured groups: the groups that
// policies make administrator groups or give an escalation path (policyGroups), the groups
// holding a domain role, and the users holding one directly (roleHolders).
func beyondConfigured(ctx context.Context, dir Directory, opt Options, f *found) ([]sourcedRef, []Admin, error) {
	groups, err := policyGroups(ctx, dir, opt, f)
	if err != nil {
		return nil, nil, err
	}
	var enforced []GroupRef
	for _, sr := range groups {
		enforced = append(enforced, sr.ref)
	}
	roleGroups, roleUsers, err := roleHolders(ctx, dir, opt, enforced, f)
	if err != nil {
		return nil, nil, err
	}
	for _, g := range roleGroups {
		groups = append(groups, sourcedRef{g, SourceEscalation})
	}
	return groups, roleUsers, nil
}
