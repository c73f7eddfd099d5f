terraform {
  # Terraform 1.3: optional object attributes are not used; 1.3 is the oldest
  # release whose language covers everything here (preconditions need 1.2).
  required_version = ">= 1.3"

  required_providers {
    oci = {
      source = "oracle/oci"
      # The floor is the provider release whose schema this stack is checked
      # against (internal/deploytest reads ../shared/oci-provider-schema/
      # oracle-oci-8.28.0.json). Oracle's changelog puts Resource Scheduler
      # (oci_resource_scheduler_schedule) in 6.1.0, but the stack also uses
      # the events rule's actions.action block (the older actions.actions is
      # deprecated in 8.28.0), the schedule's resources.parameters block and
      # the identity-domains grant, app-role and dynamic-resource-group types;
      # the release that introduced actions.action could not be established
      # from the provider's published docs, so no older floor is claimed.
      version = ">= 8.28.0"
    }
  }
}

# In Resource Manager the provider authenticates as the user running the job;
# tenancy_ocid and region are filled in by the stack.
provider "oci" {
  region = var.region
}
