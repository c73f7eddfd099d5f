package ociemu

import (
	"crypto/sha256"
	"encoding/hex"
)

// The IAM JSON shapes follow the oci-go-sdk identity models field for field (camelCase,
// mandatory fields always present).

// timeCreated is fixed so that responses, and therefore tests, are deterministic.
const timeCreated = "2024-01-15T09:30:00.000Z"

type iamCapabilities struct {
	CanUseConsolePassword         bool `json:"canUseConsolePassword"`
	CanUseApiKeys                 bool `json:"canUseApiKeys"`
	CanUseAuthTokens              bool `json:"canUseAuthTokens"`
	CanUseSmtpCredentials         bool `json:"canUseSmtpCredentials"`
	CanUseDbCredentials           bool `json:"canUseDbCredentials"`
	CanUseCustomerSecretKeys      bool `json:"canUseCustomerSecretKeys"`
	CanUseOAuth2ClientCredentials bool `json:"canUseOAuth2ClientCredentials"`
}

type iamUser struct {
	ID                 string            `json:"id"`
	CompartmentID      string            `json:"compartmentId"`
	Name               string            `json:"name"`
	Description        string            `json:"description"`
	Email              string            `json:"email,omitempty"`
	EmailVerified      bool              `json:"emailVerified"`
	ExternalIdentifier string            `json:"externalIdentifier"`
	TimeCreated        string            `json:"timeCreated"`
	LifecycleState     string            `json:"lifecycleState"`
	IsMfaActivated     bool              `json:"isMfaActivated"`
	Capabilities       iamCapabilities   `json:"capabilities"`
	FreeformTags       map[string]string `json:"freeformTags"`
}

type iamGroup struct {
	ID             string            `json:"id"`
	CompartmentID  string            `json:"compartmentId"`
	Name           string            `json:"name"`
	Description    string            `json:"description"`
	TimeCreated    string            `json:"timeCreated"`
	LifecycleState string            `json:"lifecycleState"`
	FreeformTags   map[string]string `json:"freeformTags"`
}

type iamMembership struct {
	ID             string `json:"id"`
	CompartmentID  string `json:"compartmentId"`
	GroupID        string `json:"groupId"`
	UserID         string `json:"userId,omitempty"` // empty only with Anomalies.UserWithoutOCID
	TimeCreated    string `json:"timeCreated"`
	LifecycleState string `json:"lifecycleState"`
}

type iamAPIKey struct {
	KeyID          string `json:"keyId"`
	KeyValue       string `json:"keyValue"`
	Fingerprint    string `json:"fingerprint"`
	UserID         string `json:"userId,omitempty"` // empty only with Anomalies.KeyWithoutOwner
	TimeCreated    string `json:"timeCreated"`
	LifecycleState string `json:"lifecycleState"`
}

type iamDomain struct {
	ID              string   `json:"id"`
	CompartmentID   string   `json:"compartmentId"`
	DisplayName     string   `json:"displayName"`
	Description     string   `json:"description"`
	URL             string   `json:"url"`
	HomeRegionURL   string   `json:"homeRegionUrl"`
	HomeRegion      string   `json:"homeRegion"`
	ReplicaRegions  []string `json:"replicaRegions"`
	Type            string   `json:"type"`
	LicenseType     string   `json:"licenseType"`
	IsHiddenOnLogin bool     `json:"isHiddenOnLogin"`
	TimeCreated     string   `json:"timeCreated"`
	LifecycleState  string   `json:"lifecycleState"`
}

type iamCompartment struct {
	ID             string `json:"id"`
	CompartmentID  string `json:"compartmentId"`
	Name           string `json:"name"`
	Description    string `json:"description"`
	TimeCreated    string `json:"timeCreated"`
	LifecycleState string `json:"lifecycleState"`
	IsAccessible   bool   `json:"isAccessible"`
}

type iamPolicy struct {
	ID             string   `json:"id"`
	CompartmentID  string   `json:"compartmentId"`
	Name           string   `json:"name"`
	Statements     []string `json:"statements"`
	Description    string   `json:"description"`
	TimeCreated    string   `json:"timeCreated"`
	LifecycleState string   `json:"lifecycleState"`
}

func lifecycle(active bool) string {
	if active {
		return "ACTIVE"
	}
	return "INACTIVE"
}

func toIAMUser(tenancyID string, u *User) iamUser {
	return iamUser{
		ID: u.OCID, CompartmentID: tenancyID, Name: u.UserName, Description: u.UserName,
		Email: u.Email, EmailVerified: u.Email != "", ExternalIdentifier: u.ID,
		TimeCreated: timeCreated, LifecycleState: lifecycle(u.Active),
		Capabilities: iamCapabilities{
			CanUseConsolePassword: true, CanUseApiKeys: u.CanUseAPIKeys, CanUseAuthTokens: u.canUse(CredAuthTokens),
			CanUseSmtpCredentials: u.canUse(CredSMTPCredentials), CanUseDbCredentials: u.canUse(CredDBCredentials),
			CanUseCustomerSecretKeys: u.canUse(CredCustomerSecretKeys), CanUseOAuth2ClientCredentials: u.canUse(CredOAuth2ClientCredentials),
		},
		FreeformTags: map[string]string{},
	}
}

func toIAMGroup(tenancyID string, g *Group) iamGroup {
	return iamGroup{
		ID: g.OCID, CompartmentID: tenancyID, Name: g.DisplayName, Description: g.DisplayName,
		TimeCreated: timeCreated, LifecycleState: "ACTIVE", FreeformTags: map[string]string{},
	}
}

func toIAMAPIKey(tenancyID, userOCID string, k *APIKey) iamAPIKey {
	return iamAPIKey{
		KeyID: tenancyID + "/" + userOCID + "/" + k.Fingerprint, KeyValue: k.PublicKeyPEM,
		Fingerprint: k.Fingerprint, UserID: userOCID, TimeCreated: timeCreated, LifecycleState: lifecycleState(k.State),
	}
}

// membershipID derives a stable membership OCID from the pair it joins.
func membershipID(groupOCID, userOCID string) string {
	sum := sha256.Sum256([]byte(groupOCID + "|" + userOCID))
	return "ocid1.groupmembership.oc1..aaaaaaaa" + hex.EncodeToString(sum[:])[:52]
}

// lifecycleState is how the IAM API lists a key or credential in state (APIKey.State).
func lifecycleState(state string) string {
	if state == "" {
		return "ACTIVE"
	}
	return state
}
