package oci

import (
	"context"
	"fmt"
	"strings"

	"github.com/oracle/oci-go-sdk/v65/ons"

	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
)

// maxMessageBody keeps a message under ONS's 64 KiB limit with room for encoding.
const maxMessageBody = 60 << 10

// Publish sends one message to an ONS topic.
func (d *Directory) Publish(ctx context.Context, topicID, title, body string) error {
	c, err := ons.NewNotificationDataPlaneClientWithConfigurationProvider(d.provider)
	if err != nil {
		return fmt.Errorf("notifications client: %w", err)
	}
	d.configure(&c.BaseClient, d.settings.NotificationEndpoint)
	if len(body) > maxMessageBody {
		body = strings.ToValidUTF8(body[:maxMessageBody], "") + "\n… (truncated; the full report is in the function's log)"
	}
	_, err = c.PublishMessage(detach(ctx, permissions.OpPublishMessage), ons.PublishMessageRequest{TopicId: &topicID,
		MessageDetails: ons.MessageDetails{Title: &title, Body: &body}})
	return opError(permissions.OpPublishMessage, err)
}
