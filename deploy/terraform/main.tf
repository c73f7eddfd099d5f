locals {
  # Every function config key, with the value the function reads. Empty values
  # are dropped below: a missing key means "use the default" to the function,
  # and an empty value is not worth a round trip through the Functions API.
  function_config_all = {
    ADMIN_GROUPS               = var.admin_groups
    DRY_RUN                    = tostring(var.dry_run)
    EXEMPT_USERS               = var.exempt_users
    DISABLE_API_KEY_CAPABILITY = tostring(var.disable_api_key_capability)
    ADMIN_CREDENTIALS          = var.admin_credentials
    DISABLE_CAPABILITIES       = var.disable_capabilities
    INCLUDE_POLICY_ADMINS      = tostring(var.include_policy_admins)
    INCLUDE_ESCALATION_ADMINS  = tostring(var.include_escalation_admins)
    NOTIFICATION_TOPIC_ID      = local.topic_id
    IDENTITY_DOMAIN_URL        = var.identity_domain_url
    DELETE_CONCURRENCY         = tostring(var.delete_concurrency)
    IDENTITY_API               = var.identity_api
    FINDING_REMINDER           = var.finding_reminder
    IDENTITY_RATE_LIMIT        = tostring(var.identity_rate_limit)
  }
  function_config = { for k, v in local.function_config_all : k => v if v != "" }
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
}
