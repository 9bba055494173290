# Inputs, typed, described and validated. Only project_id is required; the rest default to a
# small production-shaped deployment in one region.

variable "project_id" {
  type        = string
  description = "Google Cloud project that hosts everything."
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a Google Cloud project id (6-30 lowercase letters, digits, hyphens)."
  }
}

variable "region" {
  type        = string
  description = "Region of the cluster, Kafka, Cloud SQL and Artifact Registry (e.g. europe-west1)."
  default     = "europe-west1"
  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]$", var.region))
    error_message = "region must look like europe-west1 or us-central1."
  }
}

variable "name" {
  type        = string
  description = "Prefix of every resource name, and the Helm release name."
  default     = "switchboard"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,19}$", var.name))
    error_message = "name must be 3-20 lowercase letters, digits or hyphens, starting with a letter (service account ids are <name>-<service>, at most 30)."
  }
}

variable "labels" {
  type        = map(string)
  description = "Labels added to every Google Cloud resource."
  default     = {}
}

variable "network" {
  type = object({
    subnet_cidr   = string
    pods_cidr     = string
    services_cidr = string
    master_cidr   = string
  })
  description = "IPv4 ranges: the node subnet, its secondary ranges for pods and Services, and the /28 of the GKE control plane."
  default = {
    subnet_cidr   = "10.10.0.0/20"
    pods_cidr     = "10.64.0.0/14"
    services_cidr = "10.20.0.0/20"
    master_cidr   = "172.16.0.0/28"
  }
  validation {
    condition     = alltrue([for c in values(var.network) : can(cidrhost(c, 0))])
    error_message = "Every network range must be a valid IPv4 CIDR."
  }
  validation {
    condition     = endswith(var.network.master_cidr, "/28")
    error_message = "network.master_cidr must be a /28."
  }
}

variable "master_authorized_networks" {
  type = list(object({
    cidr = string
    name = string
  }))
  description = "CIDRs allowed to reach the GKE API endpoint (your office/VPN, CI runners). Empty: only from inside the VPC."
  default     = []
  validation {
    condition     = alltrue([for n in var.master_authorized_networks : can(cidrhost(n.cidr, 0))])
    error_message = "Every master_authorized_networks[].cidr must be a valid IPv4 CIDR."
  }
}

variable "release_channel" {
  type        = string
  description = "GKE release channel."
  default     = "REGULAR"
  validation {
    condition     = contains(["RAPID", "REGULAR", "STABLE"], var.release_channel)
    error_message = "release_channel must be RAPID, REGULAR or STABLE."
  }
}

variable "node_pools" {
  type = map(object({
    machine_type       = string
    min_nodes_per_zone = number
    max_nodes_per_zone = number
    disk_size_gb       = number
    spot               = bool
  }))
  description = "The two node pools: gateway (tainted, only the gateway runs there) and general (guild, presence, push, system pods)."
  default = {
    gateway = { machine_type = "n2-standard-4", min_nodes_per_zone = 1, max_nodes_per_zone = 10, disk_size_gb = 50, spot = false }
    general = { machine_type = "n2-standard-4", min_nodes_per_zone = 1, max_nodes_per_zone = 5, disk_size_gb = 50, spot = false }
  }
  validation {
    condition     = toset(keys(var.node_pools)) == toset(["gateway", "general"])
    error_message = "node_pools must have exactly the keys gateway and general."
  }
  validation {
    condition     = alltrue([for p in values(var.node_pools) : p.min_nodes_per_zone >= 0 && p.max_nodes_per_zone >= max(1, p.min_nodes_per_zone)])
    error_message = "Each pool needs 0 <= min_nodes_per_zone <= max_nodes_per_zone and max_nodes_per_zone >= 1."
  }
}

variable "kafka" {
  type = object({
    vcpu_count        = number
    memory_gib        = number
    partitions        = map(number)
    bootstrap_address = string
  })
  description = <<-EOT
    Managed Service for Apache Kafka: capacity, partitions per topic (each topic's .dlq gets the
    same count, as the services expect), and an optional bootstrap host:port override (default:
    the cluster's documented bootstrap DNS name on port 9092).
  EOT
  default = {
    vcpu_count = 3
    memory_gib = 12
    partitions = {
      "guild.events"     = 32
      "presence.updates" = 32
      "push.requests"    = 16
    }
    bootstrap_address = ""
  }
  validation {
    condition     = var.kafka.vcpu_count >= 3 && var.kafka.memory_gib >= var.kafka.vcpu_count && var.kafka.memory_gib <= 8 * var.kafka.vcpu_count
    error_message = "kafka needs at least 3 vCPUs and 1-8 GiB of memory per vCPU."
  }
  validation {
    condition     = toset(keys(var.kafka.partitions)) == toset(["guild.events", "presence.updates", "push.requests"])
    error_message = "kafka.partitions must name exactly guild.events, presence.updates and push.requests."
  }
  validation {
    condition     = alltrue([for n in values(var.kafka.partitions) : n >= 1 && floor(n) == n])
    error_message = "Partition counts must be positive integers."
  }
}

variable "database" {
  type = object({
    tier              = string
    availability_type = string
    disk_size_gb      = number
  })
  description = "Cloud SQL for PostgreSQL 15: machine tier, ZONAL or REGIONAL (HA), and initial disk size (it grows automatically)."
  default = {
    tier              = "db-custom-2-7680"
    availability_type = "REGIONAL"
    disk_size_gb      = 20
  }
  validation {
    condition     = contains(["ZONAL", "REGIONAL"], var.database.availability_type)
    error_message = "database.availability_type must be ZONAL or REGIONAL."
  }
  validation {
    condition     = var.database.disk_size_gb >= 10
    error_message = "database.disk_size_gb must be at least 10."
  }
}

variable "deletion_protection" {
  type        = bool
  description = "Protect the cluster and the database from `terraform destroy`. Turn off only for throwaway environments."
  default     = true
}

variable "namespace" {
  type        = string
  description = "Kubernetes namespace of the Switchboard release."
  default     = "switchboard"
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a DNS-1123 label."
  }
}

variable "image_tag" {
  type        = string
  description = "Tag (or sha256:digest) of the four service images in Artifact Registry; build them with deploy/docker/Dockerfile."
  default     = "0.1.0"
}

variable "gateway_public_service_type" {
  type        = string
  description = "How clients reach the gateway: LoadBalancer (a regional L4 load balancer) or ClusterIP (bring your own Ingress/Gateway)."
  default     = "LoadBalancer"
  validation {
    condition     = contains(["LoadBalancer", "ClusterIP"], var.gateway_public_service_type)
    error_message = "gateway_public_service_type must be LoadBalancer or ClusterIP."
  }
}

variable "gateway_public_url" {
  type        = string
  description = "ws:// or wss:// URL (no query string) the gateway tells clients to connect to (GATEWAY_PUBLIC_URL), e.g. wss://gateway.example.com. Empty: the gateway derives it from each request's Host header."
  default     = ""
  validation {
    condition     = can(regex("^(|wss?://[^?#[:space:]]+)$", var.gateway_public_url))
    error_message = "gateway_public_url must be empty or a ws:// or wss:// URL without a query string or fragment."
  }
}

variable "gateway_max_sessions" {
  type        = number
  description = "Sessions one gateway instance accepts (GATEWAY_MAX_SESSIONS). Keep it above the chart's gateway.autoscaling.targetSessionsPerPod."
  default     = 25000
  validation {
    condition     = var.gateway_max_sessions >= 1 && floor(var.gateway_max_sessions) == var.gateway_max_sessions
    error_message = "gateway_max_sessions must be a positive integer."
  }
}

variable "prometheus_operator" {
  type        = bool
  description = "The cluster runs the Prometheus Operator and the Grafana sidecar (e.g. kube-prometheus-stack): render ServiceMonitors, the PrometheusRule and dashboards."
  default     = false
}

variable "helm_values" {
  type        = string
  description = "Extra values for the Switchboard chart, as YAML, applied last (e.g. resources or autoscaling)."
  default     = ""
}
