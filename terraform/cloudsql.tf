# Cloud SQL for PostgreSQL 15 on a private IP only (no public address), with the databases of the
# four services that own durable state, gateway (token revocations and privileged-intent grants,
# table gateway_user_auth), guild, presence (live sessions) and push, and one built-in user each. Each service applies its
# own migrations at start. Passwords are
# generated here, kept in Secret Manager (the source of truth for people and other tools) and
# handed to the pods through the Kubernetes Secret in helm.tf. They are also in the Terraform
# state: keep the state bucket private.

resource "google_sql_database_instance" "main" {
  name                = var.name
  region              = var.region
  database_version    = "POSTGRES_15"
  deletion_protection = var.deletion_protection

  settings {
    edition           = "ENTERPRISE"
    tier              = var.database.tier
    availability_type = var.database.availability_type
    disk_type         = "PD_SSD"
    disk_size         = var.database.disk_size_gb
    disk_autoresize   = true

    ip_configuration {
      ipv4_enabled    = false
      private_network = google_compute_network.main.id
      ssl_mode        = "ENCRYPTED_ONLY"
    }

    backup_configuration {
      enabled                        = true
      point_in_time_recovery_enabled = true
      start_time                     = "03:00"
      backup_retention_settings {
        retained_backups = 14
      }
    }

    maintenance_window {
      day  = 7
      hour = 4
    }

    insights_config {
      query_insights_enabled = true
    }

    database_flags {
      name  = "log_min_duration_statement"
      value = "500"
    }
  }

  depends_on = [google_service_networking_connection.private_services]
}

locals {
  databases = toset(["gateway", "guild", "presence", "push"])
}

resource "google_sql_database" "services" {
  for_each = local.databases
  name     = each.key
  instance = google_sql_database_instance.main.name
}

resource "random_password" "database" {
  for_each = local.databases
  length   = 32
  special  = false
}

resource "google_sql_user" "services" {
  for_each = local.databases
  name     = each.key
  instance = google_sql_database_instance.main.name
  password = random_password.database[each.key].result
}

resource "google_secret_manager_secret" "database_url" {
  for_each  = local.databases
  secret_id = "${var.name}-${each.key}-database-url"
  replication {
    auto {}
  }
  depends_on = [google_project_service.apis]
}

locals {
  # node-postgres: TLS without verifying Cloud SQL's per-instance CA (the link is the private VPC);
  # to verify, mount the server CA and use sslmode=verify-ca with sslrootcert.
  database_urls = {
    for db in local.databases : db => format(
      "postgres://%s:%s@%s:5432/%s?sslmode=no-verify",
      google_sql_user.services[db].name,
      random_password.database[db].result,
      google_sql_database_instance.main.private_ip_address,
      google_sql_database.services[db].name,
    )
  }
}

resource "google_secret_manager_secret_version" "database_url" {
  for_each    = local.databases
  secret      = google_secret_manager_secret.database_url[each.key].id
  secret_data = local.database_urls[each.key]
}
