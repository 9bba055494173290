# Google providers act on var.project_id / var.region; the Kubernetes and Helm providers talk to
# the cluster created in gke.tf with the caller's own Google credentials (no kubeconfig file).

provider "google" {
  project = var.project_id
  region  = var.region
  default_labels = merge(var.labels, {
    app = "switchboard"
  })
}

provider "google-beta" {
  project = var.project_id
  region  = var.region
  default_labels = merge(var.labels, {
    app = "switchboard"
  })
}

data "google_client_config" "current" {}

locals {
  cluster_endpoint = "https://${google_container_cluster.main.endpoint}"
  cluster_ca       = base64decode(google_container_cluster.main.master_auth[0].cluster_ca_certificate)
}

provider "kubernetes" {
  host                   = local.cluster_endpoint
  token                  = data.google_client_config.current.access_token
  cluster_ca_certificate = local.cluster_ca
}

provider "helm" {
  kubernetes = {
    host                   = local.cluster_endpoint
    token                  = data.google_client_config.current.access_token
    cluster_ca_certificate = local.cluster_ca
  }
}
