package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/walls-dev/walls/internal/vpc"
)

// Why a second pass over the plan's tokens.
//
// encoding/json keeps the last of two equal keys and matches a key to a
// field whatever its case, so {"proposedEgress": [...], "ProposedEgress":
// [...]} decodes to whichever comes last, and a reviewer reading the first
// approves rules that are not the ones acted on. A plan is reviewed by
// people and tools that may pick the other one, so every key must be
// exactly one of the format's keys (case included), and appear once in its
// object. Unknown keys are errors too: the format is versioned (a new key
// comes with a new version, which this walls refuses by number), so within
// version 1 an unknown key is a typo or an edit whose meaning this walls
// would silently drop.
//
// The same pass records the line of every value by its JSON path, so that
// validation errors name the line of the offending value.

// lineMap maps a JSON path (securityGroups[0].proposedEgress[3].FromPort)
// to the 1-based line where its value starts; "" is the whole document.
type lineMap map[string]int

// at is the line of path, or of its nearest enclosing value that has one
// (a missing key is reported at its object), or 0.
func (m lineMap) at(path string) int {
	for {
		if l, ok := m[path]; ok {
			return l
		}
		if path == "" {
			return 0
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			path = ""
		} else {
			path = path[:i]
		}
	}
}

// frame is one open object or array of the strict pass.
type frame struct {
	obj  bool
	t    reflect.Type // the container's Go type after pointers; nil when unknown
	path string
	keys map[string]int // key → line, objects only
	n    int            // next index, arrays only
}

// checkKeys walks data, which encoding/json already decoded into a Plan
// without error, and refuses duplicate keys and keys that are not exactly
// (case included) a key of the plan format. It returns the line of every
// value.
func checkKeys(file string, data []byte) (lineMap, error) {
	lines := lineMap{}
	dec := json.NewDecoder(bytes.NewReader(data))
	// Offsets only grow: count newlines from the last one seen.
	lastOff, lastLine := 0, 1
	lineOf := func(off int64) int {
		o := min(int(off), len(data))
		if o < lastOff {
			return lastLine // not reached: offsets only grow
		}
		lastLine += bytes.Count(data[lastOff:o], []byte{'\n'})
		lastOff = o
		return lastLine
	}
	valueStart := func() int64 {
		off := dec.InputOffset()
		for off < int64(len(data)) && strings.IndexByte(" \t\r\n:,", data[off]) >= 0 {
			off++
		}
		return off
	}
	bad := func(path string, line int, format string, a ...any) error {
		return &vpc.InputError{Loc: vpc.Location{File: file, Path: path, Line: line}, Msg: fmt.Sprintf(format, a...)}
	}
	var stack []frame
	for started := false; !started || len(stack) > 0; started = true {
		var path string
		var t reflect.Type
		if n := len(stack); n == 0 {
			t = reflect.TypeFor[Plan]()
		} else if top := &stack[n-1]; top.obj {
			tok, err := dec.Token()
			if err != nil {
				return nil, bad(top.path, lineOf(dec.InputOffset()), "invalid JSON: %v", err)
			}
			if tok == json.Delim('}') {
				stack = stack[:n-1]
				continue
			}
			key, _ := tok.(string)
			line := lineOf(dec.InputOffset())
			path = joinKey(top.path, key)
			where := top.path
			if where == "" {
				where = "the plan object"
			}
			if first, dup := top.keys[key]; dup {
				return nil, bad(path, line, "key %q appears twice in %s (first on line %d): JSON readers disagree on which one counts; keep one",
					key, where, first)
			}
			top.keys[key] = line
			if top.t != nil && top.t.Kind() == reflect.Struct {
				ft, ok := fieldByKey(top.t, key)
				if !ok {
					if want := foldKey(top.t, key); want != "" {
						return nil, bad(path, line, "key %q: plan keys are case-sensitive, want %q (a JSON reader may take either spelling, or both)", key, want)
					}
					return nil, bad(path, line, "unknown key %q: not a key of the plan format (misspelled?)", key)
				}
				t = ft
			} else if top.t != nil && top.t.Kind() == reflect.Map {
				t = top.t.Elem()
			}
		} else {
			if !dec.More() {
				if _, err := dec.Token(); err != nil {
					return nil, bad(top.path, lineOf(dec.InputOffset()), "invalid JSON: %v", err)
				}
				stack = stack[:n-1]
				continue
			}
			path = fmt.Sprintf("%s[%d]", top.path, top.n)
			top.n++
			if top.t != nil && (top.t.Kind() == reflect.Slice || top.t.Kind() == reflect.Array) {
				t = top.t.Elem()
			}
		}
		lines[path] = lineOf(valueStart())
		tok, err := dec.Token()
		if err != nil {
			return nil, bad(path, lineOf(dec.InputOffset()), "invalid JSON: %v", err)
		}
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{obj: true, t: t, path: path, keys: map[string]int{}})
		case json.Delim('['):
			stack = append(stack, frame{t: t, path: path})
		}
	}
	return lines, nil
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// jsonName is the key of a struct field as encoding/json writes it, or ""
// for a field it skips.
func jsonName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	switch name {
	case "-":
		return ""
	case "":
		return f.Name
	}
	return name
}

// fieldByKey is the type of struct t's field whose key is exactly key.
func fieldByKey(t reflect.Type, key string) (reflect.Type, bool) {
	for i := range t.NumField() {
		if f := t.Field(i); jsonName(f) == key {
			return f.Type, true
		}
	}
	return nil, false
}

// foldKey is the key of struct t that key matches ignoring case, or "".
func foldKey(t reflect.Type, key string) string {
	for i := range t.NumField() {
		if n := jsonName(t.Field(i)); n != "" && strings.EqualFold(n, key) {
			return n
		}
	}
	return ""
}
