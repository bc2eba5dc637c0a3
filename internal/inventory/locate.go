package inventory

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/walls-dev/walls/internal/vpc"
)

// offsetOf finds where the value at a JSON path (such as
// SecurityGroups[0].IpPermissionsEgress[0].IpRanges[1].CidrIp) starts in
// data. It is only used to point errors at their exact line, so it walks
// tokens rather than keeping positions for every value during decoding.
func offsetOf(data []byte, path string) (int64, bool) {
	segs := splitPath(path)
	dec := json.NewDecoder(bytes.NewReader(data))
	for _, seg := range segs {
		tok, err := dec.Token()
		if err != nil {
			return 0, false
		}
		d, ok := tok.(json.Delim)
		if !ok {
			return 0, false
		}
		found := false
		switch {
		case d == '{' && !seg.isIndex:
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return 0, false
				}
				if k, _ := kt.(string); k == seg.key {
					found = true
					break
				}
				if skipValue(dec) != nil {
					return 0, false
				}
			}
		case d == '[' && seg.isIndex:
			for i := 0; dec.More(); i++ {
				if i == seg.index {
					found = true
					break
				}
				if skipValue(dec) != nil {
					return 0, false
				}
			}
		}
		if !found {
			return 0, false
		}
	}
	// InputOffset is the end of the last token read; the value starts at the
	// next non-space, non-separator byte.
	off := dec.InputOffset()
	for off < int64(len(data)) && strings.IndexByte(" \t\r\n:,", data[off]) >= 0 {
		off++
	}
	return off, true
}

func skipValue(dec *json.Decoder) error {
	var raw json.RawMessage
	return dec.Decode(&raw)
}

type pathSeg struct {
	key     string
	index   int
	isIndex bool
}

// splitPath parses "A[0].B.C[2]" into segments. Unparsable parts end it.
func splitPath(p string) []pathSeg {
	var out []pathSeg
	for _, part := range strings.Split(p, ".") {
		name, rest, _ := strings.Cut(part, "[")
		if name != "" {
			out = append(out, pathSeg{key: name})
		}
		for rest != "" {
			num, after, ok := strings.Cut(rest, "]")
			if !ok {
				return out
			}
			n, err := strconv.Atoi(num)
			if err != nil {
				return out
			}
			out = append(out, pathSeg{index: n, isIndex: true})
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return out
}

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
