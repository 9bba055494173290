# terraform plan -var-file=example.tfvars (copy it to <env>.tfvars and edit).
project_id = "my-switchboard-project"
region     = "europe-west1"

master_authorized_networks = [
  { cidr = "203.0.113.0/24", name = "office-vpn" },
]

image_tag           = "0.1.0"
prometheus_operator = true

# What GET /api/v10/gateway tells clients (point your DNS at the gateway's load balancer):
gateway_public_url = "wss://gateway.example.com"

# A smaller, cheaper environment:
# deletion_protection = false
# database = { tier = "db-custom-1-3840", availability_type = "ZONAL", disk_size_gb = 10 }
# node_pools = {
#   gateway = { machine_type = "e2-standard-4", min_nodes_per_zone = 1, max_nodes_per_zone = 3, disk_size_gb = 50, spot = true }
#   general = { machine_type = "e2-standard-4", min_nodes_per_zone = 1, max_nodes_per_zone = 3, disk_size_gb = 50, spot = true }
# }
