package policy

import "strings"

// SubjectKind is the principal type named in a statement's subject.
type SubjectKind string

// The subject kinds of the OCI policy language.
const (
	KindGroup        SubjectKind = "group"
	KindDynamicGroup SubjectKind = "dynamic-group"
	KindAnyGroup     SubjectKind = "any-group"
	KindAnyUser      SubjectKind = "any-user"
	KindService      SubjectKind = "service"
)

// DefaultDomain is the name OCI gives the tenancy's default identity domain;
// an unqualified group name in a policy refers to a group in that domain.
const DefaultDomain = "Default"

// Subject is one principal of a statement's subject list. Exactly one of Name
// and OCID is set for groups, dynamic groups and services; neither for
// any-group and any-user.
type Subject struct {
	Kind SubjectKind
	// Domain is the identity domain as written; "" means unqualified, which
	// OCI evaluates as the Default domain.
	Domain string
	Name   string
	OCID   string
}

// InDefaultDomain reports whether the subject names a principal of the
// Default identity domain, either implicitly or as "Default/<name>".
// Domain names are compared case-insensitively, like policy keywords.
func (s Subject) InDefaultDomain() bool {
	return s.Domain == "" || strings.EqualFold(s.Domain, DefaultDomain)
}

// String renders the subject in policy syntax, quoting names so that the
// result parses back to the same subject.
func (s Subject) String() string {
	switch {
	case s.OCID != "":
		return string(s.Kind) + " id " + s.OCID
	case s.Name == "":
		return string(s.Kind)
	case s.Domain != "":
		return string(s.Kind) + " " + quote(s.Domain) + "/" + quote(s.Name)
	default:
		return string(s.Kind) + " " + quote(s.Name)
	}
}

func quote(name string) string {
	if strings.ContainsRune(name, '\'') {
		return `"` + name + `"`
	}
	return "'" + name + "'"
}

// Location is where a statement applies: the whole tenancy or one
// compartment, named by path ("a:b:c") or by OCID.
type Location struct {
	Tenancy       bool
	Compartment   string
	CompartmentID string
}

// Statement is one parsed policy statement.
type Statement struct {
	// Raw is the statement exactly as given to Parse.
	Raw string
	// Allow is false for Define, Endorse, Admit and Deny statements; their
	// other fields are left empty.
	Allow bool
	// Deny is true for a Deny statement read by ParseDeny (its other fields are then set as
	// for an Allow statement); Parse leaves it false.
	Deny     bool
	Subjects []Subject
	// Verb is lower-case inspect, read, use or manage, or "" when the
	// statement grants a permission list instead.
	Verb        string
	Permissions []string
	// Resource is the lower-case resource type; it may be "" only when the
	// statement grants a permission list.
	Resource  string
	Location  Location
	Condition string
}

// Verbs of the policy language, ordered by increasing access.
const (
	VerbInspect = "inspect"
	VerbRead    = "read"
	VerbUse     = "use"
	VerbManage  = "manage"
)

// ResourceAll is the resource type that covers every resource.
const ResourceAll = "all-resources"

// GrantsTenancyAdmin reports whether the statement is the tenancy
// administrator grant: manage all-resources in tenancy. A where clause does
// not disqualify it (callers see Condition and decide); a permission list does,
// as does any narrower verb, resource type or location.
func (s Statement) GrantsTenancyAdmin() bool {
	return s.Allow && s.Verb == VerbManage && s.Resource == ResourceAll && s.Location.Tenancy
}
