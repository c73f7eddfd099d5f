package ociemu

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"
)

// Principal is what OCI Functions hands a function for resource-principal auth (v2.2):
// the RPST (a JWT) and the session private key, plus region and tenancy for convenience.
type Principal struct {
	RPST          string
	PrivateKeyPEM []byte
	Region        string
	TenancyID     string
}

// Env returns the OCI_RESOURCE_PRINCIPAL_* variables that make the SDK's
// auth.ResourcePrincipalConfigurationProvider use this principal (values inline).
func (p Principal) Env() map[string]string {
	return map[string]string{
		"OCI_RESOURCE_PRINCIPAL_VERSION":     "2.2",
		"OCI_RESOURCE_PRINCIPAL_RPST":        p.RPST,
		"OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM": string(p.PrivateKeyPEM),
		"OCI_RESOURCE_PRINCIPAL_REGION":      p.Region,
	}
}

// DefaultRPSTSize is the default length of a minted RPST: resource-principal tokens of OCI
// Functions are about 2.6 KB (issue 10), mostly the session key and the opc-tag claim.
const DefaultRPSTSize = 2600

// rpstClaims are the claims the emulator puts in, and requires of, an RPST. The SDK reads
// exp, res_tenant and res_compartment (common/auth/resource_principal_key_provider.go,
// TenancyOCIDClaimKey, CompartmentOCIDClaimKey; jwt.go for exp); the rest mirrors what
// OCI issues (ptype, aud, jti, opc-certtype, tenant, and the opaque opc-tag, whose length
// the emulator sets so the token has the configured size).
type rpstClaims struct {
	Exp            int64  `json:"exp"`
	Iat            int64  `json:"iat"`
	Iss            string `json:"iss"`
	Sub            string `json:"sub"`
	ResTenant      string `json:"res_tenant"`
	ResType        string `json:"res_type"`
	ResID          string `json:"res_id"`
	ResCompartment string `json:"res_compartment"`
	TType          string `json:"ttype"`
	JWK            jwk    `json:"jwk"`
	PType          string `json:"ptype,omitempty"`
	Aud            string `json:"aud,omitempty"`
	JTI            string `json:"jti,omitempty"`
	CertType       string `json:"opc-certtype,omitempty"`
	Tenant         string `json:"tenant,omitempty"`
	OpcTag         string `json:"opc-tag,omitempty"`
}

type jwk struct {
	Kty string `json:"kty"`
	N   string `json:"n"`
	E   string `json:"e"`
	Kid string `json:"kid"`
}

// UnmarshalJSON accepts the JWK as an object or as a JSON string holding the object, the
// form real OCI tokens use.
func (k *jwk) UnmarshalJSON(b []byte) error {
	type plain jwk
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(s)
	}
	return json.Unmarshal(b, (*plain)(k))
}

func (k jwk) publicKey() (*rsa.PublicKey, error) {
	if k.Kty != "RSA" {
		return nil, fmt.Errorf("jwk kty %q is not RSA", k.Kty)
	}
	n, err := base64.RawURLEncoding.DecodeString(k.N)
	if err != nil {
		return nil, fmt.Errorf("jwk n: %w", err)
	}
	e, err := base64.RawURLEncoding.DecodeString(k.E)
	if err != nil || len(e) == 0 || len(e) > 4 {
		return nil, fmt.Errorf("jwk e is malformed")
	}
	exp := 0
	for _, b := range e {
		exp = exp<<8 | int(b)
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: exp}
	if pub.N.BitLen() < 2048 {
		return nil, fmt.Errorf("jwk key is shorter than 2048 bits")
	}
	return pub, nil
}

// MintPrincipal issues a resource principal for the emulated tenancy: a fresh RSA-2048
// session key and an RPST signed by the emulator's issuer key that expires after ttl.
// The SDK treats a token with less than 5 minutes left as stale and re-reads it before
// every request, so ttl below that works but costs a re-parse per call.
func (s *Server) MintPrincipal(ttl time.Duration) (Principal, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return Principal{}, fmt.Errorf("ociemu: generate session key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return Principal{}, fmt.Errorf("ociemu: encode session key: %w", err)
	}
	now := time.Now()
	s.mu.Lock()
	s.minted++
	serial := s.minted
	s.mu.Unlock()
	claims := rpstClaims{
		Exp:            now.Add(ttl).Unix(),
		Iat:            now.Unix(),
		Iss:            "authService.oracle.com",
		Sub:            fmt.Sprintf("ocid1.fnfunc.oc1..emulated%06d", serial),
		ResTenant:      s.tenancyID,
		ResType:        "fnfunc",
		ResID:          fmt.Sprintf("ocid1.fnfunc.oc1..emulated%06d", serial),
		ResCompartment: s.tenancyID,
		TType:          "res",
		JWK: jwk{
			Kty: "RSA",
			N:   base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
			E:   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
			Kid: fmt.Sprintf("emulated-session-%d", serial),
		},
	}
	claims.PType, claims.Aud, claims.CertType, claims.Tenant = "resource", "oci", "resource", s.tenancyID
	claims.JTI = fmt.Sprintf("emulated-%06d-%d", serial, now.UnixNano())
	token, err := signSized(s.issuer, claims, s.rpstSize)
	if err != nil {
		return Principal{}, err
	}
	return Principal{
		RPST:          token,
		PrivateKeyPEM: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		Region:        s.region,
		TenancyID:     s.tenancyID,
	}, nil
}

// signSized signs claims with an opc-tag claim long enough for the token to be at least
// size bytes (at most 3 more: base64 rounding); a size below the unpadded token is ignored.
func signSized(key *rsa.PrivateKey, claims rpstClaims, size int) (string, error) {
	// Header and signature do not depend on the claims: measure them once.
	empty, err := signJWT(key, struct{}{})
	if err != nil {
		return "", err
	}
	fixed := len(empty) - len(base64.RawURLEncoding.EncodeToString([]byte("{}")))
	length := func(c rpstClaims) int {
		b, _ := json.Marshal(c)
		return fixed + base64.RawURLEncoding.EncodedLen(len(b))
	}
	if length(claims) < size {
		prefix := "V3," + claims.ResTenant + ","
		tag := []byte(prefix)
		for claims.OpcTag = string(tag); length(claims) < size; claims.OpcTag = string(tag) {
			// Each claim byte costs 4/3 token bytes: add 3/4 of what is missing, at least one.
			for range max((size-length(claims))*3/4, 1) {
				tag = append(tag, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[(len(tag)*7+int(claims.Iat))%62])
			}
		}
	}
	return signJWT(key, claims)
}

func signJWT(key *rsa.PrivateKey, claims any) (string, error) {
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT","kid":"emulator-issuer"}`))
	body, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("ociemu: encode claims: %w", err)
	}
	signing := header + "." + base64.RawURLEncoding.EncodeToString(body)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("ociemu: sign token: %w", err)
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}
