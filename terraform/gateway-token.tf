# The gateway's token signing key (GATEWAY_TOKEN_SECRET): an HMAC key every gateway instance and
# the mint-token CLI share. Generated here like the database passwords, kept in Secret Manager (the
# source of truth for people and tools) and handed to the pods through the Kubernetes Secret in
# helm.tf. It is also in the Terraform state: keep the state bucket private.
#
# Rotating it (terraform apply -replace=random_password.gateway_token) invalidates every token
# already issued: clients must log in again.

resource "random_password" "gateway_token" {
  # 64 alphanumerics, about 380 bits; the gateway requires at least 32 characters.
  length  = 64
  special = false
}

resource "google_secret_manager_secret" "gateway_token" {
  secret_id = "${var.name}-gateway-token-secret"
  replication {
    auto {}
  }
  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret_version" "gateway_token" {
  secret      = google_secret_manager_secret.gateway_token.id
  secret_data = random_password.gateway_token.result
}
