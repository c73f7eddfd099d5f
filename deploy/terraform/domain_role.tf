# Optional: a domain role for the function's dynamic group, which the
# Identity Domains (SCIM) API family needs (IDENTITY_API=scim, or auto with
# secondary-domain groups). IAM policy statements do not reach it.
#
# Oracle, "Assigning a Domain Role" (docs.oracle.com/en-us/iaas/Content/Identity/dynamicgroups/assign-domain-role.htm):
# every dynamic group is associated with the OCI IAM application; assigning
# one of that application's predefined domain roles lets the members of the
# dynamic group act in that identity domain. The console steps are done here
# with the Identity Domains API: a Grant (POST /admin/v1/Grants, "Add a
# Grantee to an AppRole", docs.oracle.com/en/cloud/paas/iam-domains-rest-api/op-admin-v1-grants-post.html)
# of the AppRole to the grantee type DynamicResourceGroup, with
# grantMechanism ADMINISTRATOR_TO_DYNAMIC_RESOURCE_GROUP (the SDK's
# GrantGranteeTypeEnum and GrantGrantMechanismEnum, identitydomains/grant*.go).

# Every lookup and write below goes through oci.home (home_region.tf): the
# identity domains are IAM resources, and the SCIM calls go to idcs_endpoint.

data "oci_identity_domains" "default" {
  provider       = oci.home
  count          = local.domain_role_granted && length(var.domain_role_domain_ids) == 0 ? 1 : 0
  compartment_id = var.tenancy_ocid
  type           = "DEFAULT"
}

data "oci_identity_domain" "role" {
  provider  = oci.home
  for_each  = toset(local.domain_role_granted ? var.domain_role_domain_ids : [])
  domain_id = each.key
}

locals {
  domain_role_needed = var.identity_api == "scim" || (var.identity_api == "auto" && local.secondary_domains)
  # A grant the configuration does not need is never created: with
  # identity_api = "iam" (the form hides grant_domain_role then, so a value
  # ticked earlier would otherwise apply unseen), or auto with Default-domain
  # groups only, the function makes no SCIM call.
  domain_role_granted = var.grant_domain_role && local.domain_role_needed
  # Domain OCID -> its URL and whether it is the Default domain (where the IAM
  # API created oci_identity_dynamic_group.fn) or a secondary one.
  domain_role_domains = !local.domain_role_granted ? {} : length(var.domain_role_domain_ids) > 0 ? {
    for id, d in data.oci_identity_domain.role : id => { url = trimsuffix(d.url, "/"), is_default = d.type == "DEFAULT" }
    } : {
    for d in data.oci_identity_domains.default[0].domains : d.id => { url = trimsuffix(d.url, "/"), is_default = true }
  }
  domain_role_secondary = { for id, d in local.domain_role_domains : id => d if !d.is_default }
  default_domain_url    = join("", [for d in values(local.domain_role_domains) : d.url if d.is_default])
  # SCIM ids of the dynamic groups the Default-domain lookup found (empty when
  # there is no lookup); exactly one is expected, see the grant's precondition.
  default_dynamic_group_ids = flatten([
    for r in data.oci_identity_domains_dynamic_resource_groups.fn : [for g in r.dynamic_resource_groups : g.id]
  ])
}

# The dynamic group created with the IAM API lives in the Default domain; its
# SCIM id is looked up there by name (after it exists).
data "oci_identity_domains_dynamic_resource_groups" "fn" {
  provider                      = oci.home
  count                         = local.default_domain_url != "" ? 1 : 0
  idcs_endpoint                 = local.default_domain_url
  dynamic_resource_group_filter = "displayName eq \"${oci_identity_dynamic_group.fn.name}\""
}

# A domain role is granted to a dynamic group of the same domain, so each
# secondary domain gets its own dynamic group matching only this function.
resource "oci_identity_domains_dynamic_resource_group" "fn" {
  provider      = oci.home
  for_each      = local.domain_role_secondary
  idcs_endpoint = each.value.url
  display_name  = var.dynamic_group_name
  description   = "admin-apikey-guard function ${var.function_name} (domain role holder)"
  matching_rule = oci_identity_dynamic_group.fn.matching_rule
  schemas       = ["urn:ietf:params:scim:schemas:oracle:idcs:DynamicResourceGroup"]
}

# The role is an AppRole of the domain's OCI IAM application (app id IDCSAppId).
data "oci_identity_domains_app_roles" "domain_role" {
  provider        = oci.home
  for_each        = local.domain_role_domains
  idcs_endpoint   = each.value.url
  app_role_filter = "displayName eq \"${var.domain_role_name}\" and app.value eq \"IDCSAppId\""
}

resource "oci_identity_domains_grant" "domain_role" {
  provider        = oci.home
  for_each        = local.domain_role_domains
  idcs_endpoint   = each.value.url
  schemas         = ["urn:ietf:params:scim:schemas:oracle:idcs:Grant"]
  grant_mechanism = "ADMINISTRATOR_TO_DYNAMIC_RESOURCE_GROUP"

  grantee {
    type = "DynamicResourceGroup"
    # one(), not [0]: an empty lookup is reported by the precondition below
    # (Terraform checks preconditions before it evaluates the arguments), and
    # never fails plan or destroy with "Invalid index".
    value = each.value.is_default ? one(local.default_dynamic_group_ids) : oci_identity_domains_dynamic_resource_group.fn[each.key].id
  }

  app {
    value = "IDCSAppId"
  }

  entitlement {
    attribute_name  = "appRoles"
    attribute_value = one(data.oci_identity_domains_app_roles.domain_role[each.key].app_roles[*].id)
  }

  lifecycle {
    precondition {
      condition     = length(data.oci_identity_domains_app_roles.domain_role[each.key].app_roles) == 1
      error_message = "The domain has no single app role named domain_role_name in its OCI IAM application (IDCSAppId)."
    }
    # The dynamic group was created with the IAM API; the Identity Domains API
    # of the Default domain may list it only some time later.
    precondition {
      condition     = each.value.is_default ? length(local.default_dynamic_group_ids) == 1 : true
      error_message = "The Default identity domain does not (yet) list exactly one dynamic group named dynamic_group_name through the Identity Domains API. A dynamic group just created with the IAM API can take a few minutes to appear there: run apply again in a few minutes. If it persists, check in the console (Identity & Security > Domains > Default > Dynamic groups) that exactly one dynamic group has that name, or set grant_domain_role = false and assign the domain role by hand (docs/authorization.md, Domain role)."
    }
  }
}
