package trigger

import (
	"strings"
	"testing"
)

const instanceStart = `{
  "eventType": "com.oraclecloud.computeapi.instanceaction.end",
  "cloudEventsVersion": "0.1",
  "eventTypeVersion": "2.0",
  "source": "ComputeApi",
  "eventTime": "2026-11-23T00:00:04Z",
  "contentType": "application/json",
  "data": {
    "compartmentId": "ocid1.compartment.oc1..aaaa",
    "compartmentName": "scheduler",
    "resourceName": "nightly-trigger",
    "resourceId": "ocid1.instance.oc1.iad.bbbb",
    "availabilityDomain": "AD-1",
    "additionalDetails": {"instanceActionType": "start", "shape": "VM.Standard.E2.1.Micro"}
  },
  "eventID": "a1b2c3",
  "extensions": {"compartmentId": "ocid1.compartment.oc1..aaaa"}
}`

func TestAccepted(t *testing.T) {
	for name, tc := range map[string]struct {
		body string
		want Trigger
	}{
		"empty":           {"", Trigger{Kind: Manual}},
		"whitespace":      {" \n\t", Trigger{Kind: Manual}},
		"empty object":    {"{}", Trigger{Kind: Options}},
		"dry run":         {`{"dryRun": true}`, Trigger{Kind: Options, DryRun: true}},
		"dry run false":   {`{"dryRun": false}`, Trigger{Kind: Options}},
		"instance start":  {instanceStart, Trigger{Kind: Event, EventType: "com.oraclecloud.computeapi.instanceaction.end", EventID: "a1b2c3", EventTime: "2026-11-23T00:00:04Z", Source: "ComputeApi", ResourceID: "ocid1.instance.oc1.iad.bbbb", ResourceName: "nightly-trigger", CompartmentID: "ocid1.compartment.oc1..aaaa", InstanceAction: "start"}},
		"event null data": {`{"eventType":"x","cloudEventsVersion":"0.1","eventID":"1","data":null}`, Trigger{Kind: Event, EventType: "x", EventID: "1"}},
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
		"not json":             {"dry run please", "not a JSON object"},
		"array":                {`[{"dryRun": true}]`, "not a JSON object"},
		"typo in field":        {`{"dryrun": true}`, `unknown field "dryrun"`},
		"wrong type":           {`{"dryRun": "yes"}`, "cannot unmarshal string"},
		"widening field":       {`{"dryRun": false, "adminGroups": "Everyone"}`, `unknown field "adminGroups"`},
		"trailing data":        {`{"dryRun": true} {"dryRun": false}`, "not a JSON object"},
		"duplicate field":      {`{"dryRun": true, "dryRun": false}`, `"dryRun" appears more than once`},
		"dryRun null":          {`{"dryRun": null}`, "not null"},
		"event duplicate id":   {`{"eventType":"x","cloudEventsVersion":"0.1","eventID":"1","eventID":"2"}`, "more than once"},
		"case variant":         {`{"DryRun": false}`, `unknown field "DryRun"`},
		"event case variant":   {`{"eventType":"x","cloudEventsVersion":"0.1","eventId":"1"}`, `unknown field "eventId"`},
		"event unknown field":  {`{"eventType":"x","cloudEventsVersion":"0.1","eventID":"1","dryRun":false}`, `unknown field "dryRun"`},
		"event without id":     {`{"eventType":"x","cloudEventsVersion":"0.1"}`, "eventID"},
		"event data not obj":   {`{"eventType":"x","cloudEventsVersion":"0.1","eventID":"1","data":"s"}`, "event data"},
		"string":               {`"hello"`, "not a JSON object"},
		"too large":            {"{" + strings.Repeat(" ", MaxBody) + "}", "larger than"},
		"null":                 {`null`, "not a JSON object"},
		"truncated":            {`{"dryRun": tru`, "not a JSON object"},
		"event wrong id type":  {`{"eventType":"x","cloudEventsVersion":"0.1","eventID":7}`, "cannot unmarshal number"},
		"nested options typo":  {`{"options": {"dryRun": true}}`, `unknown field "options"`},
		"dryRun null is typo?": {`{"dryRun": 1}`, "cannot unmarshal number"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(tc.body))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want it to mention %q", err, tc.wantErr)
			}
		})
	}
}

// FuzzParse: no input panics, and whatever is accepted is one of the three kinds; an accepted
// options body never carries anything but dryRun.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "{}", `{"dryRun": true}`, `{"dryrun": true}`, instanceStart, `{"eventType":1}`, "null", "[]"} {
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
		switch tr.Kind {
		case Manual, Event, Options:
		default:
			t.Fatalf("accepted with kind %q", tr.Kind)
		}
	})
}
