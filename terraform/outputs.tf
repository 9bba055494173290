output "cluster_name" {
  description = "GKE cluster name (gcloud container clusters get-credentials <name> --region <region>)."
  value       = google_container_cluster.main.name
}

output "cluster_endpoint" {
  description = "GKE control plane endpoint."
  value       = google_container_cluster.main.endpoint
  sensitive   = true
}

output "image_registry" {
  description = "Where to push the images: <registry>/switchboard-<service>:<tag>."
  value       = local.image_registry
}

output "kafka_bootstrap" {
  description = "Kafka bootstrap host:port the services connect to (TLS + SASL)."
  value       = local.kafka_bootstrap
}

output "kafka_topics" {
  description = "Topics created, with their partition counts."
  value       = { for name, t in google_managed_kafka_topic.topics : name => t.partition_count }
}

output "database_private_ip" {
  description = "Private IP of the Cloud SQL instance."
  value       = google_sql_database_instance.main.private_ip_address
}

output "database_url_secrets" {
  description = "Secret Manager secrets holding each service's DATABASE_URL."
  value       = { for db, s in google_secret_manager_secret.database_url : db => s.id }
}

output "gateway_token_secret" {
  description = "Secret Manager secret holding the gateway's token signing key (GATEWAY_TOKEN_SECRET; the mint-token CLI needs it too)."
  value       = google_secret_manager_secret.gateway_token.id
}

output "service_accounts" {
  description = "Google service account of each service (Workload Identity)."
  value       = { for s, sa in google_service_account.services : s => sa.email }
}

output "namespace" {
  description = "Kubernetes namespace of the release."
  value       = helm_release.switchboard.namespace
}
