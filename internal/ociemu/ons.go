package ociemu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

func (s *Server) onsRoutes() *http.ServeMux {
	mux := http.NewServeMux()
	s.handle(mux, "/20181201/topics/{topicId}/messages", map[string]route{http.MethodPost: {OpPublishMessage, s.publishMessage}})
	s.handleUnknown(mux)
	return mux
}

// MaxMessageRequest is ONS's "Message size limit per request: 64KB" (oci-go-sdk
// ons/ons_notificationdataplane_client.go, PublishMessage), read strictly: 64,000 bytes of the
// request body as received (the encoded MessageDetails). Oracle documents neither which
// reading of "KB" applies nor the answer to a larger message; the emulator takes the smaller
// reading and answers 400 InvalidParameter (assumptions, docs/emulator.md).
const MaxMessageRequest = 64_000

// messageDetails is ons.MessageDetails; body is mandatory.
type messageDetails struct {
	Title *string `json:"title"`
	Body  *string `json:"body"`
}

func (s *Server) publishMessage(w http.ResponseWriter, r *http.Request, body []byte) {
	if len(body) > MaxMessageRequest {
		writeFailure(w, badRequest(fmt.Sprintf("the message is %d bytes, more than the limit of 64KB per request", len(body))))
		return
	}
	var d messageDetails
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil || d.Body == nil {
		writeFailure(w, badRequest("body is not a valid MessageDetails (body is required)"))
		return
	}
	topic := r.PathValue("topicId")
	s.store.mu.Lock()
	if !s.store.topics[topic] {
		s.store.mu.Unlock()
		writeFailure(w, errNotFound)
		return
	}
	m := Message{TopicID: topic, Body: *d.Body}
	if d.Title != nil {
		m.Title = *d.Title
	}
	s.store.published = append(s.store.published, m)
	n := len(s.store.published)
	s.store.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{
		"messageId": fmt.Sprintf("emu-message-%06d", n),
		"timeStamp": time.Now().UTC().Format(time.RFC3339Nano),
	})
}
