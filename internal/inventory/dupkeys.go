package inventory

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/walls-dev/walls/internal/vpc"
)

// keyChecker finds, in one JSON value that already decoded, an object that
// names a key twice, or two keys that differ only in case. Both JSON
// decoders walls uses match member names to struct fields
// case-insensitively and keep the last value, so {"CidrIp": "10.0.0.0/8",
// "cidrIp": "0.0.0.0/0"} would silently mean 0.0.0.0/0. AWS never writes
// such objects; walls refuses them.
//
// It is one linear pass over bytes the decoder has just read (still in
// cache), with no allocation in the common case: each worker of
// decodeElements keeps one checker and reuses its stacks.
type keyChecker struct {
	frames []keyFrame
	keys   []seenKey // keys of the open objects, stacked
}

type keyFrame struct {
	obj       bool
	expectKey bool
	base      int            // first of this object's keys in keys
	key       []byte         // object: the current member's key
	idx       int            // array: the current element's index
	folded    map[string]int // object with many keys: folded key -> index in keys
}

type seenKey struct {
	raw []byte // as written, or decoded when it held escapes
	off int    // offset of its opening quote
}

// manyKeys is the member count above which an object's keys are compared
// through a map rather than one by one, so a hostile object with 100,000
// keys stays linear.
const manyKeys = 64

// dupKey describes a key that repeats another in the same object.
type dupKey struct {
	first, second seenKey
	path          string // path of the object inside the checked value, e.g. ".IpPermissions[0]"
}

// check returns the first repeated key in b, or nil. b must be valid JSON.
func (k *keyChecker) check(b []byte) *dupKey {
	k.frames, k.keys = k.frames[:0], k.keys[:0]
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			// The closing quote: the first '"' when the string holds no
			// backslash (nearly always), found with IndexByte.
			j, escaped := len(b), false
			if q := bytes.IndexByte(b[i+1:], '"'); q >= 0 {
				j = i + 1 + q
			}
			if bytes.IndexByte(b[i+1:j], '\\') >= 0 {
				escaped = true
				for j = i + 1; j < len(b) && b[j] != '"'; j++ {
					if b[j] == '\\' {
						j++
					}
				}
			}
			if n := len(k.frames); n > 0 && k.frames[n-1].obj && k.frames[n-1].expectKey {
				f := &k.frames[n-1]
				key := b[i+1 : min(j, len(b))]
				if escaped {
					var s string
					if json.Unmarshal(b[i:min(j+1, len(b))], &s) == nil {
						key = []byte(s)
					}
				}
				sk := seenKey{raw: key, off: i}
				if d := k.add(f, sk); d != nil {
					return d
				}
				f.key, f.expectKey = key, false
			}
			i = j
		case '{':
			k.frames = append(k.frames, keyFrame{obj: true, expectKey: true, base: len(k.keys)})
		case '[':
			k.frames = append(k.frames, keyFrame{base: len(k.keys)})
		case '}', ']':
			if n := len(k.frames); n > 0 {
				k.keys = k.keys[:k.frames[n-1].base]
				k.frames = k.frames[:n-1]
			}
		case ',':
			if n := len(k.frames); n > 0 {
				if f := &k.frames[n-1]; f.obj {
					f.expectKey = true
				} else {
					f.idx++
				}
			}
		}
	}
	return nil
}

// add records key in the object f, or returns the key it repeats.
func (k *keyChecker) add(f *keyFrame, sk seenKey) *dupKey {
	own := k.keys[f.base:]
	switch {
	case f.folded != nil:
		fk := foldKey(sk.raw)
		if at, ok := f.folded[fk]; ok {
			return k.dup(k.keys[at], sk)
		}
		f.folded[fk] = len(k.keys)
	case len(own) >= manyKeys:
		f.folded = make(map[string]int, 2*manyKeys)
		for i, o := range own {
			f.folded[foldKey(o.raw)] = f.base + i
		}
		return k.add(f, sk)
	default:
		for _, o := range own {
			if sameKey(o.raw, sk.raw) {
				return k.dup(o, sk)
			}
		}
	}
	k.keys = append(k.keys, sk)
	return nil
}

func (k *keyChecker) dup(first, second seenKey) *dupKey {
	var p strings.Builder
	// The path of the object holding the keys: each enclosing frame's
	// current member or element.
	for i := 0; i+1 < len(k.frames); i++ {
		f := k.frames[i]
		if f.obj {
			p.WriteString("." + string(f.key))
		} else {
			p.WriteString("[" + strconv.Itoa(f.idx) + "]")
		}
	}
	return &dupKey{first: first, second: second, path: p.String()}
}

// sameKey reports whether two member names would fill the same field:
// equal under Unicode case folding, as encoding/json and go-json match.
func sameKey(a, b []byte) bool {
	if len(a) != len(b) && ascii(a) && ascii(b) {
		return false
	}
	return bytes.EqualFold(a, b)
}

func ascii(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// foldKey maps a key to one representative of its case-folding class, so
// that sameKey(a, b) exactly when foldKey(a) == foldKey(b).
func foldKey(b []byte) string {
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		b = b[n:]
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			out = append(out, byte(r))
			continue
		}
		m := r // the smallest rune of r's folding orbit
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			m = min(m, f)
		}
		out = utf8.AppendRune(out, m)
	}
	return string(out)
}

// message explains a repeated key for an input error.
func (d *dupKey) message(lineOf func(off int) int) string {
	a, b := string(d.first.raw), string(d.second.raw)
	if a == b {
		return fmt.Sprintf("key %q appears twice in one object (first on line %d); JSON decoders keep one of the two values silently; want each key once", b, lineOf(d.first.off))
	}
	return fmt.Sprintf("key %q repeats %q (line %d) in one object: keys are matched regardless of case, so one of the two values would be dropped silently; want each key once", b, a, lineOf(d.first.off))
}

// dupKeyError turns a repeated key inside the element at sp into an input
// error at the second key's line, with the JSON path of that key.
func dupKeyError(data []byte, sp span, path, file string, d *dupKey) error {
	lineOf := func(off int) int { return sp.line + bytes.Count(data[sp.start:sp.start+off], []byte{'\n'}) }
	return &vpc.InputError{Loc: vpc.Location{File: file, Path: path + d.path + "." + string(d.second.raw), Line: lineOf(d.second.off)},
		Msg: d.message(lineOf)}
}
