# Terraform/OpenTofu and provider versions, pinned to a minor series; `terraform init` records
# the exact builds in .terraform.lock.hcl (commit it).
terraform {
  required_version = ">= 1.6.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 7.0"
    }
    google-beta = {
      source  = "hashicorp/google-beta"
      version = "~> 7.0"
    }
    helm = {
      source  = "hashicorp/helm"
      version = "~> 3.0"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 3.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # State belongs in a bucket, not on a laptop. Configure at init time:
  #   terraform init -backend-config="bucket=<state-bucket>" -backend-config="prefix=switchboard"
  backend "gcs" {}
}
