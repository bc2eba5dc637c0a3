package cli

import (
	"fmt"
	"strings"

	"github.com/walls-dev/walls/internal/inventory"
	"github.com/walls-dev/walls/internal/vpc"
)

// maxWarningsShown bounds how many inventory warnings a command prints.
const maxWarningsShown = 10

// loadInventory loads INPUT paths, printing warnings and the kinds that
// are absent (once) to stderr. Load errors are bad input (exit 2).
func loadInventory(io *IOStreams, paths []string) (*vpc.Inventory, error) {
	inv, err := inventory.Load(paths)
	if err != nil {
		return nil, badInput(err)
	}
	reportInventory(io, inv)
	return inv, nil
}

// reportInventory prints what the inventory lacks and its warnings.
func reportInventory(io *IOStreams, inv *vpc.Inventory) {
	if missing := inventory.MissingKinds(inv); len(missing) > 0 {
		names := make([]string, len(missing))
		for i, k := range missing {
			names[i] = string(k)
		}
		fmt.Fprintf(io.ErrOut, "walls: note: not loaded: %s; hops that need them are marked not evaluated\n", strings.Join(names, ", "))
	}
	for i, w := range inv.Warnings {
		if i == maxWarningsShown {
			fmt.Fprintf(io.ErrOut, "walls: warning: … and %d more warnings\n", len(inv.Warnings)-maxWarningsShown)
			break
		}
		loc := ""
		if w.Source.File != "" {
			loc = w.Source.String() + ": "
		}
		fmt.Fprintf(io.ErrOut, "walls: warning: %s%s\n", loc, w.Message)
	}
}

// checkFormat validates --format against the allowed values.
func checkFormat(format string, allowed ...string) error {
	for _, a := range allowed {
		if format == a {
			return nil
		}
	}
	return badInputf("--format %q: expected one of %s", format, strings.Join(allowed, ", "))
}
