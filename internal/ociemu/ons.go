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

// messageDetails is ons.MessageDetails; body is mandatory.
type messageDetails struct {
	Title *string `json:"title"`
	Body  *string `json:"body"`
}

func (s *Server) publishMessage(w http.ResponseWriter, r *http.Request, body []byte) {
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
