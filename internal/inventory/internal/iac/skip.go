package iac

import (
	"errors"
	"strings"

	"github.com/walls-dev/walls/internal/vpc"
)

// SkipResource is the per-resource error path both IaC loaders share: a
// resource AWS would reject (a tcp rule without ports, an IPv4 block in an
// IPv6 field, a rule without its group) is left out with a warning naming
// where and why (code "skipped-resource", Skipped vpc.SkippedResource), and
// the input's other resources are still read. Errors that are not about
// the input (a *vpc.InputError) are returned unchanged: they end the load.
// `walls audit --fail-on-parse-error` turns these warnings back into the
// abort (docs/semantics.md#inputs). Unless inv.KeepGoing, err is returned
// as it is and ends the load, as before.
func SkipResource(inv *vpc.Inventory, res string, err error) error {
	if err == nil || !inv.KeepGoing {
		return err
	}
	var ies []*vpc.InputError
	if !collectInputErrors(err, &ies) {
		return err
	}
	for _, ie := range ies {
		inv.Warn(vpc.Warning{Code: "skipped-resource", Resource: res, Source: ie.Loc, Skipped: vpc.SkippedResource,
			Message: strings.TrimSuffix(ie.Msg, ".") + "; " + res + " skipped"})
	}
	return nil
}

// collectInputErrors gathers the input errors err holds (joined or
// single); false when any part of it is not one.
func collectInputErrors(err error, out *[]*vpc.InputError) bool {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if !collectInputErrors(e, out) {
				return false
			}
		}
		return true
	}
	var ie *vpc.InputError
	if !errors.As(err, &ie) {
		return false
	}
	*out = append(*out, ie)
	return true
}
