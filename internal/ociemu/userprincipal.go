package ociemu

import (
	"crypto/md5"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// User principals: a person (or a script) signing requests with one of their own API keys, as
// the OCI CLI and SDKs do with ~/.oci/config. The workstation command (cmd/admin-apikey-guard)
// signs this way.
//
// Sources:
//   - keyId: "Request Signatures", https://docs.oracle.com/iaas/Content/API/Concepts/signingrequests.htm:
//     for a user's API signing key the keyId is "<TENANCY OCID>/<USER OCID>/<KEY FINGERPRINT>";
//     the signature itself is checked like every other (verify.go).
//   - fingerprint: "Required Keys and OCIDs", "How to Get the Key's Fingerprint",
//     https://docs.oracle.com/iaas/Content/API/Concepts/apisigningkey.htm: the MD5 of the
//     DER-encoded public key, colon-separated hex (openssl rsa -pubout -outform DER | openssl md5 -c).
//   - authorization: "How Policies Work", https://docs.oracle.com/iaas/Content/Identity/policieshow/how-policies-work.htm:
//     a user gets access through the groups they belong to; any-user covers every user
//     (authz.go, userRequester). Conditions see request.principal.type 'user' and
//     request.user.id ("General Variables for All Requests").
//   - capabilities: "User Credentials" / "Managing User Capabilities",
//     https://docs.oracle.com/iaas/Content/Identity/Concepts/usercredentials.htm: with
//     canUseApiKeys off the user cannot use API keys.
//
// Assumptions (Oracle documents nothing more precise): a user that is not active cannot sign;
// a key deleted (or a capability switched off) stops authenticating at the next request, with
// no propagation delay; a user principal holds no domain role, so Identity Domains (SCIM)
// requests signed by a user are refused (403) — a user's own domain administrator roles are
// not modelled.

// principalTypeUser and principalTypeFunction are the request.principal.type values.
const (
	principalTypeUser     = "user"
	principalTypeFunction = "fnfunc"
)

// userKey resolves an API-key keyId to the user and the uploaded public key it names. The
// error says which part failed, never more: OCI answers 401 NotAuthenticated either way.
func (s *Server) userKey(keyID string) (caller, *rsa.PublicKey, error) {
	parts := strings.Split(keyID, "/")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return caller{}, nil, errors.New("keyId is neither a security token (ST$...) nor <tenancy>/<user>/<fingerprint>")
	}
	tenancy, userOCID, fingerprint := parts[0], parts[1], parts[2]
	if tenancy != s.tenancyID {
		return caller{}, nil, errors.New("keyId names another tenancy")
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	def := s.store.def
	ui, ok := def.userByOCID[userOCID]
	if !ok {
		return caller{}, nil, errors.New("keyId names no user of the tenancy")
	}
	u := def.d.Users[ui]
	switch {
	case !u.Active:
		return caller{}, nil, errors.New("the user is not active")
	case !u.CanUseAPIKeys:
		return caller{}, nil, errors.New("the user may not use API keys (canUseApiKeys is false)")
	}
	ki := def.findKeyByFingerprint(ui, fingerprint)
	if ki < 0 {
		return caller{}, nil, errors.New("the user has no API key with that fingerprint")
	}
	pub, err := parsePublicKey(u.APIKeys[ki].PublicKeyPEM)
	if err != nil {
		return caller{}, nil, fmt.Errorf("the uploaded API key cannot be used: %v", err)
	}
	return caller{ID: userOCID, User: true}, pub, nil
}

// userGroups are the Default-domain groups the user is a member of. Callers hold the store lock.
func (s *Server) userGroups(userOCID string) []Group {
	def := s.store.def
	var out []Group
	for _, gi := range def.groupsOfUser[userOCID] {
		out = append(out, def.d.Groups[gi])
	}
	return out
}

func parsePublicKey(pemText string) (*rsa.PublicKey, error) {
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		return nil, errors.New("not PEM")
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	pub, ok := key.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("not an RSA key")
	}
	return pub, nil
}

// NewAPIKey is the API key a user uploads for pub, with the fingerprint OCI computes for it:
// what a fixture needs so that a client holding the private key can sign as that user.
func NewAPIKey(id, ocid string, pub *rsa.PublicKey) (APIKey, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return APIKey{}, fmt.Errorf("ociemu: encode public key: %w", err)
	}
	return APIKey{ID: id, OCID: ocid, Fingerprint: Fingerprint(der),
		PublicKeyPEM: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))}, nil
}

// Fingerprint is OCI's fingerprint of a DER-encoded public key: MD5, colon-separated hex.
func Fingerprint(der []byte) string {
	sum := md5.Sum(der)
	hexes := make([]string, len(sum))
	for i, b := range sum {
		hexes[i] = fmt.Sprintf("%02x", b)
	}
	return strings.Join(hexes, ":")
}

// AddAPIKey uploads pub as an API key of the user with userOCID (in any domain), as the user
// would in the Console, and returns it. Its ids are derived from the fingerprint.
func (t *Tenancy) AddAPIKey(userOCID string, pub *rsa.PublicKey) (APIKey, error) {
	for di := range t.Domains {
		for ui := range t.Domains[di].Users {
			u := &t.Domains[di].Users[ui]
			if u.OCID != userOCID {
				continue
			}
			k, err := NewAPIKey("", "", pub)
			if err != nil {
				return APIKey{}, err
			}
			compact := strings.ReplaceAll(k.Fingerprint, ":", "")
			k.ID, k.OCID = "uploaded"+compact, "ocid1.credential.oc1..uploaded"+compact
			u.APIKeys = append(u.APIKeys, k)
			return k, nil
		}
	}
	return APIKey{}, fmt.Errorf("ociemu: no user %q", userOCID)
}
