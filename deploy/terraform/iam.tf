# The dynamic group matches this one function and nothing else, so the
# tenancy-scope grants below cannot be used by any other resource.
resource "oci_identity_dynamic_group" "fn" {
  provider       = oci.home # IAM writes: home region only (home_region.tf)
  compartment_id = var.tenancy_ocid
  name           = var.dynamic_group_name
  description    = "admin-apikey-guard function ${var.function_name}"
  matching_rule  = "ALL {resource.type = 'fnfunc', resource.id = '${oci_functions_function.this.id}'}"
  freeform_tags  = var.freeform_tags
}

locals {
  # Referring to the dynamic group by OCID avoids quoting its name and domain.
  dg = "id ${oci_identity_dynamic_group.fn.id}"

  # Secondary identity domains may be involved (permissions.Features.SecondaryDomains): an
  # admin group written Domain/Name outside the Default domain, or policy-derived admin
  # groups (INCLUDE_POLICY_ADMINS, INCLUDE_ESCALATION_ADMINS), which a policy may name in any domain.
  secondary_domains = var.include_policy_admins || var.include_escalation_admins || length([
    for g in split(",", var.admin_groups) : g
    if length(regexall("/", g)) > 0 && lower(trimspace(split("/", g)[0])) != "default"
  ]) > 0

  # The statements are generated from internal/permissions into
  # permissions_generated.tf, one list per feature combination; this key picks
  # the list. internal/deploytest evaluates it for every combination and
  # compares it with permissions.Render(permissions.Required(features)).
  permission_key = join(",", [
    "identity_api=${var.identity_api}",
    "secondary_domains=${local.secondary_domains}",
    "disable_api_key_capability=${var.disable_api_key_capability || trimspace(var.disable_capabilities) != ""}",
    "notifications=${local.notifications_enabled}",
    "admin_credentials=${var.admin_credentials}",
  ])
  policy_statements = local.permission_statements[local.permission_key]
}

resource "oci_identity_policy" "fn" {
  provider       = oci.home
  compartment_id = var.tenancy_ocid
  name           = var.policy_name
  description    = "What the admin-apikey-guard function needs, and no more (see docs/authorization.md)"
  statements     = local.policy_statements
  freeform_tags  = var.freeform_tags
}
