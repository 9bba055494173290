# Google Cloud Managed Service for Apache Kafka: one cluster reachable from the VPC subnet, and the
# topics the services use, each with its dead-letter topic (<topic>.dlq, same partition count —
# the services' topic admin refuses a topic whose partition count differs from its spec, so keep
# var.kafka.partitions equal to the counts in the services' code).
#
# Clients connect with TLS + SASL (OAUTHBEARER with the pod's Workload Identity, or PLAIN) on
# port 9092; iam.tf grants each service roles/managedkafka.client.

resource "google_managed_kafka_cluster" "main" {
  cluster_id = var.name
  location   = var.region

  capacity_config {
    vcpu_count   = var.kafka.vcpu_count
    memory_bytes = var.kafka.memory_gib * 1024 * 1024 * 1024
  }

  gcp_config {
    access_config {
      network_configs {
        subnet = "projects/${var.project_id}/regions/${var.region}/subnetworks/${google_compute_subnetwork.main.name}"
      }
    }
  }

  rebalance_config {
    mode = "AUTO_REBALANCE_ON_SCALE_UP"
  }

  depends_on = [google_project_service.apis]
}

locals {
  # Every topic and its dead-letter twin, with the partition count of the original.
  kafka_topics = merge(
    var.kafka.partitions,
    { for topic, partitions in var.kafka.partitions : "${topic}.dlq" => partitions },
  )

  # The documented bootstrap name (port 9092 = SASL over TLS) unless overridden.
  kafka_bootstrap = (
    var.kafka.bootstrap_address != ""
    ? var.kafka.bootstrap_address
    : "bootstrap.${google_managed_kafka_cluster.main.cluster_id}.${var.region}.managedkafka.${var.project_id}.cloud.goog:9092"
  )
}

resource "google_managed_kafka_topic" "topics" {
  for_each = local.kafka_topics

  cluster            = google_managed_kafka_cluster.main.cluster_id
  location           = var.region
  topic_id           = each.key
  partition_count    = each.value
  replication_factor = 3

  configs = {
    # Producers use acks=all: a record is durable once two of three replicas have it.
    "min.insync.replicas" = "2"
    "retention.ms"        = endswith(each.key, ".dlq") ? tostring(14 * 24 * 3600 * 1000) : tostring(7 * 24 * 3600 * 1000)
  }
}
