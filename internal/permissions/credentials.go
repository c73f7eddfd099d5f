package permissions

import "slices"

// Credential kinds beyond API keys (ADMIN_CREDENTIALS, DISABLE_CAPABILITIES), as the
// configuration spells them. API keys are always enforced and need no feature of their own.
const (
	KindAPIKeys                 = "api-keys"
	KindAuthTokens              = "auth-tokens"
	KindCustomerSecretKeys      = "customer-secret-keys"
	KindSMTPCredentials         = "smtp-credentials"
	KindOAuth2ClientCredentials = "oauth2-client-credentials"
	KindDBCredentials           = "db-credentials"
)

// CredentialOps are the operations that list and delete one kind of credential in each
// family: IAM List/Delete (identity package of the SDK) and SCIM Search/Delete
// (identitydomains package).
type CredentialOps struct {
	Kind                   string
	Feature                Feature
	IAMList, IAMDelete     string
	SCIMSearch, SCIMDelete string
}

// IAM and SCIM operations per credential kind (SDK v65: identity.ListAuthTokens …,
// identitydomains.SearchAuthTokens …).
const (
	OpListAuthTokens              = "ListAuthTokens"
	OpDeleteAuthToken             = "DeleteAuthToken"
	OpListCustomerSecretKeys      = "ListCustomerSecretKeys"
	OpDeleteCustomerSecretKey     = "DeleteCustomerSecretKey"
	OpListSmtpCredentials         = "ListSmtpCredentials"
	OpDeleteSmtpCredential        = "DeleteSmtpCredential"
	OpListOAuthClientCredentials  = "ListOAuthClientCredentials"
	OpDeleteOAuthClientCredential = "DeleteOAuthClientCredential"
	OpListDbCredentials           = "ListDbCredentials"
	OpDeleteDbCredential          = "DeleteDbCredential"

	OpSCIMSearchAuthTokens              = "scim.SearchAuthTokens"
	OpSCIMDeleteAuthToken               = "scim.DeleteAuthToken"
	OpSCIMSearchCustomerSecretKeys      = "scim.SearchCustomerSecretKeys"
	OpSCIMDeleteCustomerSecretKey       = "scim.DeleteCustomerSecretKey"
	OpSCIMSearchSmtpCredentials         = "scim.SearchSmtpCredentials"
	OpSCIMDeleteSmtpCredential          = "scim.DeleteSmtpCredential"
	OpSCIMSearchOAuth2ClientCredentials = "scim.SearchOAuth2ClientCredentials"
	OpSCIMDeleteOAuth2ClientCredential  = "scim.DeleteOAuth2ClientCredential"
	OpSCIMSearchUserDbCredentials       = "scim.SearchUserDbCredentials"
	OpSCIMDeleteUserDbCredential        = "scim.DeleteUserDbCredential"
)

// Features per credential kind: the statement that lists and deletes that kind in the IAM
// family is needed only when the kind is configured.
const (
	FeatureAuthTokens              Feature = "auth-tokens"
	FeatureCustomerSecretKeys      Feature = "customer-secret-keys"
	FeatureSMTPCredentials         Feature = "smtp-credentials"
	FeatureOAuth2ClientCredentials Feature = "oauth2-client-credentials"
	FeatureDBCredentials           Feature = "db-credentials"
)

// CredentialKinds are the kinds beyond API keys, with their operations, in configuration order.
//
// Adding a kind starts here: a row with its operations in both families and its Feature, and
// the Feature's statement in statements.go (with its Oracle source; then the -update of
// internal/deploytest regenerates the Terraform and docs/authorization.md copies). Then the kind's constant in
// internal/guard/credential.go (Kinds), its SDK calls in internal/oci/credentials.go (the IAM
// list/delete switch and the SCIM search/delete switch), and its resource in the emulator
// (internal/ociemu/credentials.go). The credential and least-privilege e2e tests then cover it.
var CredentialKinds = []CredentialOps{
	{KindAuthTokens, FeatureAuthTokens, OpListAuthTokens, OpDeleteAuthToken, OpSCIMSearchAuthTokens, OpSCIMDeleteAuthToken},
	{KindCustomerSecretKeys, FeatureCustomerSecretKeys, OpListCustomerSecretKeys, OpDeleteCustomerSecretKey, OpSCIMSearchCustomerSecretKeys, OpSCIMDeleteCustomerSecretKey},
	{KindSMTPCredentials, FeatureSMTPCredentials, OpListSmtpCredentials, OpDeleteSmtpCredential, OpSCIMSearchSmtpCredentials, OpSCIMDeleteSmtpCredential},
	{KindOAuth2ClientCredentials, FeatureOAuth2ClientCredentials, OpListOAuthClientCredentials, OpDeleteOAuthClientCredential, OpSCIMSearchOAuth2ClientCredentials, OpSCIMDeleteOAuth2ClientCredential},
	{KindDBCredentials, FeatureDBCredentials, OpListDbCredentials, OpDeleteDbCredential, OpSCIMSearchUserDbCredentials, OpSCIMDeleteUserDbCredential},
}

// CredentialOpsFor returns the operations of kind (false for API keys and unknown kinds).
func CredentialOpsFor(kind string) (CredentialOps, bool) {
	i := slices.IndexFunc(CredentialKinds, func(c CredentialOps) bool { return c.Kind == kind })
	if i < 0 {
		return CredentialOps{}, false
	}
	return CredentialKinds[i], true
}

func credentialOperations() []string {
	var out []string
	for _, c := range CredentialKinds {
		out = append(out, c.IAMList, c.IAMDelete, c.SCIMSearch, c.SCIMDelete)
	}
	return out
}

func scimCredentialOperations() []string {
	var out []string
	for _, c := range CredentialKinds {
		out = append(out, c.SCIMSearch, c.SCIMDelete)
	}
	return out
}

// credentialFeatureNeeded says whether the statement of a per-kind feature is needed.
func credentialFeatureNeeded(feature Feature, f Features) (needed, isKind bool) {
	for _, c := range CredentialKinds {
		if c.Feature == feature {
			return f.UsesIAM() && slices.Contains(f.Credentials, c.Kind), true
		}
	}
	return false, false
}

// disablesAny says whether some capability is switched off.
func (f Features) disablesAny() bool { return f.DisableCapability || len(f.DisableCapabilities) > 0 }
