output "function_id" {
  description = "OCID of the function."
  value       = oci_functions_function.this.id
}

output "invoke_command" {
  description = "Run the function once by hand (empty body = use the function config; --body '{\"dryRun\": true}' forces a dry run)."
  value       = "oci fn function invoke --function-id ${oci_functions_function.this.id} --file - --body ''"
}

output "fn_invoke_command" {
  description = "The same with the fn CLI, for a context pointing at this region and compartment."
  value       = "fn invoke ${var.application_name} ${var.function_name}"
}

output "policy_statements" {
  description = "The statements granted to the function's dynamic group."
  value       = local.policy_statements
}

output "dynamic_group_id" {
  description = "OCID of the dynamic group that matches the function."
  value       = oci_identity_dynamic_group.fn.id
}

output "domain_role" {
  description = "Whether the chosen identity_api and admin_groups need a domain role for the dynamic group, and where the stack granted one."
  value = {
    needed     = local.domain_role_needed
    role       = local.domain_role_granted ? var.domain_role_name : ""
    granted_in = keys(local.domain_role_domains)
    note = (local.domain_role_needed && !var.grant_domain_role
      ? "SCIM calls will be refused until the dynamic group holds a domain role (grant_domain_role = true, or assign it in the console)."
      : var.grant_domain_role && !local.domain_role_needed
      ? "grant_domain_role is set, but identity_api and admin_groups make no SCIM call: no role was granted."
    : "")
  }
}

output "home_region" {
  description = "The tenancy's home region, where the stack created the dynamic group, the policies and the domain-role grant."
  value       = local.home_region
}

output "invoke_log_id" {
  description = "OCID of the function application's invoke log (Logging), where every run writes its log lines (slog JSON on stderr), among them one \"summary\" line: status, mode, counts, API calls, duration, errors."
  value       = oci_logging_log.invoke.id
}

output "log_search" {
  description = "Logging search (Observability & Management > Logging > Search, Advanced mode) that lists each run's summary line, newest first."
  value       = "search \"${var.compartment_ocid}/${oci_logging_log_group.this.id}/${oci_logging_log.invoke.id}\" | where data.message = '*\"msg\":\"summary\"*' | sort by datetime desc"
}
