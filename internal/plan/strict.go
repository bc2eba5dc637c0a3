package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/walls-dev/walls/internal/jsonpos"
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
// Validation errors name the line of the offending value: lineOf walks the
// tokens again to the JSON path of the error.

// frame is one open object or array of the strict pass.
type frame struct {
	obj  bool
	t    reflect.Type     // the container's Go type after pointers; nil when unknown
	seg  string           // how its parent names it: "key", "[3]", "" for the root
	keys map[string]int64 // key → offset, objects only
	n    int              // next index, arrays only
}

// keyTypes caches, per struct type, its keys and their field types.
var keyTypes sync.Map // reflect.Type → map[string]reflect.Type

func fieldsOf(t reflect.Type) map[string]reflect.Type {
	if m, ok := keyTypes.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	for i := range t.NumField() {
		if f := t.Field(i); jsonName(f) != "" {
			m[jsonName(f)] = f.Type
		}
	}
	keyTypes.Store(t, m)
	return m
}

// checkKeys walks data, which encoding/json already decoded into a Plan
// without error, and refuses duplicate keys and keys that are not exactly
// (case included) a key of the plan format, naming the file, the line and
// the JSON path of the key.
func checkKeys(file string, data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	var stack []frame
	path := func(last string) string {
		var b strings.Builder
		for _, f := range stack {
			b.WriteString(joinSeg(b.Len(), f.seg))
		}
		b.WriteString(joinSeg(b.Len(), last))
		return b.String()
	}
	bad := func(path string, off int64, format string, a ...any) error {
		return &vpc.InputError{Loc: vpc.Location{File: file, Path: path, Line: lineAt(data, off)}, Msg: fmt.Sprintf(format, a...)}
	}
	for started := false; !started || len(stack) > 0; started = true {
		var seg string
		var t reflect.Type
		if n := len(stack); n == 0 {
			t = reflect.TypeFor[Plan]()
		} else if top := &stack[n-1]; top.obj {
			tok, err := dec.Token()
			if err != nil {
				return bad(path(""), dec.InputOffset(), "invalid JSON: %v", err)
			}
			if tok == json.Delim('}') {
				stack = stack[:n-1]
				continue
			}
			key, _ := tok.(string)
			off := dec.InputOffset()
			if first, dup := top.keys[key]; dup {
				where := path("")
				if where == "" {
					where = "the plan object"
				}
				return bad(path(key), off, "key %q appears twice in %s (first on line %d): JSON readers disagree on which one counts; keep one",
					key, where, lineAt(data, first))
			}
			top.keys[key] = off
			seg = key
			switch {
			case top.t == nil:
			case top.t.Kind() == reflect.Struct:
				ft, ok := fieldsOf(top.t)[key]
				if !ok {
					if want := foldKey(top.t, key); want != "" {
						return bad(path(key), off, "key %q: plan keys are case-sensitive, want %q (a JSON reader may take either spelling, or both)", key, want)
					}
					return bad(path(key), off, "unknown key %q: not a key of the plan format (misspelled?)", key)
				}
				t = ft
			case top.t.Kind() == reflect.Map:
				t = top.t.Elem()
			}
		} else {
			if !dec.More() {
				if _, err := dec.Token(); err != nil {
					return bad(path(""), dec.InputOffset(), "invalid JSON: %v", err)
				}
				stack = stack[:n-1]
				continue
			}
			seg = "[" + strconv.Itoa(top.n) + "]"
			top.n++
			if top.t != nil && (top.t.Kind() == reflect.Slice || top.t.Kind() == reflect.Array) {
				t = top.t.Elem()
			}
		}
		tok, err := dec.Token()
		if err != nil {
			return bad(path(seg), dec.InputOffset(), "invalid JSON: %v", err)
		}
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{obj: true, t: t, seg: seg, keys: map[string]int64{}})
		case json.Delim('['):
			stack = append(stack, frame{t: t, seg: seg})
		}
	}
	return nil
}

// joinSeg is seg as it follows a path of length n: keys after a dot.
func joinSeg(n int, seg string) string {
	if n == 0 || seg == "" || seg[0] == '[' {
		return seg
	}
	return "." + seg
}

// lineAt is the 1-based line holding byte offset off.
func lineAt(data []byte, off int64) int { return jsonpos.Line(data, off) }

// lineOf is the line where the value at a JSON path of data starts (such
// as securityGroups[0].proposedEgress[3].FromPort), or of the nearest
// enclosing value present (a missing key is reported at its object).
func lineOf(data []byte, path string) int {
	off, _ := jsonpos.Offset(data, path)
	return jsonpos.Line(data, off)
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

// foldKey is the key of struct t that key matches ignoring case, or "".
func foldKey(t reflect.Type, key string) string {
	for i := range t.NumField() {
		if n := jsonName(t.Field(i)); n != "" && strings.EqualFold(n, key) {
			return n
		}
	}
	return ""
}
