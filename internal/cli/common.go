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
// are absent (once) to stderr. Load errors are bad input (exit 2). A run
// interrupted while loading stops here, before its next phase.
func loadInventory(io *IOStreams, paths []string) (*vpc.Inventory, error) {
	inv, err := inventory.Load(paths)
	if cerr := io.runContext().Err(); cerr != nil {
		return nil, cerr
	}
	if err != nil {
		return nil, badInput(err)
	}
	reportInventory(io, inv)
	return inv, nil
}

// loadCurrentInventory is loadInventory for commands that judge today's
// network (audit, check): interfaces and groups that only older snapshots
// hold are left out.
func loadCurrentInventory(io *IOStreams, paths []string) (*vpc.Inventory, error) {
	inv, err := loadInventory(io, paths)
	if err != nil {
		return nil, err
	}
	return inv.Current(), nil
}

// reportInventory prints its notes, what the inventory lacks and its
// warnings.
func reportInventory(io *IOStreams, inv *vpc.Inventory) {
	var warnings []vpc.Warning
	for _, w := range inv.Warnings {
		if w.Note {
			fmt.Fprintf(io.ErrOut, "walls: note: %s\n", w.Message)
		} else {
			warnings = append(warnings, w)
		}
	}
	if missing := inventory.MissingKinds(inv); len(missing) > 0 {
		names := make([]string, len(missing))
		for i, k := range missing {
			names[i] = string(k)
		}
		fmt.Fprintf(io.ErrOut, "walls: note: not loaded: %s; hops that need them are marked not evaluated\n", strings.Join(names, ", "))
	}
	for i, w := range warnings {
		if i == maxWarningsShown {
			fmt.Fprintf(io.ErrOut, "walls: warning: … and %d more warnings\n", len(warnings)-maxWarningsShown)
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
