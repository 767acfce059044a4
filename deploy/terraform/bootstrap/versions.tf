terraform {
  required_version = ">= 1.10.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.20"
    }
  }

  # Chicken and egg: this root creates the state bucket, so it starts with local state. After the
  # first apply, uncomment the backend, run `terraform init -migrate-state` and delete the local file.
  # backend "s3" {
  #   bucket       = "<state_bucket output>"
  #   key          = "gridops/bootstrap/terraform.tfstate"
  #   region       = "eu-central-1"
  #   encrypt      = true
  #   use_lockfile = true
  # }
}
