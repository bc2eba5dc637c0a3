package inventory

import (
	"fmt"

	"github.com/walls-dev/walls/internal/vpc"
)

// The infrastructure-as-code formats are read by sub-packages; these hooks
// route content to them.

func isTerraformJSON(data []byte) bool { return false }

func isCloudFormation(path string, data []byte) bool { return false }

func loadTerraformJSON(file string, data []byte, inv *vpc.Inventory) error {
	return fmt.Errorf("%s: terraform show -json input is not supported in this build", file)
}

func loadCloudFormation(file string, data []byte, inv *vpc.Inventory) error {
	return fmt.Errorf("%s: CloudFormation input is not supported in this build", file)
}

func loadTerraformDir(dir string, inv *vpc.Inventory) error {
	return fmt.Errorf("%s: Terraform .tf folders are not supported in this build", dir)
}
