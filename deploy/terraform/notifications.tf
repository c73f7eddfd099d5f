locals {
  notifications_enabled = var.create_notification_topic || var.notification_topic_id != ""
  topic_id              = var.create_notification_topic ? oci_ons_notification_topic.this[0].id : var.notification_topic_id
  topic_compartment_id = (var.create_notification_topic || var.notification_topic_compartment_ocid == ""
    ? var.compartment_ocid
  : var.notification_topic_compartment_ocid)
}

resource "oci_ons_notification_topic" "this" {
  count          = var.create_notification_topic ? 1 : 0
  compartment_id = var.compartment_ocid
  name           = var.notification_topic_name
  description    = "admin-apikey-guard run summaries"
  freeform_tags  = var.freeform_tags

  lifecycle {
    precondition {
      condition     = var.notification_topic_id == ""
      error_message = "Set either create_notification_topic or notification_topic_id, not both."
    }
  }
}

resource "oci_ons_subscription" "email" {
  count          = var.create_notification_topic && var.notification_email != "" ? 1 : 0
  compartment_id = var.compartment_ocid
  topic_id       = oci_ons_notification_topic.this[0].id
  protocol       = "EMAIL"
  endpoint       = var.notification_email
  freeform_tags  = var.freeform_tags
}
