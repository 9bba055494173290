# One Google service account per service, bound to that service's Kubernetes ServiceAccount with
# Workload Identity (the chart annotates each KSA with iam.gke.io/gcp-service-account), holding
# only what the service needs: every service produces to or consumes from Managed Kafka.
# (Cloud SQL is reached on its private IP with a password, which needs no IAM role.)

locals {
  services = toset(["gateway", "guild", "presence", "push"])
  # Kubernetes ServiceAccount of each service; helm.tf sets the chart's names to these.
  ksa_names = { for s in local.services : s => "${var.name}-${s}" }
}

resource "google_service_account" "services" {
  for_each     = local.services
  account_id   = "${var.name}-${each.key}"
  display_name = "Switchboard ${each.key}"
  depends_on   = [google_project_service.apis]
}

resource "google_service_account_iam_member" "workload_identity" {
  for_each           = local.services
  service_account_id = google_service_account.services[each.key].name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${var.project_id}.svc.id.goog[${var.namespace}/${local.ksa_names[each.key]}]"
  # The pool exists once the cluster does.
  depends_on = [google_container_cluster.main]
}

resource "google_project_iam_member" "kafka_client" {
  for_each = local.services
  project  = var.project_id
  role     = "roles/managedkafka.client"
  member   = google_service_account.services[each.key].member
}
