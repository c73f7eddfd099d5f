# Two ways to run the function on a timetable, chosen by var.trigger_mode.
# Resource Scheduler schedules act as their own principal
# (request.principal.type='resourceschedule'); each gets a grant limited to its
# own OCID ("Resource Scheduler: Example Policies" in the OCI documentation).

locals {
  instance_mode           = var.trigger_mode == "instance_start_event"
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
  count          = local.instance_mode ? 1 : 0
  compartment_id = var.tenancy_ocid
  name           = "${var.policy_name}-instance-schedules"
  description    = "Lets the two admin-apikey-guard schedules start and stop the trigger instance"
  # use instances includes INSTANCE_POWER_ACTIONS (InstanceAction); the OCI
  # example grants manage, which is more than start/stop needs.
  statements = [
    for s in concat(oci_resource_scheduler_schedule.instance_start, oci_resource_scheduler_schedule.instance_stop) :
    "Allow any-user to use instances in compartment id ${local.instance_compartment_id} where all {request.principal.type='resourceschedule', request.principal.id='${s.id}'}"
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

  actions {
    actions {
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

# --- direct_schedule: the schedule invokes the function itself ---------------
# Resource Scheduler lists Functions as a supported resource type, with
# START_RESOURCE meaning "invoke" (empty body, so the function runs with its
# config). Not verified against a live tenancy: see README.md, Deploy.

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
  }
}

resource "oci_identity_policy" "function_schedule" {
  count          = local.direct_mode ? 1 : 0
  compartment_id = var.tenancy_ocid
  name           = "${var.policy_name}-schedule"
  description    = "Lets the admin-apikey-guard schedule invoke the function"
  # fn-invocation (use) is FN_INVOCATION, i.e. InvokeFunction only.
  statements = [
    "Allow any-user to use fn-invocation in compartment id ${var.compartment_ocid} where all {request.principal.type='resourceschedule', request.principal.id='${oci_resource_scheduler_schedule.function[0].id}'}",
  ]
  freeform_tags = var.freeform_tags
}
