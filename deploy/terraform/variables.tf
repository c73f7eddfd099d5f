# Resource Manager sets tenancy_ocid, region and compartment_ocid itself.

variable "tenancy_ocid" {
  description = "OCID of the tenancy. The dynamic group, the policies and the optional credential-event rule live here, because deleting administrators' API keys needs a tenancy-scope grant."
  type        = string

  validation {
    condition     = can(regex("^ocid1\\.tenancy\\.", var.tenancy_ocid))
    error_message = "tenancy_ocid must be a tenancy OCID (ocid1.tenancy....)."
  }
}

variable "region" {
  description = "Region of the function, its log, topic and triggers, e.g. eu-frankfurt-1. IAM objects (dynamic group, policies, domain-role grant) are created through the tenancy's home region whatever this is (home_region.tf)."
  type        = string
}

variable "compartment_ocid" {
  description = "Compartment for the Functions application, the function, its log group and invoke log, the optional topic, the schedules and the instance-start events rule."
  type        = string
}

variable "subnet_ids" {
  description = "OCIDs of the subnets the Functions application uses. The subnet needs a route to the IAM, Identity Domains and Notifications endpoints (service gateway or NAT gateway)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) > 0
    error_message = "At least one subnet OCID is required."
  }
}

variable "application_name" {
  description = "Display name of the Functions application."
  type        = string
  default     = "admin-apikey-guard"
}

variable "application_shape" {
  description = "Functions application shape. The image is built for amd64 and arm64, so GENERIC_X86_ARM lets OCI pick either."
  type        = string
  default     = "GENERIC_X86_ARM"

  validation {
    condition     = contains(["GENERIC_X86", "GENERIC_ARM", "GENERIC_X86_ARM"], var.application_shape)
    error_message = "application_shape must be GENERIC_X86, GENERIC_ARM or GENERIC_X86_ARM."
  }
}

variable "function_name" {
  description = "Display name of the function."
  type        = string
  default     = "admin-apikey-guard"
}

variable "function_image" {
  description = "Full Container Registry image reference of the function, with a tag or digest: <region-key or region-identifier>.ocir.io/<namespace>/<repo>:<tag> (realm OC1), or artifacts.<region-identifier>.oci.<realm domain>/<namespace>/<repo>:<tag> (every realm)."
  type        = string

  # The endpoint forms Oracle lists per region in "Preparing for Container
  # Registry" (docs.oracle.com/iaas/Content/Registry/Concepts/registryprerequisites.htm):
  # https://<region-identifier>.ocir.io and https://<region-key>.ocir.io (OC1
  # realm only), https://artifacts.<region-identifier>.oci.<realm domain>.
  # schema.yaml's pattern is the same expression (internal/deploytest checks).
  validation {
    condition     = can(regex("^([a-z0-9-]+\\.ocir\\.io|artifacts\\.[a-z0-9-]+\\.oci\\.[a-z0-9.-]+)/.+:.+$", var.function_image))
    error_message = "function_image must be a Container Registry image with a tag, e.g. fra.ocir.io/<namespace>/admin-apikey-guard:0.1.0 or artifacts.eu-frankfurt-1.oci.oraclecloud.com/<namespace>/admin-apikey-guard:0.1.0."
  }
}

variable "function_memory_mb" {
  description = "Memory limit of the function in MB."
  type        = number
  default     = 256

  validation {
    condition     = contains([128, 256, 512, 1024, 2048, 3072], var.function_memory_mb)
    error_message = "function_memory_mb must be one of 128, 256, 512, 1024, 2048, 3072 (the values OCI Functions accepts)."
  }
}

variable "function_timeout_seconds" {
  description = "Timeout of one invocation in seconds (OCI Functions allows at most 300)."
  type        = number
  default     = 300

  validation {
    condition     = var.function_timeout_seconds >= 5 && var.function_timeout_seconds <= 300
    error_message = "function_timeout_seconds must be between 5 and 300."
  }
}

variable "admin_groups" {
  description = "ADMIN_GROUPS: comma list of admin groups; a bare name is a group of the Default identity domain, Domain/Group names another domain's group."
  type        = string
  default     = "Administrators"
}

variable "dry_run" {
  description = "DRY_RUN: when true the function only reports which keys it would delete. Deploy with true first, read the report, then set false."
  type        = bool
  default     = true
}

variable "exempt_users" {
  description = "EXEMPT_USERS: comma list (commas only, no spaces inside an entry) of user OCIDs or user names whose keys are kept (break-glass accounts). Each entry must name an administrator of the enforced groups, or every run stops with status error and changes nothing."
  type        = string
  default     = ""
}

variable "disable_api_key_capability" {
  description = "DISABLE_API_KEY_CAPABILITY: also set canUseApiKeys=false on every admin. Adds one policy statement."
  type        = bool
  default     = false
}

variable "admin_credentials" {
  description = "ADMIN_CREDENTIALS: api-keys (the default, what the CIS benchmark asks) or all (also auth tokens, customer secret keys, SMTP, OAuth 2.0 client and DB credentials). all adds one policy statement per kind (IAM family)."
  type        = string
  default     = "api-keys"
  validation {
    condition     = contains(["api-keys", "all"], var.admin_credentials)
    error_message = "admin_credentials must be api-keys or all (the function itself also takes a comma list; set it with fn config)."
  }
}

variable "disable_capabilities" {
  description = "DISABLE_CAPABILITIES: comma list of credential kinds (or all) whose canUse… capability is set to false on admins. Adds the same policy statement as disable_api_key_capability."
  type        = string
  default     = ""
}

variable "include_policy_admins" {
  description = "INCLUDE_POLICY_ADMINS: also treat groups granted manage all-resources in tenancy by a policy as admin groups (they are reported either way)."
  type        = bool
  default     = false
}

variable "include_escalation_admins" {
  description = "INCLUDE_ESCALATION_ADMINS: also treat the members of groups with an unconditional, documented escalation path (manage policies, use users + use groups, manage users, manage domains in tenancy) as admins (the paths are reported either way)."
  type        = bool
  default     = false
}

variable "finding_reminder" {
  description = "FINDING_REMINDER: how often a run whose only news is an unchanged, unenforced policy-admin group notifies: weekly, daily or always."
  type        = string
  default     = "weekly"

  validation {
    condition     = contains(["weekly", "daily", "always"], var.finding_reminder)
    error_message = "finding_reminder must be weekly, daily or always."
  }
}

variable "identity_domain_url" {
  description = "IDENTITY_DOMAIN_URL: URL of the Default identity domain (used with identity_api = scim); empty means the function discovers it with ListDomains. When set, the function checks it against the Default domain's URL from ListDomains: another domain's URL is a configuration error, nothing changed."
  type        = string
  default     = ""

  validation {
    condition     = var.identity_domain_url == "" || can(regex("^https://", var.identity_domain_url))
    error_message = "identity_domain_url must be empty or an https:// URL."
  }
}

variable "notification_topic_id" {
  description = "OCID of an existing ONS topic to publish run summaries to (NOTIFICATION_TOPIC_ID). Leave empty to create one with create_notification_topic, or for no notifications."
  type        = string
  default     = ""

  # The same rule as the form's pattern (schema.yaml).
  validation {
    condition     = can(regex("^(ocid1\\.onstopic\\..+)?$", var.notification_topic_id))
    error_message = "notification_topic_id must be empty or a topic OCID (ocid1.onstopic....)."
  }
}

variable "notification_topic_compartment_ocid" {
  description = "Compartment of the existing topic in notification_topic_id; empty means compartment_ocid. The publish grant is scoped to this compartment."
  type        = string
  default     = ""
}

variable "create_notification_topic" {
  description = "Create an ONS topic for run summaries in compartment_ocid and configure the function to publish to it."
  type        = bool
  default     = false
}

variable "notification_topic_name" {
  description = "Name of the topic created when create_notification_topic is true (unique in the tenancy)."
  type        = string
  default     = "admin-apikey-guard"
}

variable "notification_email" {
  description = "E-mail address subscribed to the created topic (needs create_notification_topic = true; refused otherwise); empty means no subscription. The address must confirm the subscription."
  type        = string
  default     = ""

  validation {
    condition     = var.notification_email == "" || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.notification_email))
    error_message = "notification_email must be empty or one e-mail address."
  }
}

variable "trigger_mode" {
  description = "How the function is started: instance_start_event (a schedule starts and stops an instance, an events rule invokes the function when it starts), direct_schedule (a schedule invokes the function) or none (fn invoke only)."
  type        = string
  default     = "direct_schedule"

  validation {
    condition     = contains(["instance_start_event", "direct_schedule", "none"], var.trigger_mode)
    error_message = "trigger_mode must be instance_start_event, direct_schedule or none."
  }
}

variable "schedule_cron" {
  description = "direct_schedule: UNIX cron expression (UTC) on which the function is invoked."
  type        = string
  default     = "0 0 * * *"

  # Resource Scheduler takes "UNIX cron formatting" when recurrence_type is
  # CRON (SDK resourcescheduler.CreateScheduleDetails.RecurrenceDetails):
  # five fields, minute hour day-of-month month day-of-week, each of digits,
  # names (JAN, MON), *, ranges, lists and steps. Quartz forms (a seconds
  # field, ?, #) are refused here rather than by the service at apply.
  validation {
    condition     = can(regex("^[0-9A-Za-z*,/-]+( [0-9A-Za-z*,/-]+){4}$", var.schedule_cron))
    error_message = "schedule_cron must be a UNIX cron expression of five fields (minute hour day-of-month month day-of-week, UTC), e.g. 0 0 * * *."
  }
}

variable "trigger_instance_id" {
  description = "instance_start_event: OCID of the instance the schedule starts and stops; its start invokes the function."
  type        = string
  default     = ""

  validation {
    condition     = var.trigger_instance_id == "" || can(regex("^ocid1\\.instance\\.", var.trigger_instance_id))
    error_message = "trigger_instance_id must be empty or an instance OCID."
  }
}

variable "trigger_instance_compartment_ocid" {
  description = "instance_start_event: compartment of trigger_instance_id; empty means compartment_ocid. The events rule and the schedules' grant are scoped to it."
  type        = string
  default     = ""
}

variable "instance_start_cron" {
  description = "instance_start_event: UNIX cron expression (UTC) on which the instance is started."
  type        = string
  default     = "0 0 * * *"

  # Resource Scheduler takes "UNIX cron formatting" when recurrence_type is
  # CRON (SDK resourcescheduler.CreateScheduleDetails.RecurrenceDetails):
  # five fields, minute hour day-of-month month day-of-week, each of digits,
  # names (JAN, MON), *, ranges, lists and steps. Quartz forms (a seconds
  # field, ?, #) are refused here rather than by the service at apply.
  validation {
    condition     = can(regex("^[0-9A-Za-z*,/-]+( [0-9A-Za-z*,/-]+){4}$", var.instance_start_cron))
    error_message = "instance_start_cron must be a UNIX cron expression of five fields (minute hour day-of-month month day-of-week, UTC), e.g. 0 0 * * *."
  }
}

variable "instance_stop_cron" {
  description = "instance_start_event: UNIX cron expression (UTC) on which the instance is stopped again."
  type        = string
  default     = "10 0 * * *"

  # Resource Scheduler takes "UNIX cron formatting" when recurrence_type is
  # CRON (SDK resourcescheduler.CreateScheduleDetails.RecurrenceDetails):
  # five fields, minute hour day-of-month month day-of-week, each of digits,
  # names (JAN, MON), *, ranges, lists and steps. Quartz forms (a seconds
  # field, ?, #) are refused here rather than by the service at apply.
  validation {
    condition     = can(regex("^[0-9A-Za-z*,/-]+( [0-9A-Za-z*,/-]+){4}$", var.instance_stop_cron))
    error_message = "instance_stop_cron must be a UNIX cron expression of five fields (minute hour day-of-month month day-of-week, UTC), e.g. 0 0 * * *."
  }
}

variable "dynamic_group_name" {
  description = "Name of the dynamic group that matches exactly this function (created in the Default identity domain)."
  type        = string
  default     = "admin-apikey-guard-fn"
}

variable "policy_name" {
  description = "Name of the tenancy policy that grants the function what it needs."
  type        = string
  default     = "admin-apikey-guard-fn"
}

variable "freeform_tags" {
  description = "Free-form tags applied to every resource the stack creates."
  type        = map(string)
  default     = {}
}

variable "delete_concurrency" {
  description = "DELETE_CONCURRENCY: parallel writes to the Identity API (1-32); 8 was chosen from the benchmark curve."
  type        = number
  default     = 8

  validation {
    condition     = var.delete_concurrency >= 1 && var.delete_concurrency <= 32
    error_message = "delete_concurrency must be between 1 and 32."
  }
}

variable "identity_api" {
  description = "IDENTITY_API: which identity API family the function uses. auto: the IAM API for groups of the Default domain (authorized by the IAM policy), SCIM for groups of secondary domains (needs the domain role); iam: the IAM API only (Default domain groups only); scim: everything through the Identity Domains (SCIM) API (needs the domain role in every domain it reads)."
  type        = string
  default     = "auto"

  validation {
    condition     = contains(["auto", "iam", "scim"], var.identity_api)
    error_message = "identity_api must be auto, iam or scim."
  }
}

variable "grant_domain_role" {
  description = "Grant domain_role_name to the function's dynamic group in each identity domain of domain_role_domain_urls (the Default domain when empty). Needed for identity_api = scim, or auto with secondary-domain groups in admin_groups. Off by default: it is a strong grant."
  type        = bool
  default     = false
}

variable "domain_role_name" {
  description = "The identity domain administrator role granted to the dynamic group (an app role of the domain's OCI IAM application, IDCSAppId). Identity Domain Administrator is the only documented role that can act on users who themselves hold it (the members of Administrators)."
  type        = string
  default     = "Identity Domain Administrator"

  # The predefined administrator roles of an identity domain ("Understanding
  # Administrator Roles", docs.oracle.com/iaas/Content/Identity/roles/understand-administrator-roles.htm).
  validation {
    condition = contains([
      "Identity Domain Administrator",
      "Security Administrator",
      "Application Administrator",
      "User Administrator",
      "User Manager",
      "Help Desk Administrator",
      "Audit Administrator",
    ], var.domain_role_name)
    error_message = "domain_role_name must be one of Oracle's identity domain administrator roles: Identity Domain Administrator, Security Administrator, Application Administrator, User Administrator, User Manager, Help Desk Administrator, Audit Administrator."
  }
}

variable "domain_role_domain_ids" {
  description = "OCIDs of the identity domains in which the dynamic group gets the domain role; empty means the Default domain only. In a secondary domain the stack also creates a dynamic group with the same matching rule, because a domain role is granted to a dynamic group of that domain."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for d in var.domain_role_domain_ids : can(regex("^ocid1\\.domain\\.", d))])
    error_message = "domain_role_domain_ids must be identity domain OCIDs (ocid1.domain....)."
  }
}

variable "vcn_ocid" {
  description = "Resource Manager form only: the VCN whose subnets the subnet picker lists (the picker needs one). Terraform itself does not use it."
  type        = string
  default     = ""
}
variable "identity_rate_limit" {
  description = "IDENTITY_RATE_LIMIT: requests per second per identity domain; 2.5 (150/min) fits the Free domain type, see OCI docs \"API Rate Limits\"; 0 = no pacing."
  type        = number
  default     = 2.5

  validation {
    condition     = var.identity_rate_limit >= 0 && var.identity_rate_limit <= 100
    error_message = "identity_rate_limit must be from 0 (no pacing) to 100."
  }
}

variable "key_event_types" {
  description = "Optional: Events event types (e.g. com.oraclecloud.identitycontrolplane.uploadapikey) on which the function also runs, within seconds of a new credential instead of at the next scheduled run. Empty (the default) creates no rule. Read the exact names in the console's Events rule editor (service Identity) or in the Audit record of a test key; see docs/deploy.md."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for t in var.key_event_types : can(regex("^com\\.oraclecloud\\.[a-z0-9]+(\\.[a-z0-9]+)+$", t))])
    error_message = "key_event_types must be Events event types, com.oraclecloud.<service>.<event> in lower case (e.g. com.oraclecloud.identitycontrolplane.uploadapikey)."
  }
}
