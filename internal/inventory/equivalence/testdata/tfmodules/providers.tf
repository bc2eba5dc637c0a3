# Fake credentials come from the environment (AWS_ACCESS_KEY_ID=test …);
# the provider is told not to check them, so a plan runs offline.
provider "aws" {
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}
