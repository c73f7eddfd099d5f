# IAM resources (dynamic groups, policies) can be created, updated and deleted
# only through the tenancy's home region; any other region answers
# 403 NotAllowed "Please go to your home region ... to execute CREATE, UPDATE
# and DELETE operations" (Oracle, "Managing Regions",
# docs.oracle.com/iaas/Content/Identity/regions/managingregions.htm). The
# function, its logs, topic and triggers live in var.region; everything of IAM
# and of the identity domains goes through the provider alias oci.home.
#
# The home region is the region subscription with is_home_region = true
# (IAM ListRegionSubscriptions, RegionSubscription.IsHomeRegion in the SDK;
# provider schema 8.28.0: data source oci_identity_region_subscriptions,
# attribute region_subscriptions[*].{region_name, is_home_region}). Reading it
# works from any region. A provider configuration may use a data source's
# result as long as it does not depend on a resource of that provider alias
# (no cycle): the data source below uses the default provider.

data "oci_identity_region_subscriptions" "this" {
  tenancy_id = var.tenancy_ocid

  lifecycle {
    postcondition {
      condition     = length([for r in self.region_subscriptions : r if r.is_home_region]) == 1
      error_message = "The tenancy's region subscriptions name no single home region (is_home_region); the identity resources cannot be placed. Check that tenancy_ocid is the tenancy's OCID."
    }
  }
}

locals {
  home_region = one([
    for r in data.oci_identity_region_subscriptions.this.region_subscriptions : r.region_name if r.is_home_region
  ])
}

provider "oci" {
  alias  = "home"
  region = local.home_region
}
