package ociemu

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// ONS takes at most 64 KB per PublishMessage request (MaxMessageRequest), counted on the body
// as received: a message of 64,000 bytes is published, one byte more is refused.
func TestPublishRefusesAMessageOver64KB(t *testing.T) {
	f := newFixture(t, GenSpec{Seed: 2, Users: 3, Admins: 1}, Options{})
	url := f.srv.NotificationURL() + "/20181201/topics/" + f.ten.Topics[0].ID + "/messages"
	message := func(size int) []byte {
		empty, _ := json.Marshal(map[string]string{"body": ""})
		b, _ := json.Marshal(map[string]string{"body": strings.Repeat("x", size-len(empty))})
		return b
	}
	wantStatus(t, f.do(t, "POST", url, message(MaxMessageRequest), nil), http.StatusOK)
	var e errorBody
	wantStatus(t, f.do(t, "POST", url, message(MaxMessageRequest+1), &e), http.StatusBadRequest)
	if e.Code != "InvalidParameter" || !strings.Contains(e.Message, "64KB") {
		t.Fatalf("refusal %+v, want InvalidParameter naming the 64KB limit", e)
	}
	if n := len(f.srv.Published()); n != 1 {
		t.Fatalf("%d messages published, want 1", n)
	}
}
