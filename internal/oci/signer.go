package oci

import (
	"strings"

	"github.com/oracle/oci-go-sdk/v65/common"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
)

// Signer is the API key the Directory signs its requests with, read from the provider's keyId:
// "<tenancy>/<user>/<fingerprint>" for a user's API key (Oracle, "Request Signatures",
// https://docs.oracle.com/iaas/Content/API/Concepts/signingrequests.htm; the SDK's
// fileConfigurationProvider.KeyID in common/configuration.go builds exactly that). Every token
// (resource principal, instance principal, delegation token, session token) signs with a keyId
// "ST$<token>" and no key of the tenancy: the zero Signer.
func (d *Directory) Signer() guard.Signer { return signerOf(d.provider) }

func signerOf(p common.ConfigurationProvider) guard.Signer {
	keyID, err := p.KeyID()
	if err != nil || strings.HasPrefix(keyID, "ST$") {
		return guard.Signer{}
	}
	parts := strings.Split(keyID, "/")
	if len(parts) != 3 {
		return guard.Signer{}
	}
	return guard.Signer{UserOCID: parts[1], Fingerprint: parts[2]}
}
