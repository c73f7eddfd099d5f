locals {
  # Every function config key but the topic, with the value the function
  # reads. All of them are known at plan time (variables only), so a reviewer
  # sees DRY_RUN and the rest in the plan. Empty values are dropped: a missing
  # key means "use the default" to the function, and an empty value is not
  # worth a round trip through the Functions API.
  function_config_all = {
    ADMIN_GROUPS               = var.admin_groups
    DRY_RUN                    = tostring(var.dry_run)
    EXEMPT_USERS               = var.exempt_users
    DISABLE_API_KEY_CAPABILITY = tostring(var.disable_api_key_capability)
    ADMIN_CREDENTIALS          = var.admin_credentials
    DISABLE_CAPABILITIES       = var.disable_capabilities
    INCLUDE_POLICY_ADMINS      = tostring(var.include_policy_admins)
    INCLUDE_ESCALATION_ADMINS  = tostring(var.include_escalation_admins)
    IDENTITY_DOMAIN_URL        = var.identity_domain_url
    DELETE_CONCURRENCY         = tostring(var.delete_concurrency)
    IDENTITY_API               = var.identity_api
    FINDING_REMINDER           = var.finding_reminder
    IDENTITY_RATE_LIMIT        = tostring(var.identity_rate_limit)
  }
  # NOTIFICATION_TOPIC_ID is added on a known condition (notifications_enabled),
  # never filtered on its value: a created topic's OCID is unknown until apply,
  # and filtering the map on it made the whole config, DRY_RUN included,
  # "(known after apply)".
  function_config = merge(
    { for k, v in local.function_config_all : k => v if v != "" },
    { for k, v in { NOTIFICATION_TOPIC_ID = local.topic_id } : k => v if local.notifications_enabled },
  )
}

resource "oci_functions_application" "this" {
  compartment_id = var.compartment_ocid
  display_name   = var.application_name
  subnet_ids     = var.subnet_ids
  shape          = var.application_shape
  freeform_tags  = var.freeform_tags
}

resource "oci_functions_function" "this" {
  application_id     = oci_functions_application.this.id
  display_name       = var.function_name
  image              = var.function_image
  memory_in_mbs      = var.function_memory_mb
  timeout_in_seconds = var.function_timeout_seconds
  config             = local.function_config
  freeform_tags      = var.freeform_tags

  lifecycle {
    # Resource Manager runs Terraform 1.5 ("Supported Terraform Versions"), so
    # a variable's validation cannot look at another variable (Terraform 1.9):
    # the combination is refused here, at plan, instead of being ignored.
    precondition {
      condition     = var.notification_email == "" || var.create_notification_topic
      error_message = "notification_email subscribes an address to the topic this stack creates: set create_notification_topic = true, or leave notification_email empty and subscribe the address to your existing topic (notification_topic_id) yourself."
    }
  }
}

# The function logs JSON lines to stderr (func.go, internal/handler: slog),
# one of them "summary" per run (status, mode, counts, API calls, errors); the
# report itself is the invocation's response body, which a scheduled run
# returns to no one. OCI Functions keeps that output only in a
# Logging service log of the application: service "functions", resource the
# application, category "invoke" (Oracle, Logging "Details for Functions",
# docs.oracle.com/iaas/Content/Logging/Reference/details_for_functions.htm;
# "Storing and Viewing Function Logs"). The provider's oci_logging_log takes
# it as log_type SERVICE with configuration.source source_type OCISERVICE
# (provider schema 8.28.0; logging.CreateLogDetailsLogTypeEnum and
# logging.SourceSourceTypeEnum in the SDK, source.go). An application has at most one
# such log: Logging refuses a second log for the same service, resource and
# category.
resource "oci_logging_log_group" "this" {
  compartment_id = var.compartment_ocid
  display_name   = var.application_name
  description    = "admin-apikey-guard function logs (the run summaries)"
  freeform_tags  = var.freeform_tags
}

resource "oci_logging_log" "invoke" {
  display_name  = "${var.application_name}-invoke"
  log_group_id  = oci_logging_log_group.this.id
  log_type      = "SERVICE"
  is_enabled    = true
  freeform_tags = var.freeform_tags

  configuration {
    compartment_id = var.compartment_ocid
    source {
      source_type = "OCISERVICE"
      service     = "functions"
      resource    = oci_functions_application.this.id
      category    = "invoke"
    }
  }
}
