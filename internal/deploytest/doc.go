// Package deploytest holds tests of the deployment files (Dockerfile,
// .dockerignore, func.yaml, deploy/terraform with its Resource Manager
// schema.yaml, README.md and docs/ (generated grants, safety rules, configuration keys, links)). They read the files from the
// repository and compare them with the Go sources of truth, so a change to
// one without the other fails `go test`. The stack is checked against the
// OCI provider's schema (../shared/oci-provider-schema, skipped with a
// message when absent) and evaluated without Terraform (hcleval_test.go) to
// compute the resources each trigger_mode and feature combination plans.
package deploytest
