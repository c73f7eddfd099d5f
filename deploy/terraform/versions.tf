terraform {
  required_version = ">= 1.3"

  required_providers {
    oci = {
      source = "oracle/oci"
      # oci_resource_scheduler_schedule and the functions application shape
      # need a 6.x provider.
      version = ">= 6.0.0"
    }
  }
}

# In Resource Manager the provider authenticates as the user running the job;
# tenancy_ocid and region are filled in by the stack.
provider "oci" {
  region = var.region
}
