package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/walls-dev/walls/internal/inventory"
	"github.com/walls-dev/walls/internal/vpc"
)

// maxWarningsShown bounds how many inventory warnings a command prints.
const maxWarningsShown = 10

// loadInputs loads INPUT paths, and the account read live when --aws is
// given (a nil a reads no account), printing warnings and the kinds that
// are absent (once) to stderr. Load errors are bad input (exit 2). A run
// interrupted while loading stops here, before its next phase.
//
// What was read live is named "aws:<account>/<region>/<file>" in
// locations (findings, warnings, errors), not by the temporary folder it
// passed through, which is gone when the command prints.
func loadInputs(io *IOStreams, paths []string, a *awsFlags) (*vpc.Inventory, error) {
	return loadInputsWith(io, paths, a, inventory.Options{}, reportInventory)
}

// loadInputsWith is loadInputs with load options and the reporter of the
// inventory's notes and warnings (audit keeps going past bad files and
// reports in its own way).
func loadInputsWith(io *IOStreams, paths []string, a *awsFlags, lo inventory.Options, report func(*IOStreams, *vpc.Inventory)) (*vpc.Inventory, error) {
	all, done, err := a.liveInputs(io, paths)
	if err != nil {
		return nil, err
	}
	defer done()
	inv, err := inventory.LoadWith(all, lo)
	if cerr := io.runContext().Err(); cerr != nil {
		return nil, cerr
	}
	if len(all) > len(paths) { // the last path is the live snapshot
		inv, err = fromLive(inv, err, all[len(all)-1]+string(filepath.Separator))
	} else if err != nil {
		err = badInput(err)
	}
	if err != nil {
		return nil, err
	}
	report(io, inv)
	return inv, nil
}

// fromLive is the load of a live snapshot's temporary folder (prefix, a
// path ending in a separator) with what it read named liveLabel instead,
// in the load's error, the locations and the warnings.
func fromLive(inv *vpc.Inventory, err error, prefix string) (*vpc.Inventory, error) {
	if err != nil {
		return nil, badInput(errors.New(strings.ReplaceAll(err.Error(), prefix, liveLabel)))
	}
	relabel(reflect.ValueOf(inv), prefix)
	for i, w := range inv.Warnings {
		inv.Warnings[i].Message = strings.ReplaceAll(w.Message, prefix, liveLabel)
	}
	return inv, nil
}

// liveLabel stands for the live account in locations.
const liveLabel = "aws:"

var locationType = reflect.TypeOf(vpc.Location{})

// relabel renames every location under the temporary folder tmp reachable
// from v (exported fields only) as liveLabel + its path inside tmp.
func relabel(v reflect.Value, tmp string) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			relabel(v.Elem(), tmp)
		}
	case reflect.Struct:
		if v.Type() == locationType {
			f := v.FieldByName("File")
			if f.CanSet() && strings.HasPrefix(f.String(), tmp) {
				f.SetString(liveLabel + filepath.ToSlash(strings.TrimPrefix(f.String(), tmp)))
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				relabel(v.Field(i), tmp)
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return
		}
		for i := 0; i < v.Len(); i++ {
			relabel(v.Index(i), tmp)
		}
	case reflect.Map:
		if v.Type().Elem().Kind() != reflect.Pointer {
			return // values are copies; the model keeps locations behind pointers
		}
		for _, k := range v.MapKeys() {
			relabel(v.MapIndex(k), tmp)
		}
	}
}

// loadCurrentInputs is loadInputs for commands that judge today's network
// (check): interfaces and groups that only older snapshots hold are left
// out.
func loadCurrentInputs(io *IOStreams, paths []string, a *awsFlags) (*vpc.Inventory, error) {
	inv, err := loadInputs(io, paths, a)
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
