package trigger

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// instanceActionEnd is a real-shaped compute instanceaction.end event: the envelope and data
// fields of Oracle's "Contents of an Event Message" (OCI Events docs,
// docs.oracle.com/iaas/Content/Events/Reference/eventenvelopereference.htm: compartmentId,
// compartmentName, resourceName, resourceId, availabilityDomain, freeformTags, definedTags,
// additionalDetails) in the layout of the reference events of "Services that Produce Events"
// (eventsproducers.htm), plus fields OCI does not send today: CloudEvents 0.1's optional
// schemaURL and made-up future fields in the envelope, extensions, data and additionalDetails.
func instanceActionEnd(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("testdata/instanceaction-end.json")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const minimalEvent = `{"eventType":"x","cloudEventsVersion":"0.1","source":"s","eventID":"1"`

func TestAccepted(t *testing.T) {
	for name, tc := range map[string]struct {
		body string
		want Trigger
	}{
		"empty":         {"", Trigger{Kind: Manual}},
		"whitespace":    {" \n\t", Trigger{Kind: Manual}},
		"empty object":  {"{}", Trigger{Kind: Manual}},
		"empty object2": {" { \n } ", Trigger{Kind: Manual}},
		"dry run":       {`{"dryRun": true}`, Trigger{Kind: Options, DryRun: true}},
		"dry run false": {`{"dryRun": false}`, Trigger{Kind: Options}},
		"instance start": {instanceActionEnd(t), Trigger{Kind: Event, EventType: "com.oraclecloud.computeapi.instanceaction.end",
			EventTypeVersion: "2.0", EventID: "4d6b1d3e-6a7c-4c1e-9d8f-2b5f0a1c9e77", EventTime: "2026-11-23T00:00:41.342Z",
			Source: "ComputeApi", ResourceID: "ocid1.instance.oc1.iad.anuwcljtnightlytrigger", ResourceName: "nightly-trigger",
			CompartmentID: "ocid1.compartment.oc1..aaaaaaaaschedulercompartment", InstanceAction: "start"}},
		"minimal event":   {minimalEvent + `}`, Trigger{Kind: Event, EventType: "x", EventID: "1", Source: "s"}},
		"event null data": {minimalEvent + `,"data":null}`, Trigger{Kind: Event, EventType: "x", EventID: "1", Source: "s"}},
		// a recorded field of an unexpected type is not recorded; the event still runs
		"event data not object":     {minimalEvent + `,"data":"s"}`, Trigger{Kind: Event, EventType: "x", EventID: "1", Source: "s"}},
		"event time not string":     {minimalEvent + `,"eventTime":17}`, Trigger{Kind: Event, EventType: "x", EventID: "1", Source: "s"}},
		"extensions not object":     {minimalEvent + `,"extensions":[1]}`, Trigger{Kind: Event, EventType: "x", EventID: "1", Source: "s"}},
		"compartment from data":     {minimalEvent + `,"data":{"compartmentId":"c"}}`, Trigger{Kind: Event, EventType: "x", EventID: "1", Source: "s", CompartmentID: "c"}},
		"extensions win over data":  {minimalEvent + `,"extensions":{"compartmentId":"e"},"data":{"compartmentId":"c"}}`, Trigger{Kind: Event, EventType: "x", EventID: "1", Source: "s", CompartmentID: "e"}},
		"unknown envelope field":    {minimalEvent + `,"schemaURL":"https://x","newThing":{"a":[1]}}`, Trigger{Kind: Event, EventType: "x", EventID: "1", Source: "s"}},
		"differently cased unknown": {minimalEvent + `,"EventID":"2"}`, Trigger{Kind: Event, EventType: "x", EventID: "1", Source: "s"}},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := Parse([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestRejected(t *testing.T) {
	for name, tc := range map[string]struct{ body, wantErr string }{
		"not json":            {"dry run please", "not a JSON object"},
		"array":               {`[{"dryRun": true}]`, "not a JSON object"},
		"typo in field":       {`{"dryrun": true}`, `unknown field "dryrun"`},
		"wrong type":          {`{"dryRun": "yes"}`, "cannot unmarshal string"},
		"widening field":      {`{"dryRun": false, "adminGroups": "Everyone"}`, `unknown field "adminGroups"`},
		"trailing data":       {`{"dryRun": true} {"dryRun": false}`, "not a JSON object"},
		"duplicate field":     {`{"dryRun": true, "dryRun": false}`, `"dryRun" appears more than once`},
		"dryRun null":         {`{"dryRun": null}`, "not null"},
		"dryRun number":       {`{"dryRun": 1}`, "cannot unmarshal number"},
		"case variant":        {`{"DryRun": false}`, `unknown field "DryRun"`},
		"string":              {`"hello"`, "not a JSON object"},
		"too large":           {"{" + strings.Repeat(" ", MaxBody) + "}", "larger than"},
		"null":                {`null`, "not a JSON object"},
		"truncated":           {`{"dryRun": tru`, "not a JSON object"},
		"nested options typo": {`{"options": {"dryRun": true}}`, `unknown field "options"`},
		// An envelope is recognised only by CloudEvents 0.1's four required attributes,
		// spelled exactly, as non-empty strings; otherwise the strict rules apply.
		"event without id":       {`{"eventType":"x","cloudEventsVersion":"0.1","source":"s"}`, `unknown field "cloudEventsVersion"`},
		"event without source":   {`{"eventType":"x","cloudEventsVersion":"0.1","eventID":"1"}`, "source"},
		"event id cased":         {`{"eventType":"x","cloudEventsVersion":"0.1","source":"s","eventId":"1"}`, `unknown field "cloudEventsVersion"`},
		"event id number":        {`{"eventType":"x","cloudEventsVersion":"0.1","source":"s","eventID":7}`, "neither an OCI event"},
		"event id empty":         {`{"eventType":"x","cloudEventsVersion":"0.1","source":"s","eventID":""}`, "neither an OCI event"},
		"cloudevents 1.0":        {`{"specversion":"1.0","type":"x","source":"s","id":"1"}`, "neither an OCI event"},
		"typo beside eventType":  {`{"eventType":"x","dryrun":true}`, `unknown field "dryrun"`},
		"event duplicate id":     {minimalEvent + `,"eventID":"2"}`, "more than once"},
		"event carries dryRun":   {minimalEvent + `,"dryRun":false}`, `"dryRun" looks like an option`},
		"event carries dry_run":  {minimalEvent + `,"dry_run":true}`, `"dry_run" looks like an option`},
		"event carries DRYRUN":   {minimalEvent + `,"DRYRUN":true}`, `"DRYRUN" looks like an option`},
		"event trailing garbage": {minimalEvent + `} x`, "not a JSON object"},
	} {
		t.Run(name, func(t *testing.T) {
			tr, err := Parse([]byte(tc.body))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("got %+v, error %v; want an error mentioning %q", tr, err, tc.wantErr)
			}
		})
	}
}

// FuzzParse: no input panics; whatever is accepted is one of the three kinds; only an options
// object with exactly the field dryRun can set DryRun; an accepted body that has a field that
// looks like an option is exactly {"dryRun": bool}; an event has its four required attributes.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "{}", `{"dryRun": true}`, `{"dryrun": true}`, instanceActionEnd(f), `{"eventType":1}`, "null", "[]",
		minimalEvent + `,"dryRun":true}`, minimalEvent + `,"data":{"additionalDetails":7}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		tr, err := Parse(body)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		var fields map[string]json.RawMessage
		_ = json.Unmarshal(body, &fields)
		for k := range fields {
			if looksLikeOption(k) && (k != "dryRun" || tr.Kind != Options) {
				t.Fatalf("accepted %q with option-like field %q as %+v", body, k, tr)
			}
		}
		switch tr.Kind {
		case Manual:
			if len(fields) != 0 || tr.DryRun {
				t.Fatalf("manual with fields %v", fields)
			}
		case Options:
			if _, ok := fields["dryRun"]; !ok || len(fields) != 1 {
				t.Fatalf("options with fields %v", fields)
			}
		case Event:
			if tr.DryRun || tr.EventType == "" || tr.EventID == "" || tr.Source == "" {
				t.Fatalf("event %+v", tr)
			}
		default:
			t.Fatalf("accepted with kind %q", tr.Kind)
		}
	})
}

// A credential-creation event names the owner and, for an API key, the key: in the keyId form
// TENANCY/USER/FINGERPRINT (identity/api_key.go), or a user OCID with the fingerprint as the
// resource name. Without an owner, or for any other event, it names nothing.
func TestCreationEventNamesTheCredential(t *testing.T) {
	const (
		user = "ocid1.user.oc1..aaaaaaaaowner"
		fp   = "12:34:56:78:90:AB:cd:ef:12:34:56:78:90:ab:cd:ef"
	)
	event := func(typ, id, name string) string {
		return `{"eventType":"` + typ + `","cloudEventsVersion":"0.1","source":"IdentityControlPlane","eventID":"e1",` +
			`"data":{"resourceId":"` + id + `","resourceName":"` + name + `"}}`
	}
	for name, tc := range map[string]struct {
		body string
		want *NamedCredential
	}{
		"keyId form": {event("com.oraclecloud.identitycontrolplane.uploadapikey", "ocid1.tenancy.oc1..t/"+user+"/"+fp, ""),
			&NamedCredential{UserOCID: user, Kind: "api-keys", Fingerprint: strings.ToLower(fp)}},
		"user and fingerprint name": {event("com.oraclecloud.identitycontrolplane.UploadApiKey", user, fp),
			&NamedCredential{UserOCID: user, Kind: "api-keys", Fingerprint: strings.ToLower(fp)}},
		"user only": {event("com.oraclecloud.identitycontrolplane.uploadapikey", user, "alice"),
			&NamedCredential{UserOCID: user, Kind: "api-keys"}},
		"auth token of a user": {event("com.oraclecloud.identitycontrolplane.createauthtoken", user, "ci token"),
			&NamedCredential{UserOCID: user, Kind: "auth-tokens"}},
		"no owner":        {event("com.oraclecloud.identitycontrolplane.createauthtoken", "ocid1.credential.oc1..x", "ci"), nil},
		"another event":   {event("com.oraclecloud.identitycontrolplane.createuser", user, "alice"), nil},
		"not a keyId":     {event("com.oraclecloud.identitycontrolplane.uploadapikey", "a/b/c", ""), nil},
		"bad fingerprint": {event("com.oraclecloud.identitycontrolplane.uploadapikey", "ocid1.tenancy.oc1..t/"+user+"/12:34", ""), nil},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := Parse([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if (got.Credential == nil) != (tc.want == nil) || got.Credential != nil && *got.Credential != *tc.want {
				t.Errorf("credential %+v, want %+v", got.Credential, tc.want)
			}
		})
	}
}
