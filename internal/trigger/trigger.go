// Package trigger reads the invocation body. It is strict on purpose: a body may make a run
// safer (dry run) but never wider, and a body it does not fully understand stops the run, so
// a typo such as {"dryrun": true} can never turn into a real deletion.
package trigger

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// MaxBody bounds what is read; OCI event envelopes are a few KiB.
const MaxBody = 1 << 20

// Kind says who invoked the function.
type Kind string

const (
	Manual  Kind = "manual"  // empty body: fn invoke, or a schedule invoking the function directly
	Event   Kind = "event"   // an OCI Events (CloudEvents 0.1) envelope
	Options Kind = "options" // an options object such as {"dryRun": true}
)

// Trigger is what the report and the log record about the invocation.
type Trigger struct {
	Kind           Kind   `json:"kind"`
	DryRun         bool   `json:"dryRun,omitempty"` // asked for by the body
	EventType      string `json:"eventType,omitempty"`
	EventID        string `json:"eventId,omitempty"`
	EventTime      string `json:"eventTime,omitempty"`
	Source         string `json:"source,omitempty"`
	ResourceID     string `json:"resourceId,omitempty"`
	ResourceName   string `json:"resourceName,omitempty"`
	CompartmentID  string `json:"compartmentId,omitempty"`
	InstanceAction string `json:"instanceActionType,omitempty"`
}

// options is the only shape of options object accepted.
type options struct {
	DryRun *bool `json:"dryRun"`
}

// envelope is the CloudEvents 0.1 envelope OCI Events delivers. data varies by service and is
// only read for the fields the report records.
type envelope struct {
	EventType          string          `json:"eventType"`
	CloudEventsVersion string          `json:"cloudEventsVersion"`
	EventTypeVersion   string          `json:"eventTypeVersion"`
	Source             string          `json:"source"`
	EventID            string          `json:"eventID"`
	EventTime          string          `json:"eventTime"`
	ContentType        string          `json:"contentType"`
	Data               json.RawMessage `json:"data"`
	Extensions         struct {
		CompartmentID string `json:"compartmentId"`
	} `json:"extensions"`
}

type eventData struct {
	CompartmentID     string `json:"compartmentId"`
	ResourceName      string `json:"resourceName"`
	ResourceID        string `json:"resourceId"`
	AdditionalDetails struct {
		InstanceActionType string `json:"instanceActionType"`
	} `json:"additionalDetails"`
}

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
	if _, ok := fields["eventType"]; ok {
		if err := exactFields(fields, envelopeFields); err != nil {
			return Trigger{}, fmt.Errorf("OCI event envelope: %w", err)
		}
		return parseEvent(body)
	}
	if err := exactFields(fields, []string{"dryRun"}); err != nil {
		return Trigger{}, fmt.Errorf(`body is neither an OCI event nor an options object ({"dryRun": true}): %w`, err)
	}
	var o options
	if err := strictDecode(body, &o); err != nil {
		return Trigger{}, fmt.Errorf(`body is neither an OCI event nor an options object ({"dryRun": true}): %w`, err)
	}
	if _, present := fields["dryRun"]; present && o.DryRun == nil {
		return Trigger{}, errors.New(`"dryRun" must be true or false, not null`)
	}
	return Trigger{Kind: Options, DryRun: o.DryRun != nil && *o.DryRun}, nil
}

func parseEvent(body []byte) (Trigger, error) {
	var e envelope
	if err := strictDecode(body, &e); err != nil {
		return Trigger{}, fmt.Errorf("OCI event envelope: %w", err)
	}
	if e.EventType == "" || e.CloudEventsVersion == "" || e.EventID == "" {
		return Trigger{}, errors.New("OCI event envelope: eventType, cloudEventsVersion and eventID are required")
	}
	t := Trigger{Kind: Event, EventType: e.EventType, EventID: e.EventID, EventTime: e.EventTime,
		Source: e.Source, CompartmentID: e.Extensions.CompartmentID}
	if len(e.Data) > 0 && string(e.Data) != "null" {
		var d eventData
		if err := json.Unmarshal(e.Data, &d); err != nil {
			return Trigger{}, fmt.Errorf("OCI event data: %w", err)
		}
		t.ResourceID, t.ResourceName, t.InstanceAction = d.ResourceID, d.ResourceName, d.AdditionalDetails.InstanceActionType
		if t.CompartmentID == "" {
			t.CompartmentID = d.CompartmentID
		}
	}
	return t, nil
}

var envelopeFields = []string{"eventType", "cloudEventsVersion", "eventTypeVersion", "source", "eventID",
	"eventTime", "contentType", "data", "extensions"}

// exactFields insists on the exact spelling of every top-level field: encoding/json matches
// names case-insensitively, which would let {"DRYRUN": ...} or {"dryrun": ...} through.
func exactFields(fields map[string]json.RawMessage, allowed []string) error {
	for k := range fields {
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
