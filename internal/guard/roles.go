package guard

import (
	"context"
	"errors"
	"fmt"
)

// Escalation through identity-domain administrator roles (issue 23, part 2). Holders of the
// Default domain's Identity Domain Administrator, Security Administrator and User
// Administrator roles manage its users and group memberships, the Administrators group
// included, so they can make themselves tenancy administrators ("Understanding Administrator
// Roles", https://docs.oracle.com/iaas/Content/Identity/roles/understand-administrator-roles.htm:
// the User Administrator role "Manage users, groups, and group memberships"; "Managing Users",
// Required Policy or Role: the Identity Domain Administrator or Security Administrator role,
// https://docs.oracle.com/iaas/Content/Identity/users/about-managing-users.htm). Holders are
// users, groups, applications (a confidential app's client secret is then an
// administrator-equivalent credential) and dynamic groups.

// EscalationRoles are the Default domain's roles that make a path.
var EscalationRoles = []string{"Identity Domain Administrator", "Security Administrator", "User Administrator"}

// roleSource is the Oracle documentation a domain-role path rests on.
const roleSource = "Understanding Administrator Roles (User Administrator: manage users, groups, and group memberships); Managing Users, Required Policy or Role: the Identity Domain Administrator or Security Administrator role"

// Grantee types of a role grant (the Identity Domains API's Grant.grantee.type).
const (
	GranteeUser         = "User"
	GranteeGroup        = "Group"
	GranteeApp          = "App"
	GranteeDynamicGroup = "DynamicResourceGroup"
)

// RoleGrant is one holder of one domain role, as the Identity Domains API lists it.
type RoleGrant struct {
	ID          string // the grant's id
	Role        string
	GranteeType string
	GranteeID   string // SCIM id of the user, group, app or dynamic group
	GranteeName string
}

// RoleSource reads who holds the Default identity domain's administrator roles. The OCI
// Directory implements it; a Directory without it has no domain roles to report.
type RoleSource interface {
	// DomainRoleHolders returns the Default domain and every grant of the named roles there.
	// An error wrapping ErrRolesNotReadable says the function holds nothing that lets it read
	// them (the reason is in the error); any other error is a failed read.
	DomainRoleHolders(ctx context.Context, roles []string) (Domain, []RoleGrant, error)
	// UsersByID reads users of one domain by SCIM id, as Members reads a group's.
	UsersByID(ctx context.Context, dom Domain, ids []string) ([]User, error)
}

// ErrRolesNotReadable is wrapped by a RoleSource that cannot read domain roles at all.
var ErrRolesNotReadable = errors.New("domain roles not evaluated")

// RoleEvaluation says whether the Default domain's roles were read, and if not why. The report
// shows it as domainRoles.
type RoleEvaluation struct {
	Domain    string   `json:"domain,omitempty"`
	Roles     []string `json:"roles"`
	Evaluated bool     `json:"evaluated"`
	Reason    string   `json:"reason,omitempty"`
}

// Notes on domain-role findings.
const (
	NoteRoleApp          = "an application: its client secret is an administrator-equivalent credential; reported, never enforced"
	NoteRoleDynamicGroup = "a dynamic group: reported, never enforced"
)

// unreadableRoles decides what a failure to read the domain roles means. When the function
// cannot read them at all (ErrRolesNotReadable: the IAM family, or a refusal) the report says
// "not evaluated" and why, never an error; any other failure stops the run when the role
// holders are to be enforced (discovery is all-or-nothing), and is otherwise a "not
// evaluated" with the error as the reason.
func unreadableRoles(include bool, err error) (eval RoleEvaluation, stop error) {
	eval = RoleEvaluation{Roles: EscalationRoles, Reason: err.Error()}
	if include && !errors.Is(err, ErrRolesNotReadable) {
		return eval, fmt.Errorf("read domain roles (INCLUDE_ESCALATION_ADMINS is set): %w", err)
	}
	return eval, nil
}

// roleDecisions decides each role grant: a finding per holder and role; with include, a group
// holding a role is enforced like a configured one (unless it already is) and a user holding
// one directly is an administrator; applications and dynamic groups are reported, never
// enforced. users maps each user to enforce (SCIM id) to the roles that make them one.
func roleDecisions(grants []RoleGrant, configured, also []GroupRef, include bool) (findings []EscalationFinding, groups []GroupRef, users map[string][]string, order []string) {
	enforced, added := enforcedNotes(configured, also), map[string]bool{}
	users = map[string][]string{}
	for _, g := range grants {
		f := EscalationFinding{Subject: fmt.Sprintf("%s '%s'", g.GranteeType, g.GranteeName), Kind: g.GranteeType,
			Path: PathDomainAdministerRole, Grant: fmt.Sprintf("%s role (grant %s)", g.Role, g.ID), Source: roleSource}
		ref := GroupRef{Name: g.GranteeName}
		switch k := refKey(ref); {
		case g.GranteeType == GranteeApp:
			f.Note = NoteRoleApp
		case g.GranteeType != GranteeUser && g.GranteeType != GranteeGroup:
			f.Note = NoteRoleDynamicGroup
		case g.GranteeType == GranteeGroup && enforced[k] != "":
			f.Enforced, f.Note = true, enforced[k]
		case !include:
			f.Note = NoteEscalationReportOnly
		case g.GranteeType == GranteeGroup:
			f.Enforced, f.Note = true, NoteEscalationIncluded
			if !added[k] {
				added[k] = true
				groups = append(groups, ref)
			}
		default:
			f.Enforced, f.Note = true, NoteEscalationIncluded
			if _, ok := users[g.GranteeID]; !ok {
				order = append(order, g.GranteeID)
			}
			users[g.GranteeID] = append(users[g.GranteeID], g.Role)
		}
		findings = append(findings, f)
	}
	return findings, groups, users, order
}

// roleHolders reads the Default domain's role grants (when dir is a RoleSource), records the
// evaluation and a finding per grant, and returns the groups to enforce and the users who
// hold a role directly (read, with their roles as labels). also are the groups enforced so far
// beyond the configured ones.
func roleHolders(ctx context.Context, dir Directory, opt Options, also []GroupRef, f *found) ([]GroupRef, []Admin, error) {
	src, ok := dir.(RoleSource)
	if !ok {
		return nil, nil, nil
	}
	dom, grants, err := src.DomainRoleHolders(ctx, EscalationRoles)
	if err != nil {
		eval, stop := unreadableRoles(opt.IncludeEscalationAdmins, err)
		eval.Domain = dom.Name
		f.roles = &eval
		opt.Logger.WarnContext(ctx, "domain roles not evaluated", "reason", eval.Reason)
		return nil, nil, stop
	}
	f.roles = &RoleEvaluation{Domain: dom.Name, Roles: EscalationRoles, Evaluated: true}
	findings, groups, users, order := roleDecisions(grants, sameGroupRefs(opt.Groups, opt.resolved), also, opt.IncludeEscalationAdmins)
	f.escalation = append(f.escalation, findings...)
	for _, e := range findings {
		opt.Logger.WarnContext(ctx, "escalation path", "subject", e.Subject, "path", e.Path, "grant", e.Grant, "enforced", e.Enforced)
	}
	if len(order) == 0 {
		return groups, nil, nil
	}
	read, err := src.UsersByID(ctx, dom, order)
	if err == nil {
		err = malformedMembers(Group{Ref: GroupRef{Domain: dom.Name, Name: "domain role holders"}}, read)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read users holding a domain role: %w", err)
	}
	admins := make([]Admin, 0, len(read))
	for _, u := range read {
		var labels []string
		for _, r := range users[u.ID] {
			labels = append(labels, dom.Name+" role: "+r)
		}
		admins = append(admins, Admin{User: u, Groups: labels})
	}
	return groups, admins, nil
}
