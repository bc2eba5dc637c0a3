package cli

import "github.com/walls-dev/walls/internal/vpc"

// applyPlan returns the inventory with a plan's proposed egress in place of
// the current rules.
func applyPlan(inv *vpc.Inventory, path string) (*vpc.Inventory, error) {
	return nil, badInputf("--plan %s: plan files are not supported in this build", path)
}
