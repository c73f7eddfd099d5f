# Two ways to run the function on a timetable, chosen by var.trigger_mode.
# Resource Scheduler schedules act as their own principal
# (request.principal.type='resourceschedule'); each gets a grant limited to its
# own OCID. Oracle, Resource Scheduler "Example Policies", Example 2
# (docs.oracle.com/en-us/iaas/Content/resource-scheduler/references/example_policies.htm):
#   Allow any-user to manage <resource_type> in compartment id <compartment_ocid>
#   where all{request.principal.type='resourceschedule',request.principal.id='<ocid_of_resourceschedule>'}
# We take Oracle's verb (manage) as documented: a narrower verb is not
# documented for the schedule principal and a refused schedule fails silently;
# the condition already limits the grant to one schedule, which can only run
# its own configured action on its own resources.

locals {
  instance_mode           = var.trigger_mode == "instance_start_event"
  key_event_mode          = length(var.key_event_types) > 0
  direct_mode             = var.trigger_mode == "direct_schedule"
  instance_compartment_id = var.trigger_instance_compartment_ocid != "" ? var.trigger_instance_compartment_ocid : var.compartment_ocid
}

# --- instance_start_event: start an instance, react to its start event -------

resource "oci_resource_scheduler_schedule" "instance_start" {
  count              = local.instance_mode ? 1 : 0
  compartment_id     = var.compartment_ocid
  display_name       = "admin-apikey-guard-start-instance"
  description        = "Starts the instance whose start event invokes admin-apikey-guard"
  action             = "START_RESOURCE"
  recurrence_type    = "CRON"
  recurrence_details = var.instance_start_cron
  freeform_tags      = var.freeform_tags

  resources {
    id = var.trigger_instance_id
  }

  lifecycle {
    precondition {
      condition     = var.trigger_instance_id != ""
      error_message = "trigger_mode instance_start_event needs trigger_instance_id."
    }
  }
}

resource "oci_resource_scheduler_schedule" "instance_stop" {
  count              = local.instance_mode ? 1 : 0
  compartment_id     = var.compartment_ocid
  display_name       = "admin-apikey-guard-stop-instance"
  description        = "Stops the trigger instance again so it costs nothing between runs"
  action             = "STOP_RESOURCE"
  recurrence_type    = "CRON"
  recurrence_details = var.instance_stop_cron
  freeform_tags      = var.freeform_tags

  resources {
    id = var.trigger_instance_id
  }
}

resource "oci_identity_policy" "instance_schedules" {
  provider       = oci.home
  count          = local.instance_mode ? 1 : 0
  compartment_id = var.tenancy_ocid
  name           = "${var.policy_name}-instance-schedules"
  description    = "Lets the two admin-apikey-guard schedules start and stop the trigger instance"
  # Oracle's "Example Policies", Example 2, specific example: manage instance
  # for the schedule principal (see the top of this file).
  statements = [
    for s in concat(oci_resource_scheduler_schedule.instance_start, oci_resource_scheduler_schedule.instance_stop) :
    "Allow any-user to manage instances in compartment id ${local.instance_compartment_id} where all {request.principal.type='resourceschedule', request.principal.id='${s.id}'}"
  ]
  freeform_tags = var.freeform_tags
}

resource "oci_events_rule" "instance_started" {
  count          = local.instance_mode ? 1 : 0
  compartment_id = local.instance_compartment_id
  display_name   = "admin-apikey-guard-on-instance-start"
  description    = "Invokes admin-apikey-guard when the trigger instance has started"
  is_enabled     = true
  condition = jsonencode({
    eventType = ["com.oraclecloud.computeapi.instanceaction.end"]
    data = {
      resourceId        = var.trigger_instance_id
      additionalDetails = { instanceActionType = "start" }
    }
  })
  freeform_tags = var.freeform_tags

  # actions.action, not the deprecated actions.actions (provider schema 8.28.0).
  actions {
    action {
      action_type = "FAAS"
      is_enabled  = true
      function_id = oci_functions_function.this.id
      description = "admin-apikey-guard"
    }
  }

  lifecycle {
    precondition {
      condition     = var.trigger_instance_id != ""
      error_message = "trigger_mode instance_start_event needs trigger_instance_id."
    }
  }
}

# Events delivers to a function as the Events service itself. Oracle, "Events
# and IAM Policies", "Allow the Events Service to Deliver Events to Action
# Resources" (docs.oracle.com/iaas/Content/Events/Concepts/eventspolicy.htm):
# the service principal cloudEvents needs a grant on the action resource; for
# functions the statement is "use functions-family". Scoped to the function's
# compartment; a service grant cannot be narrowed to one rule.
resource "oci_identity_policy" "events_invoke" {
  provider       = oci.home
  count          = local.instance_mode || local.key_event_mode ? 1 : 0
  compartment_id = var.tenancy_ocid
  name           = "${var.policy_name}-events"
  description    = "Lets the Events service invoke functions in the admin-apikey-guard compartment"
  statements = [
    "Allow service cloudEvents to use functions-family in compartment id ${var.compartment_ocid}",
  ]
  freeform_tags = var.freeform_tags
}

# --- direct_schedule: the schedule invokes the function itself ---------------
# Resource Scheduler lists Functions as a supported resource type, with
# START_RESOURCE meaning "invoke". The body is sent explicitly as {} (a BODY
# parameter; the provider takes it as a list of strings, see the provider docs
# for oci_resource_scheduler_schedule, resources.parameters): the function
# reads {} as "run with the configuration". Not verified against a live
# tenancy: see docs/deploy.md.

resource "oci_resource_scheduler_schedule" "function" {
  count              = local.direct_mode ? 1 : 0
  compartment_id     = var.compartment_ocid
  display_name       = "admin-apikey-guard-invoke"
  description        = "Invokes admin-apikey-guard"
  action             = "START_RESOURCE"
  recurrence_type    = "CRON"
  recurrence_details = var.schedule_cron
  freeform_tags      = var.freeform_tags

  resources {
    id = oci_functions_function.this.id

    parameters {
      parameter_type = "BODY"
      value          = [jsonencode({})]
    }
  }
}

resource "oci_identity_policy" "function_schedule" {
  provider       = oci.home
  count          = local.direct_mode ? 1 : 0
  compartment_id = var.tenancy_ocid
  name           = "${var.policy_name}-schedule"
  description    = "Lets the admin-apikey-guard schedule invoke the function"
  # Oracle's "Example Policies", Example 2, with <resource_type> =
  # functions-family (see the top of this file).
  statements = [
    "Allow any-user to manage functions-family in compartment id ${var.compartment_ocid} where all {request.principal.type='resourceschedule', request.principal.id='${oci_resource_scheduler_schedule.function[0].id}'}",
  ]
  freeform_tags = var.freeform_tags
}

# --- key_event_types: run within seconds of a new credential (optional) ------
# A run costs calls per administrator, not per tenancy, so it can also run
# whenever a credential is created; the function is safe under bursts (its
# deletes are idempotent and concurrent runs see "already gone" as done).
# Event type names: the IAM ones (com.oraclecloud.identitycontrolplane.*,
# e.g. ...uploadapikey, ...createauthtoken, ...createcustomersecretkey,
# ...createsmtpcredential, ...createoauthclientcredential) come from a public
# dump of the OCI event catalogue, not from an Oracle page, and no Events type
# for credentials added through an identity domain's own API was found in any
# Oracle source. So the stack ships no default list: the operator copies the
# names from the console's Events rule editor (service Identity) or from the
# Audit record of a test key (docs/deploy.md). The rule sits in the tenancy
# (root compartment): Events rules match events of their compartment and its
# children, and IAM users live in the root. The Events service invokes the
# function under oci_identity_policy.events_invoke above.
resource "oci_events_rule" "credential_created" {
  count          = local.key_event_mode ? 1 : 0
  compartment_id = var.tenancy_ocid
  display_name   = "admin-apikey-guard-on-credential-created"
  description    = "Invokes admin-apikey-guard when a credential is created"
  is_enabled     = true
  condition      = jsonencode({ eventType = var.key_event_types })
  freeform_tags  = var.freeform_tags

  actions {
    action {
      action_type = "FAAS"
      is_enabled  = true
      function_id = oci_functions_function.this.id
      description = "admin-apikey-guard"
    }
  }
}
