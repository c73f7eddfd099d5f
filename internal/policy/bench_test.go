package policy

import (
	"fmt"
	"testing"
)

// benchPolicies builds n policies shaped like a large tenancy's: mostly
// compartment-scoped grants, some tenancy-wide ones, a few admin grants,
// conditions, permission lists and cross-tenancy statements.
func benchPolicies(n int) (policies []Policy, statements int) {
	for i := range n {
		p := Policy{Name: fmt.Sprintf("policy-%d", i), Statements: []string{
			fmt.Sprintf("Allow group 'Default'/'team-%d-admins' to manage all-resources in compartment Apps:Team%d", i, i),
			fmt.Sprintf("Allow group team-%d-devs, team-%d-ops to use instance-family in compartment Apps:Team%d", i, i, i),
			fmt.Sprintf("Allow dynamic-group id ocid1.dynamicgroup.oc1..aaaa%08d to read secret-bundles in compartment id ocid1.compartment.oc1..aaaa%08d", i, i),
			"Allow any-group to inspect users in tenancy",
			fmt.Sprintf("Allow group Auditors%d to {USER_INSPECT, USER_READ} in tenancy", i),
			fmt.Sprintf("Allow dynamic-group guard-%d to manage users in tenancy\n where any {request.operation='ListApiKeys', request.operation='DeleteApiKey'}", i),
		}}
		if i%50 == 0 {
			p.Statements = append(p.Statements,
				fmt.Sprintf("Allow group 'Corp'/'Tenancy Admins %d' to manage all-resources in tenancy", i),
				"Define tenancy Acme as ocid1.tenancy.oc1..aaaaacme")
		}
		policies = append(policies, p)
		statements += len(p.Statements)
	}
	return policies, statements
}

func BenchmarkAdminGrants(b *testing.B) {
	policies, statements := benchPolicies(1000)
	if grants, problems := AdminGrants(policies); len(grants) != 20 || len(problems) != 0 {
		b.Fatalf("fixture gives %d grants and %d problems, want 20 and 0", len(grants), len(problems))
	}
	b.ReportAllocs()
	for b.Loop() {
		AdminGrants(policies)
	}
	b.ReportMetric(float64(statements)*float64(b.N)/b.Elapsed().Seconds(), "statements/s")
}
