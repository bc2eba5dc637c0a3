// Package jsonpos finds where a value named by a JSON path (such as
// SecurityGroups[0].IpPermissionsEgress[0].IpRanges[1].CidrIp) starts in a
// document, so that an error found after decoding can name its line. It
// walks tokens again rather than keeping every value's position while
// decoding: errors are rare, documents are large.
package jsonpos

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// Offset returns the byte offset where the value at path starts. When the
// path is not all there, it returns the start of the deepest enclosing
// value that is, and found is false.
func Offset(data []byte, path string) (off int64, found bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	valueStart := func() int64 {
		o := dec.InputOffset()
		for o < int64(len(data)) && strings.IndexByte(" \t\r\n:,", data[o]) >= 0 {
			o++
		}
		return o
	}
	off = valueStart()
	for _, seg := range split(path) {
		tok, err := dec.Token()
		d, ok := tok.(json.Delim)
		if err != nil || !ok {
			return off, false
		}
		hit := false
		switch {
		case d == '{' && !seg.isIndex:
			for !hit && dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return off, false
				}
				if k, _ := kt.(string); k == seg.key {
					hit = true
				} else if skip(dec) != nil {
					return off, false
				}
			}
		case d == '[' && seg.isIndex:
			for i := 0; !hit && dec.More(); i++ {
				if i == seg.index {
					hit = true
				} else if skip(dec) != nil {
					return off, false
				}
			}
		}
		if !hit {
			return off, false
		}
		off = valueStart()
	}
	return off, true
}

// Line is the 1-based line holding byte offset off of data.
func Line(data []byte, off int64) int {
	return bytes.Count(data[:min(max(off, 0), int64(len(data)))], []byte{'\n'}) + 1
}

func skip(dec *json.Decoder) error {
	var raw json.RawMessage
	return dec.Decode(&raw)
}

type segment struct {
	key     string
	index   int
	isIndex bool
}

// split parses "A[0].B.C[2]" into segments; unparsable parts end it.
func split(p string) []segment {
	var out []segment
	for _, part := range strings.Split(p, ".") {
		name, rest, _ := strings.Cut(part, "[")
		if name != "" {
			out = append(out, segment{key: name})
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
			out = append(out, segment{index: n, isIndex: true})
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return out
}
