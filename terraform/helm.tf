# The Switchboard release (charts/switchboard) wired to what the other files created: images from
# Artifact Registry, Kafka's bootstrap address, the database URLs and the gateway's token secret
# as Kubernetes Secrets, the Workload Identity service accounts, and the gateway pinned to its
# node pool.

resource "kubernetes_namespace_v1" "switchboard" {
  metadata {
    name = var.namespace
    labels = {
      "app.kubernetes.io/part-of" = "switchboard"
    }
  }
  depends_on = [google_container_node_pool.pools]
}

# The Secret the chart reads DATABASE_URL from (values: database.existingSecret, database.keys).
resource "kubernetes_secret_v1" "database" {
  metadata {
    name      = "${var.name}-database"
    namespace = kubernetes_namespace_v1.switchboard.metadata[0].name
  }
  data = {
    GATEWAY_DATABASE_URL  = local.database_urls["gateway"]
    GUILD_DATABASE_URL    = local.database_urls["guild"]
    PRESENCE_DATABASE_URL = local.database_urls["presence"]
    PUSH_DATABASE_URL     = local.database_urls["push"]
  }
}

# The Secret the gateway reads GATEWAY_TOKEN_SECRET from (values: gateway.tokenSecret); the key is
# generated in gateway-token.tf.
resource "kubernetes_secret_v1" "gateway_token" {
  metadata {
    name      = "${var.name}-gateway-token"
    namespace = kubernetes_namespace_v1.switchboard.metadata[0].name
  }
  data = {
    GATEWAY_TOKEN_SECRET = random_password.gateway_token.result
  }
}

locals {
  chart_values = {
    fullnameOverride = var.name
    image = {
      registry = local.image_registry
      tag      = var.image_tag
    }
    kafka = {
      brokers = [local.kafka_bootstrap]
    }
    database = {
      existingSecret = kubernetes_secret_v1.database.metadata[0].name
    }
    metrics = {
      serviceMonitor = { enabled = var.prometheus_operator }
      prometheusRule = { enabled = var.prometheus_operator }
      dashboards     = { enabled = var.prometheus_operator }
    }
    gateway = {
      publicUrl = var.gateway_public_url
      tokenSecret = {
        existingSecret = kubernetes_secret_v1.gateway_token.metadata[0].name
        key            = "GATEWAY_TOKEN_SECRET"
      }
      maxSessions   = var.gateway_max_sessions
      publicService = { type = var.gateway_public_service_type }
      nodeSelector  = local.gateway_pool_label
      tolerations = [{
        key      = "switchboard.io/pool"
        operator = "Equal"
        value    = "gateway"
        effect   = "NoSchedule"
      }]
    }
  }

  # Per service: the Kubernetes ServiceAccount name Workload Identity is bound to, and its annotation.
  service_account_values = {
    for s in local.services : s => {
      serviceAccount = {
        create = true
        name   = local.ksa_names[s]
        annotations = {
          "iam.gke.io/gcp-service-account" = google_service_account.services[s].email
        }
      }
    }
  }
}

resource "helm_release" "switchboard" {
  name      = var.name
  namespace = kubernetes_namespace_v1.switchboard.metadata[0].name
  chart     = "${path.module}/../charts/switchboard"

  # Later values win: the wiring above, then each service's account, then the caller's overrides.
  values = compact([
    yamlencode(local.chart_values),
    yamlencode(local.service_account_values),
    var.helm_values,
  ])

  atomic          = true
  cleanup_on_fail = true
  wait            = true
  # Rolling four Deployments with maxUnavailable 0; the gateway's grace period alone is 120 s.
  timeout = 900

  depends_on = [
    google_managed_kafka_topic.topics,
    google_service_account_iam_member.workload_identity,
    google_project_iam_member.kafka_client,
    google_artifact_registry_repository_iam_member.nodes_read,
  ]
}
