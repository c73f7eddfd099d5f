package oci

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/oracle/oci-go-sdk/v65/ons"

	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
)

// MaxMessageRequest is the largest encoded PublishMessage body this function sends: "Message
// size limit per request: 64KB" (oci-go-sdk ons/ons_notificationdataplane_client.go,
// PublishMessage). The limit is read as 64,000 bytes (the smaller reading of "KB") of the
// request body as sent, the JSON of ons.MessageDetails: the SDK encodes it with encoding/json,
// which escapes <, > and & as six bytes each, and quotes, backslashes and control characters
// too, so the text's own length is not the measure.
const MaxMessageRequest = 64_000

// Publish sends one message to an ONS topic, cut to fit MaxMessageRequest (fitMessage).
func (d *Directory) Publish(ctx context.Context, topicID, title, body string) error {
	c, err := ons.NewNotificationDataPlaneClientWithConfigurationProvider(d.provider)
	if err != nil {
		return fmt.Errorf("notifications client: %w", err)
	}
	d.configure(&c.BaseClient, d.settings.NotificationEndpoint)
	body = fitMessage(title, body, MaxMessageRequest)
	_, err = c.PublishMessage(detach(ctx, permissions.OpPublishMessage), ons.PublishMessageRequest{TopicId: &topicID,
		MessageDetails: ons.MessageDetails{Title: &title, Body: &body}})
	return opError(permissions.OpPublishMessage, err)
}

// encodedSize is the size of the request body the SDK sends for title and body.
func encodedSize(title, body string) int {
	b, err := json.Marshal(ons.MessageDetails{Title: &title, Body: &body})
	if err != nil { // strings always encode; invalid UTF-8 is replaced, never refused
		return len(title) + len(body)
	}
	return len(b)
}

// leftOut is the line that ends a message cut short: how many lines of the report text were
// left out, and where the whole report is.
func leftOut(n int) string {
	return fmt.Sprintf("… and %d more lines, left out to keep this message within the Notifications limit of 64 KB per message; "+
		"the full report is the function's return value and is in its invoke log\n", n)
}

// fitMessage returns body unchanged when the encoded message fits limit; else the most whole
// lines from its start that fit together with leftOut's line saying how many were left out.
// The report text puts the summary and the errors first, so what is cut is the tail of the
// per-administrator lines.
func fitMessage(title, body string, limit int) string {
	if encodedSize(title, body) <= limit {
		return body
	}
	lines := strings.SplitAfter(strings.TrimSuffix(body, "\n"), "\n")
	lines[len(lines)-1] += "\n"
	cut := func(k int) string { return strings.Join(lines[:k], "") + leftOut(len(lines)-k) }
	// The encoded size grows with the number of lines kept: the largest k that fits.
	// At least the note is sent: the title is one short line (report.Title), so it fits.
	k := sort.Search(len(lines)+1, func(k int) bool { return encodedSize(title, cut(k)) > limit }) - 1
	return cut(max(k, 0))
}
