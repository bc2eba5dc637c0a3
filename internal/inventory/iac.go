package inventory

import (
	"github.com/walls-dev/walls/internal/inventory/cloudformation"
	"github.com/walls-dev/walls/internal/inventory/terraform"
	"github.com/walls-dev/walls/internal/vpc"
)

// The infrastructure-as-code formats are read by sub-packages; these route
// content to them.

func isTerraformJSON(data []byte) bool { return terraform.Detect(data) }

func isCloudFormation(path string, data []byte) bool { return cloudformation.Detect(data) }

func loadTerraformJSON(file string, data []byte, inv *vpc.Inventory) error {
	return terraform.LoadShowJSON(file, data, inv)
}

func loadCloudFormation(file string, data []byte, inv *vpc.Inventory) error {
	return cloudformation.LoadTemplate(file, data, inv)
}

func loadTerraformDir(dir string, inv *vpc.Inventory) error {
	return terraform.LoadHCLDir(dir, inv)
}
