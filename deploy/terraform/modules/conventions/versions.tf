# Pure module: no provider, no resources. It is what `terraform test` exercises offline.
terraform {
  required_version = ">= 1.10.0"
}
