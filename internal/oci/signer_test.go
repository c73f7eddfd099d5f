package oci

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"testing"

	"github.com/oracle/oci-go-sdk/v65/common"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
)

// stKeyID is a provider signing with a token, as every principal but a user's API key does.
type stKeyID struct{ common.ConfigurationProvider }

func (stKeyID) KeyID() (string, error) { return "ST$eyJhbGciOi.eyJzdWIi.c2ln", nil }

func TestSignerIsTheUsersAPIKeyOnly(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	user := common.NewRawConfigurationProvider("ocid1.tenancy.oc1..t", "ocid1.user.oc1..u", "us-ashburn-1", "aa:bb", pemKey, nil)
	if got, want := signerOf(user), (guard.Signer{UserOCID: "ocid1.user.oc1..u", Fingerprint: "aa:bb"}); got != want {
		t.Errorf("user API key: %+v, want %+v", got, want)
	}
	if got := signerOf(stKeyID{user}); got != (guard.Signer{}) {
		t.Errorf("token: %+v, want none", got)
	}
}
