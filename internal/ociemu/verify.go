package ociemu

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// maxClockSkew is how far the signed date header may be from the server clock, as in OCI.
const maxClockSkew = 5 * time.Minute

var (
	genericSignedHeaders = []string{"date", "(request-target)", "host"}
	bodySignedHeaders    = []string{"content-length", "content-type", "x-content-sha256"}
)

// session is a verified RPST; verifying the issuer signature once per token is enough.
type session struct {
	exp time.Time
	key *rsa.PublicKey
	sub string // the resource principal (the function's OCID)
}

// caller is who signed a request: the function's resource principal (a security token,
// keyId "ST$<token>") or a user signing with one of their API keys (keyId
// "<tenancy>/<user>/<fingerprint>", userprincipal.go).
type caller struct {
	ID   string // the resource principal (the function's OCID), or the user's OCID
	User bool   // a user principal
}

// authenticate verifies r like OCI verifies a signed request. The returned error text is safe
// to send to the client: it names the failed check, never the token.
func (s *Server) authenticate(r *http.Request, body []byte) (caller, error) {
	return s.verify(r, body)
}

func (s *Server) verify(r *http.Request, body []byte) (caller, error) {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return caller{}, errors.New("missing Authorization header")
	}
	params, err := parseSignatureHeader(auth)
	if err != nil {
		return caller{}, err
	}
	if params["version"] != "1" {
		return caller{}, errors.New("unsupported signature version")
	}
	if params["algorithm"] != "rsa-sha256" {
		return caller{}, errors.New("unsupported signature algorithm")
	}
	c, key, err := s.signer(params["keyId"])
	if err != nil {
		return caller{}, err
	}
	return c, verifySignature(r, body, params, key)
}

// signer finds who signed, and with which public key, from the signature's keyId.
func (s *Server) signer(keyID string) (caller, *rsa.PublicKey, error) {
	token, ok := strings.CutPrefix(keyID, "ST$")
	if !ok {
		return s.userKey(keyID)
	}
	sess, err := s.session(token)
	if err != nil {
		return caller{}, nil, err
	}
	if !time.Now().Before(sess.exp) {
		return caller{}, nil, errors.New("security token has expired")
	}
	return caller{ID: sess.sub}, sess.key, nil
}

// verifySignature checks what OCI checks of every signed request, whoever signed it: the
// required headers are signed, the date is within the clock skew, a body matches its digest
// and length, and the signature verifies with key.
func verifySignature(r *http.Request, body []byte, params map[string]string, key *rsa.PublicKey) error {
	signed := strings.Fields(strings.ToLower(params["headers"]))
	if len(signed) == 0 {
		signed = []string{"date"} // the draft-cavage default
	}
	required := genericSignedHeaders
	if hasBody(r.Method) {
		required = append(append([]string(nil), genericSignedHeaders...), bodySignedHeaders...)
	}
	for _, h := range required {
		if !contains(signed, h) {
			return fmt.Errorf("header %q is not signed", h)
		}
	}
	date, err := http.ParseTime(r.Header.Get("Date"))
	if err != nil {
		return errors.New("date header is missing or malformed")
	}
	if d := time.Since(date); d > maxClockSkew || d < -maxClockSkew {
		return errors.New("date header is outside the allowed clock skew")
	}
	if hasBody(r.Method) {
		sum := sha256.Sum256(body)
		if r.Header.Get("X-Content-Sha256") != base64.StdEncoding.EncodeToString(sum[:]) {
			return errors.New("x-content-sha256 does not match the body")
		}
		if r.Header.Get("Content-Length") != fmt.Sprint(len(body)) {
			return errors.New("content-length does not match the body")
		}
	}

	sig, err := base64.StdEncoding.DecodeString(params["signature"])
	if err != nil {
		return errors.New("signature is not base64")
	}
	digest := sha256.Sum256([]byte(signingString(r, signed)))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig); err != nil {
		return errors.New("signature does not verify with the signer's key")
	}
	return nil
}

func hasBody(method string) bool {
	return method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// signingString rebuilds the string the SDK signs (common/http_signer.go): one
// "name: value" line per signed header, in the order the client listed them.
func signingString(r *http.Request, headers []string) string {
	lines := make([]string, len(headers))
	for i, h := range headers {
		var v string
		switch h {
		case "(request-target)":
			v = strings.ToLower(r.Method) + " " + r.RequestURI
		case "host":
			v = r.Host
		default:
			v = r.Header.Get(h)
		}
		lines[i] = h + ": " + v
	}
	return strings.Join(lines, "\n")
}

// parseSignatureHeader splits `Signature k="v",k="v"` into its parameters.
func parseSignatureHeader(h string) (map[string]string, error) {
	rest, ok := strings.CutPrefix(h, "Signature ")
	if !ok {
		return nil, errors.New("authorization scheme is not Signature")
	}
	params := map[string]string{}
	for rest = strings.TrimSpace(rest); rest != ""; {
		key, after, ok := strings.Cut(rest, "=")
		if !ok || len(after) < 2 || after[0] != '"' {
			return nil, errors.New("malformed Signature parameters")
		}
		end := strings.IndexByte(after[1:], '"')
		if end < 0 {
			return nil, errors.New("malformed Signature parameters")
		}
		params[strings.TrimSpace(key)] = after[1 : 1+end]
		rest = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(after[2+end:]), ","))
	}
	return params, nil
}

// session verifies an RPST against the issuer key and caches the result per token.
func (s *Server) session(token string) (*session, error) {
	s.mu.Lock()
	sess, ok := s.sessions[token]
	s.mu.Unlock()
	if ok {
		return sess, nil
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errors.New("security token is not a JWT")
	}
	var header struct {
		Alg string `json:"alg"`
	}
	if err := decodeSegment(parts[0], &header); err != nil || header.Alg != "RS256" {
		return nil, errors.New("security token header is malformed or not RS256")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, errors.New("security token signature is malformed")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(&s.issuer.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
		return nil, errors.New("security token was not issued by this emulator")
	}
	var claims rpstClaims
	if err := decodeSegment(parts[1], &claims); err != nil {
		return nil, errors.New("security token claims are malformed")
	}
	if claims.ResTenant != s.tenancyID {
		return nil, errors.New("security token is for another tenancy")
	}
	key, err := claims.JWK.publicKey()
	if err != nil {
		return nil, fmt.Errorf("security token session key: %v", err)
	}
	sess = &session{exp: time.Unix(claims.Exp, 0), key: key, sub: claims.Sub}
	s.mu.Lock()
	s.sessions[token] = sess
	s.mu.Unlock()
	return sess, nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
