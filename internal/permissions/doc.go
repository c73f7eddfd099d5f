// Package permissions is the single source of truth for what the function's dynamic group must
// be granted: the IAM policy statements, per identity API family, and the identity-domain role
// that the Identity Domains (SCIM) family needs. The function's "probably a missing grant"
// hints, docs/authorization.md, the README and the Terraform stack are all checked against this
// list, so it cannot drift from them.
//
// Two families reach the same users (see docs/authorization.md):
//   - iam: the IAM API (/20160918). Oracle documents the permission each operation checks, so
//     IAM policy statements authorize it exactly. It reaches the Default identity domain only.
//   - scim: the Identity Domains API (/admin/v1 on each domain's URL). Oracle documents it
//     being authorized by identity-domain administrator roles; a dynamic group gets one
//     through the OCI IAM application ("Assigning a domain role to a dynamic group").
package permissions
