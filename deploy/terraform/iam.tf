# The dynamic group matches this one function and nothing else, so the
# tenancy-scope grants below cannot be used by any other resource.
resource "oci_identity_dynamic_group" "fn" {
  compartment_id = var.tenancy_ocid
  name           = var.dynamic_group_name
  description    = "admin-apikey-guard function ${var.function_name}"
  matching_rule  = "ALL {resource.type = 'fnfunc', resource.id = '${oci_functions_function.this.id}'}"
  freeform_tags  = var.freeform_tags
}

locals {
  # Referring to the dynamic group by OCID avoids quoting its name and domain.
  dg = "id ${oci_identity_dynamic_group.fn.id}"

  # Must equal permissions.Render(permissions.Required(features), vars) for
  # every feature combination: internal/deploytest evaluates this expression
  # and fails on any drift. Edit internal/permissions first, then this list.
  policy_statements = concat(
    [
      "Allow dynamic-group ${local.dg} to inspect domains in tenancy",
      "Allow dynamic-group ${local.dg} to inspect compartments in tenancy",
      "Allow dynamic-group ${local.dg} to inspect policies in tenancy",
      "Allow dynamic-group ${local.dg} to inspect groups in tenancy",
      "Allow dynamic-group ${local.dg} to inspect users in tenancy",
      "Allow dynamic-group ${local.dg} to manage users in tenancy where any {request.permission='USER_READ', request.permission='USER_UPDATE', request.permission='USER_APIKEY_REMOVE'}",
    ],
    var.disable_api_key_capability ? [
      "Allow dynamic-group ${local.dg} to manage users in tenancy where request.permission='USER_CAPABILITIES_UPDATE'",
    ] : [],
    local.notifications_enabled ? [
      "Allow dynamic-group ${local.dg} to use ons-topics in compartment id ${local.topic_compartment_id} where request.permission='ONS_TOPIC_PUBLISH'",
    ] : [],
  )
}

resource "oci_identity_policy" "fn" {
  compartment_id = var.tenancy_ocid
  name           = var.policy_name
  description    = "What the admin-apikey-guard function needs, and no more (see README.md, Deploy)"
  statements     = local.policy_statements
  freeform_tags  = var.freeform_tags
}
