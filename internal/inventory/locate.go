package inventory

import (
	"errors"

	"github.com/walls-dev/walls/internal/jsonpos"
	"github.com/walls-dev/walls/internal/vpc"
)

// offsetOf finds where the value at a JSON path (such as
// SecurityGroups[0].IpPermissionsEgress[0].IpRanges[1].CidrIp) starts in
// data; ok is false when the path is not all there.
func offsetOf(data []byte, path string) (int64, bool) { return jsonpos.Offset(data, path) }

// refineLines points the first input errors at the exact line of the value
// their JSON path names.
func refineLines(data []byte, li lineIndex, errs []error) {
	for i, err := range errs {
		if i == maxErrors {
			return
		}
		var ie *vpc.InputError
		if !errors.As(err, &ie) || ie.Loc.Path == "" {
			continue
		}
		if off, ok := offsetOf(data, ie.Loc.Path); ok {
			ie.Loc.Line = li.line(off + 1)
		}
	}
}
