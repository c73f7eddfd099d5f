package guard

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Directory is everything the guard needs from OCI. Implementations must return complete
// answers or an error: a partial listing presented as complete would hide administrators.
type Directory interface {
	// ResolveGroup finds exactly the referenced group (by OCID, or by name within the named
	// identity domain, the Default domain when Domain is empty). A missing group is ErrNotFound.
	ResolveGroup(ctx context.Context, ref GroupRef) (Group, error)
	// Members lists every user of the group, across all pages.
	Members(ctx context.Context, g Group) ([]User, error)
	// APIKeys lists every API key owned by the given users, all of one identity domain.
	APIKeys(ctx context.Context, domain Domain, users []User) ([]APIKey, error)
	// DeleteAPIKey deletes one key. A key that does not exist is ErrNotFound, which may also
	// mean "not authorized": the guard confirms by listing before it calls the key gone.
	DeleteAPIKey(ctx context.Context, key APIKey) error
	// DisableAPIKeys sets the user's canUseApiKeys capability to false.
	DisableAPIKeys(ctx context.Context, u User) error
	// Detail reads a user that Members returned without its details (User.Detailed false:
	// the IAM API's memberships carry only the user's OCID) and returns it with them. The
	// guard calls it only where a decision or the report needs the name, state or
	// capabilities (decide.go: detailBeforeListing, detailForReport).
	Detail(ctx context.Context, u User) (User, error)
}

// ListBatcher is implemented by a Directory whose credential listings serve several users in
// one call (SCIM: 50 users per search): the guard lists that many administrators of a domain
// at a time. Without it, the guard lists Options.Concurrency administrators at a time.
type ListBatcher interface {
	ListBatch(d Domain) int
}

// ErrNotFound is what a Directory returns (wrapped) for a 404 from OCI.
var ErrNotFound = errors.New("not found")

// ErrConflict is what a Directory returns (wrapped) for a 409 from OCI: to a DELETE, IAM
// answers IncorrectState while the credential is being deleted (a code the SDK's retry policy
// names, common/retry.go), and what that means is read from a fresh listing (deleteVerdict).
var ErrConflict = errors.New("conflict")

// GroupRef is an administrator group as configured or as named by a policy.
type GroupRef struct {
	Domain string // identity domain display name; "" means the Default domain
	Name   string // group display name; empty when OCID is set
	OCID   string // group OCID, from "group id ocid1.group..." in a policy
}

func (r GroupRef) String() string {
	switch {
	case r.OCID != "":
		return "id " + r.OCID
	case r.Domain == "":
		return r.Name
	default:
		return r.Domain + "/" + r.Name
	}
}

// ParseGroupRef reads the ADMIN_GROUPS syntax: "Name" (Default domain) or "Domain/Name".
func ParseGroupRef(s string) (GroupRef, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return GroupRef{}, errors.New("empty group name")
	}
	if strings.HasPrefix(s, "ocid1.group.") {
		return GroupRef{OCID: s}, nil
	}
	domain, name, qualified := strings.Cut(s, "/")
	if !qualified {
		return GroupRef{Name: s}, nil
	}
	domain, name = strings.TrimSpace(domain), strings.TrimSpace(name)
	if domain == "" || name == "" || strings.Contains(name, "/") {
		return GroupRef{}, fmt.Errorf("group %q: want Name or Domain/Name", s)
	}
	return GroupRef{Domain: domain, Name: name}, nil
}

// Domain identifies an identity domain well enough for a Directory to address it.
type Domain struct {
	ID      string `json:"id,omitempty"`
	Name    string `json:"name"`
	URL     string `json:"url,omitempty"`
	Default bool   `json:"default"`
	// API is the identity API family that serves the domain ("iam" or "scim"), set by the
	// Directory; the report shows it per group.
	API string `json:"api,omitempty"`
}

func (d Domain) key() string { return d.Name + "\x00" + d.URL }

// Group is a resolved administrator group.
type Group struct {
	Ref    GroupRef
	Domain Domain
	ID     string // SCIM id within the domain
	OCID   string
}

// User is a member of an administrator group.
type User struct {
	Domain        Domain
	ID            string // SCIM id within the domain
	OCID          string
	UserName      string
	Active        bool
	CanUseAPIKeys bool
	// CapabilitiesOff are the kinds (other than API keys) whose canUse… capability is off.
	CapabilitiesOff KindSet
	// Detailed says UserName, Active and the capabilities were read; without it only the
	// domain, ID and OCID are known (see Directory.Detail).
	Detailed bool
}

// APIKey is a key (or, with Kind set, another credential; see Credential) as listed by the
// Directory. Key material, secrets and token values are never carried.
type APIKey struct {
	Domain      Domain
	ID          string // SCIM id (IAM: the key id, or the credential's OCID)
	Fingerprint string // API keys only
	UserOCID    string
	Kind        Kind // "" is KindAPIKeys
	Description string
	Created     time.Time
	Expires     time.Time
	// Deleting says OCI is already deleting the credential: IAM lifecycleState DELETING
	// (identity/api_key.go and every credential kind's summary), or a SCIM credential's
	// deleteInProgress, "set to true when synchronous deletion of the resource would take too
	// long" (identitydomains/api_key.go, auth_token.go, …). CREATING and INACTIVE credentials
	// are listed like ACTIVE ones (they are deleted); DELETED ones are not listed at all.
	Deleting bool
}
