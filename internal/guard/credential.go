package guard

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Kind is a kind of long-lived user credential (ADMIN_CREDENTIALS, DISABLE_CAPABILITIES).
type Kind string

// The credential kinds, in the order they are listed, reported and documented.
const (
	KindAPIKeys                 Kind = "api-keys"
	KindAuthTokens              Kind = "auth-tokens"
	KindCustomerSecretKeys      Kind = "customer-secret-keys"
	KindSMTPCredentials         Kind = "smtp-credentials"
	KindOAuth2ClientCredentials Kind = "oauth2-client-credentials"
	KindDBCredentials           Kind = "db-credentials"
)

// KindAll is the configuration word for every kind.
const KindAll = "all"

// Kinds lists every credential kind.
func Kinds() []Kind {
	return []Kind{KindAPIKeys, KindAuthTokens, KindCustomerSecretKeys, KindSMTPCredentials, KindOAuth2ClientCredentials, KindDBCredentials}
}

// ParseKinds reads a comma list of kinds ("all" for every kind), de-duplicated and in Kinds()
// order. An unknown kind is an error; an empty list is nil.
func ParseKinds(s string) ([]Kind, error) {
	want := map[Kind]bool{}
	for _, w := range strings.Split(s, ",") {
		w = strings.ToLower(strings.TrimSpace(w))
		switch {
		case w == "":
		case w == KindAll:
			for _, k := range Kinds() {
				want[k] = true
			}
		case slices.Contains(Kinds(), Kind(w)):
			want[Kind(w)] = true
		default:
			return nil, fmt.Errorf("unknown credential kind %q: want a comma list of %s, or %s", w, kindNames(), KindAll)
		}
	}
	var out []Kind
	for _, k := range Kinds() {
		if want[k] {
			out = append(out, k)
		}
	}
	return out, nil
}

func kindNames() string {
	names := make([]string, 0, len(Kinds()))
	for _, k := range Kinds() {
		names = append(names, string(k))
	}
	return strings.Join(names, ", ")
}

// KindSet is a set of kinds other than the zero set; used for users' capabilities.
type KindSet uint8

func kindBit(k Kind) KindSet {
	i := slices.Index(Kinds(), k)
	if i < 0 {
		return 0
	}
	return 1 << i
}

// With returns s with k added.
func (s KindSet) With(k Kind) KindSet { return s | kindBit(k) }

// Has says whether k is in s.
func (s KindSet) Has(k Kind) bool { return s&kindBit(k) != 0 }

// Credential is a user's long-lived credential as listed by the Directory: what an operator
// recognises it by, never the secret, token value or key material. APIKey is the same type;
// a zero Kind means an API key.
type Credential = APIKey

// CredentialKind is c's kind (an API key when unset).
func (c APIKey) CredentialKind() Kind {
	if c.Kind == "" {
		return KindAPIKeys
	}
	return c.Kind
}

// Label is how the report and log name the credential: the fingerprint of an API key, else
// the description (or name) and the id.
func (c APIKey) Label() string {
	if c.CredentialKind() == KindAPIKeys {
		return c.Fingerprint
	}
	if c.Description != "" {
		return fmt.Sprintf("%s %q (%s)", c.CredentialKind(), c.Description, c.ID)
	}
	return fmt.Sprintf("%s %s", c.CredentialKind(), c.ID)
}

// CredentialDirectory is what a Directory implements to serve kinds other than API keys
// (ADMIN_CREDENTIALS) and capabilities other than canUseApiKeys (DISABLE_CAPABILITIES). API
// keys keep going through Directory.APIKeys/DeleteAPIKey/DisableAPIKeys.
type CredentialDirectory interface {
	// Credentials lists every credential of kind k (not KindAPIKeys) owned by the given
	// users, all of one identity domain.
	Credentials(ctx context.Context, k Kind, domain Domain, users []User) ([]Credential, error)
	// DeleteCredential deletes one credential (not an API key). A missing one is ErrNotFound.
	DeleteCredential(ctx context.Context, c Credential) error
	// DisableCapabilities sets the users' canUse… capability of each kind to false in one
	// update.
	DisableCapabilities(ctx context.Context, u User, kinds []Kind) error
}

// CanUse says whether u's capability for kind k is on (as the Directory read it).
func (u User) CanUse(k Kind) bool {
	if k == KindAPIKeys {
		return u.CanUseAPIKeys
	}
	return !u.CapabilitiesOff.Has(k)
}

// timeOrNil keeps zero times out of the JSON report.
func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func credentialsDirectory(dir Directory) (CredentialDirectory, error) {
	cd, ok := dir.(CredentialDirectory)
	if !ok {
		return nil, fmt.Errorf("this directory serves API keys only: %T cannot list or change other credential kinds", dir)
	}
	return cd, nil
}

// listCredentials lists users' credentials of kind k through the matching Directory method.
func listCredentials(ctx context.Context, dir Directory, k Kind, dom Domain, users []User) ([]Credential, error) {
	if k == KindAPIKeys {
		return dir.APIKeys(ctx, dom, users)
	}
	cd, err := credentialsDirectory(dir)
	if err != nil {
		return nil, err
	}
	cs, err := cd.Credentials(ctx, k, dom, users)
	for i := range cs {
		cs[i].Kind = k // the guard, not the directory, decides what kind a listing holds
	}
	return cs, err
}

func deleteCredential(ctx context.Context, dir Directory, c Credential) error {
	if c.CredentialKind() == KindAPIKeys {
		return dir.DeleteAPIKey(ctx, c)
	}
	cd, err := credentialsDirectory(dir)
	if err != nil {
		return err
	}
	return cd.DeleteCredential(ctx, c)
}

func disableCapabilities(ctx context.Context, dir Directory, u User, kinds []Kind) error {
	if len(kinds) == 1 && kinds[0] == KindAPIKeys {
		return dir.DisableAPIKeys(ctx, u)
	}
	cd, err := credentialsDirectory(dir)
	if err != nil {
		return err
	}
	return cd.DisableCapabilities(ctx, u, kinds)
}
