// Package oci implements guard.Directory on the OCI Go SDK: IAM to find identity domains and
// read policies; groups, users and API keys through one of two API families per identity
// domain (the IAM API for the Default domain, or Identity Domains SCIM on each domain's own
// URL; see route.go); and Notifications. It signs every call as the function's resource
// principal.
package oci
