// Package scimfilter parses and evaluates SCIM filter expressions
// (RFC 7644 §3.4.2.2) against JSON-shaped resources, as the OCI Identity
// Domains emulator needs for query parameters such as
// filter=displayName eq "Administrators" or filter=user.ocid eq "ocid1.user...".
//
// Supported: attribute paths (dotted sub-attributes and URN-qualified
// extension paths), the operators eq ne co sw ew pr gt ge lt le, the logical
// operators not/and/or with SCIM precedence (not binds tighter than and, and
// tighter than or), parentheses, and string/number/boolean/null literals.
// Value-path filters such as emails[type eq "work"] are rejected with an
// explicit error rather than half-supported.
//
// Semantics chosen (documented because the RFC leaves room):
//   - Operator names, keywords and attribute names are case-insensitive.
//   - String comparisons are case-insensitive for every operator. Identity
//     Domains declares almost every string attribute caseExact=false
//     (userName, displayName, ocid, ...), and an emulator that is stricter
//     than the real service would hide client bugs in the other direction.
//   - A multi-valued attribute (a JSON array) matches when any element does.
//   - ne is the negation of eq: "groups.value ne X" means no group has value X,
//     and a missing attribute matches ne.
//   - eq null matches a missing or null attribute; pr requires a non-empty
//     value.
//   - gt/ge/lt/le compare numbers numerically and strings lexicographically
//     (which orders RFC 3339 timestamps chronologically); they reject boolean
//     and null literals at parse time, as the RFC requires. co/sw/ew require a
//     string literal.
package scimfilter
