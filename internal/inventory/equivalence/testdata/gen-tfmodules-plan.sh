#!/usr/bin/env bash
# Regenerates tfmodules/plan.json: the `terraform show -json` of a plan of
# creating the tfmodules folder, made offline with fake credentials.
#
# Needs terraform and the hashicorp/aws provider without network: the CLI
# configuration TF_CLI_CONFIG_FILE names, when that file exists, else a
# filesystem mirror at $WALLS_TF_PLUGIN_DIR (default /opt/tf-plugins,
# holding registry.terraform.io/hashicorp/aws/<version>/<os>_<arch>).
# TestTerraformModulesLive in ../tfmodules_test.go does the same in a
# temporary folder and compares with the committed plan's inventory.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$here/tfmodules/." "$work/"
rm -f "$work/plan.json"
if [ -z "${TF_CLI_CONFIG_FILE:-}" ] || [ ! -f "$TF_CLI_CONFIG_FILE" ]; then
  mirror="${WALLS_TF_PLUGIN_DIR:-/opt/tf-plugins}"
  [ -d "$mirror/registry.terraform.io/hashicorp/aws" ] || { echo "no provider mirror at $mirror" >&2; exit 1; }
  cat > "$work/.terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
RC
  export TF_CLI_CONFIG_FILE="$work/.terraformrc"
fi
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
cd "$work"
terraform init -input=false -no-color >/dev/null
terraform plan -refresh=false -input=false -no-color -out=plan.bin >/dev/null
terraform show -json plan.bin > "$here/tfmodules/plan.json"
echo "wrote $here/tfmodules/plan.json"
