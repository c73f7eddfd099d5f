package trigger

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

// MaxBody bounds what is read; OCI event envelopes are a few KiB.
const MaxBody = 1 << 20

// Kind says who invoked the function.
type Kind string

const (
	// Manual: an empty body or {}: fn invoke, or a schedule invoking the function directly
	// (the Terraform stack's Resource Scheduler schedule sends an explicit {}).
	Manual  Kind = "manual"
	Event   Kind = "event"   // an OCI Events (CloudEvents 0.1) envelope
	Options Kind = "options" // an options object such as {"dryRun": true}
)

// Trigger is what the report and the log record about the invocation.
type Trigger struct {
	Kind             Kind   `json:"kind"`
	DryRun           bool   `json:"dryRun,omitempty"` // asked for by the body
	EventType        string `json:"eventType,omitempty"`
	EventTypeVersion string `json:"eventTypeVersion,omitempty"`
	EventID          string `json:"eventId,omitempty"`
	EventTime        string `json:"eventTime,omitempty"`
	Source           string `json:"source,omitempty"`
	ResourceID       string `json:"resourceId,omitempty"`
	ResourceName     string `json:"resourceName,omitempty"`
	CompartmentID    string `json:"compartmentId,omitempty"`
	InstanceAction   string `json:"instanceActionType,omitempty"`
	// Credential is the new credential a credential-creation event names (NamedCredential),
	// nil for any other event or when the event names no user.
	Credential *NamedCredential `json:"credential,omitempty"`
}

// NamedCredential is the credential a creation event is about: its owner, its kind (a
// guard.Kind name), and the API key's fingerprint when the event gives it.
type NamedCredential struct {
	UserOCID    string `json:"userOcid"`
	Kind        string `json:"kind"`
	Fingerprint string `json:"fingerprint,omitempty"`
}

// creationEvents are the IAM event types of a new credential, and the kind each creates: the
// names come from a public dump of the OCI event catalogue in Oracle's
// com.oraclecloud.identitycontrolplane.* form (docs/deploy.md, key_event_types: there is no
// createapikey; UploadApiKey uploads a key). Identity domains publish no such event type in any
// Oracle source found.
var creationEvents = map[string]string{
	"com.oraclecloud.identitycontrolplane.uploadapikey":                "api-keys",
	"com.oraclecloud.identitycontrolplane.createauthtoken":             "auth-tokens",
	"com.oraclecloud.identitycontrolplane.createcustomersecretkey":     "customer-secret-keys",
	"com.oraclecloud.identitycontrolplane.createsmtpcredential":        "smtp-credentials",
	"com.oraclecloud.identitycontrolplane.createoauthclientcredential": "oauth2-client-credentials",
}

// fingerprintShape is an API key's fingerprint: 16 hex bytes, colon-separated
// (identity/api_key.go: "12:34:56:78:90:ab:cd:ef:12:34:56:78:90:ab:cd:ef").
var fingerprintShape = regexp.MustCompile(`^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){15}$`)

// namedCredential reads which credential a creation event is about. Oracle publishes no
// example payload for these event types; "Contents of an Event Message"
// (docs.oracle.com/iaas/Content/Events/Reference/eventenvelopereference.htm) says only that
// data.resourceId is "An OCID or an ID for the resource emitting the event" and
// data.resourceName its name. So every form an IAM credential is identified by is accepted:
//   - resourceId TENANCY_OCID/USER_OCID/KEY_FINGERPRINT, the form of an API key's keyId
//     (identity/api_key.go, ApiKey.KeyId): the owner and the key;
//   - resourceId a user OCID (ocid1.user.…): the owner; resourceName, when it has a
//     fingerprint's shape, the key;
//
// An event that names no owner (another resourceId) is read as an ordinary run (nil): the run
// still lists every administrator; only the wait for a credential not listed yet needs the
// owner. Which form OCI sends is unconfirmed: check an Audit record of a test key (docs/deploy.md).
func namedCredential(eventType, resourceID, resourceName string) *NamedCredential {
	kind, ok := creationEvents[strings.ToLower(eventType)]
	if !ok {
		return nil
	}
	n := &NamedCredential{Kind: kind}
	parts := strings.Split(resourceID, "/")
	switch {
	case len(parts) == 3 && strings.HasPrefix(parts[1], "ocid1.user.") && fingerprintShape.MatchString(parts[2]):
		n.UserOCID, n.Fingerprint = parts[1], strings.ToLower(parts[2])
	case strings.HasPrefix(resourceID, "ocid1.user."):
		n.UserOCID = resourceID
		if kind == "api-keys" && fingerprintShape.MatchString(resourceName) {
			n.Fingerprint = strings.ToLower(resourceName)
		}
	}
	if n.UserOCID == "" {
		return nil
	}
	return n
}

// options is the only shape of options object accepted.
type options struct {
	DryRun *bool `json:"dryRun"`
}

// optionFields are the options object's fields, spelled exactly.
var optionFields = []string{"dryRun"}

// envelopeRequired are the attributes CloudEvents 0.1 makes REQUIRED, which OCI Events
// delivers in every message ("Contents of an Event Message", OCI Events docs:
// docs.oracle.com/iaas/Content/Events/Reference/eventenvelopereference.htm; OCI uses the
// 0.1 envelope). A body is read as an event only when all four are present, spelled exactly,
// as non-empty strings; anything else is held to the options object's strict rules.
var envelopeRequired = []string{"eventType", "cloudEventsVersion", "source", "eventID"}

// Parse classifies body; any error means the run must not change anything.
func Parse(body []byte) (Trigger, error) {
	if len(body) > MaxBody {
		return Trigger{}, fmt.Errorf("body is larger than %d bytes", MaxBody)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return Trigger{Kind: Manual}, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return Trigger{}, fmt.Errorf("body is not a JSON object: %v", cmp.Or[any](err, "null"))
	}
	if err := uniqueFields(body); err != nil {
		return Trigger{}, err
	}
	if len(fields) == 0 {
		return Trigger{Kind: Manual}, nil // {}: run with the configuration
	}
	if isEnvelope(fields) {
		return parseEvent(fields)
	}
	const neither = `body is neither an OCI event (CloudEvents 0.1: eventType, cloudEventsVersion, source, eventID) nor an options object ({"dryRun": true})`
	if err := exactFields(fields, optionFields); err != nil {
		return Trigger{}, fmt.Errorf("%s: %w", neither, err)
	}
	var o options
	if err := strictDecode(body, &o); err != nil {
		return Trigger{}, fmt.Errorf("%s: %w", neither, err)
	}
	if o.DryRun == nil {
		return Trigger{}, errors.New(`"dryRun" must be true or false, not null`)
	}
	return Trigger{Kind: Options, DryRun: *o.DryRun}, nil
}

func isEnvelope(fields map[string]json.RawMessage) bool {
	for _, k := range envelopeRequired {
		if str(fields[k]) == "" {
			return false
		}
	}
	return true
}

// parseEvent records what the report shows. Unknown fields of the envelope, of extensions and
// of data are ignored, and so is a recorded field of an unexpected type (it is simply not
// recorded): OCI may add or change fields with a new eventTypeVersion, and nothing in an
// event changes what the run does. The one exception is a top-level field that looks like an
// option (dryRun, dry_run, DryRun, ...): OCI never sends one, so it was put there by someone
// who expects it to be obeyed, and ignoring it could turn a meant dry run into a real one.
func parseEvent(fields map[string]json.RawMessage) (Trigger, error) {
	for _, k := range sortedKeys(fields) {
		if looksLikeOption(k) {
			return Trigger{}, fmt.Errorf("OCI event envelope: field %q looks like an option; options go in an options object ({\"dryRun\": true}), not in an event", k)
		}
	}
	t := Trigger{Kind: Event, EventType: str(fields["eventType"]), EventTypeVersion: str(fields["eventTypeVersion"]),
		EventID: str(fields["eventID"]), EventTime: str(fields["eventTime"]), Source: str(fields["source"])}
	ext := object(fields["extensions"])
	t.CompartmentID = str(ext["compartmentId"])
	data := object(fields["data"])
	t.ResourceID, t.ResourceName = str(data["resourceId"]), str(data["resourceName"])
	t.InstanceAction = str(object(data["additionalDetails"])["instanceActionType"])
	if t.CompartmentID == "" {
		t.CompartmentID = str(data["compartmentId"])
	}
	t.Credential = namedCredential(t.EventType, t.ResourceID, t.ResourceName)
	return t, nil
}

// looksLikeOption: the name of an option, whatever its case, underscores or hyphens.
func looksLikeOption(k string) bool {
	n := strings.ToLower(strings.NewReplacer("_", "", "-", "", " ", "").Replace(k))
	for _, o := range optionFields {
		if n == strings.ToLower(o) {
			return true
		}
	}
	return false
}

// str is raw's value if raw is a JSON string, else "".
func str(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// object is raw's fields if raw is a JSON object, else nil.
func object(raw json.RawMessage) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// exactFields insists on the exact spelling of every top-level field: encoding/json matches
// names case-insensitively, which would let {"DRYRUN": ...} or {"dryrun": ...} through.
func exactFields(fields map[string]json.RawMessage, allowed []string) error {
	for _, k := range sortedKeys(fields) {
		if !slices.Contains(allowed, k) {
			return fmt.Errorf("unknown field %q (known: %s)", k, strings.Join(allowed, ", "))
		}
	}
	return nil
}

// uniqueFields rejects a repeated top-level field: encoding/json keeps the last one, so
// {"dryRun": true, "dryRun": false} would otherwise read as a real run.
func uniqueFields(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if _, err := dec.Token(); err != nil { // the opening brace, already known to be there
		return err
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		if seen[key] {
			return fmt.Errorf("field %q appears more than once", key)
		}
		seen[key] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return err
		}
	}
	return nil
}

// strictDecode rejects unknown fields, wrong types and trailing data.
func strictDecode(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON object")
	}
	return nil
}
