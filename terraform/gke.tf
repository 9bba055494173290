# A regional GKE Standard cluster: private nodes, Workload Identity, a release channel, Dataplane
# V2 (which enforces the chart's NetworkPolicies), and two node pools: one only for the gateway
# (tainted; connection-heavy, scaled on sessions) and one for everything else.

resource "google_service_account" "nodes" {
  account_id   = "${var.name}-nodes"
  display_name = "Switchboard GKE nodes"
  depends_on   = [google_project_service.apis]
}

# The minimum a node needs: write logs and metrics, read images (artifact-registry.tf).
resource "google_project_iam_member" "nodes" {
  for_each = toset([
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
  ])
  project = var.project_id
  role    = each.value
  member  = google_service_account.nodes.member
}

resource "google_container_cluster" "main" {
  name     = var.name
  location = var.region

  network    = google_compute_network.main.id
  subnetwork = google_compute_subnetwork.main.id

  # Node pools are managed below; the default one is removed right after creation.
  remove_default_node_pool = true
  initial_node_count       = 1

  deletion_protection = var.deletion_protection
  datapath_provider   = "ADVANCED_DATAPATH"

  release_channel {
    channel = var.release_channel
  }

  workload_identity_config {
    workload_pool = "${var.project_id}.svc.id.goog"
  }

  ip_allocation_policy {
    cluster_secondary_range_name  = "pods"
    services_secondary_range_name = "services"
  }

  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = false
    master_ipv4_cidr_block  = var.network.master_cidr
  }

  master_authorized_networks_config {
    dynamic "cidr_blocks" {
      for_each = var.master_authorized_networks
      content {
        cidr_block   = cidr_blocks.value.cidr
        display_name = cidr_blocks.value.name
      }
    }
  }

  addons_config {
    horizontal_pod_autoscaling {
      disabled = false
    }
    http_load_balancing {
      disabled = false
    }
  }

  maintenance_policy {
    recurring_window {
      start_time = "2024-01-06T02:00:00Z"
      end_time   = "2024-01-06T06:00:00Z"
      recurrence = "FREQ=WEEKLY;BYDAY=SA,SU"
    }
  }

  depends_on = [google_project_service.apis]
}

locals {
  # The gateway pool's label and taint; helm.tf gives the gateway the matching selector and toleration.
  gateway_pool_label = { "switchboard.io/pool" = "gateway" }
}

resource "google_container_node_pool" "pools" {
  for_each = var.node_pools

  name     = each.key
  cluster  = google_container_cluster.main.id
  location = var.region

  autoscaling {
    min_node_count = each.value.min_nodes_per_zone
    max_node_count = each.value.max_nodes_per_zone
  }

  management {
    auto_repair  = true
    auto_upgrade = true
  }

  upgrade_settings {
    max_surge       = 1
    max_unavailable = 0
  }

  node_config {
    machine_type    = each.value.machine_type
    disk_size_gb    = each.value.disk_size_gb
    disk_type       = "pd-balanced"
    spot            = each.value.spot
    service_account = google_service_account.nodes.email
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]
    labels          = { "switchboard.io/pool" = each.key }

    dynamic "taint" {
      for_each = each.key == "gateway" ? [1] : []
      content {
        key    = "switchboard.io/pool"
        value  = "gateway"
        effect = "NO_SCHEDULE"
      }
    }

    workload_metadata_config {
      mode = "GKE_METADATA"
    }

    shielded_instance_config {
      enable_secure_boot          = true
      enable_integrity_monitoring = true
    }
  }
}
