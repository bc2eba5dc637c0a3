package terraform

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/walls-dev/walls/internal/inventory/internal/iac"
	"github.com/walls-dev/walls/internal/vpc"
)

// Both Terraform readers (plan/state JSON and .tf folders) reduce their input
// to the same small value tree, so the provider semantics are written once
// (build.go). A value is one of: nil (absent or null), bool, float64,
// string, []any, *object, or unknown (not known before apply, or not
// resolvable statically).

// object is a resource body or a nested block with the locations of its
// members, so errors and findings can point at the attribute.
type object struct {
	Fields  map[string]any
	Loc     vpc.Location
	AttrLoc map[string]vpc.Location
}

func newObject(loc vpc.Location) *object {
	return &object{Fields: map[string]any{}, Loc: loc, AttrLoc: map[string]vpc.Location{}}
}

// unknown marks a value that is not known: computed at apply time in a plan,
// or an expression a .tf reader cannot evaluate. ref, when set, is the
// reference the value comes from as the configuration writes it
// ("data.aws_security_group.db.id", "module.net.local.sg"): what names a
// group that this input does not declare.
type unknown struct{ ref string }

func isUnknownValue(v any) bool { _, ok := v.(unknown); return ok }

// resource is one managed resource instance.
type resource struct {
	Addr string // e.g. module.net.aws_security_group.web
	Type string
	Body *object
}

// loc returns the location of member name, else the object's own.
func (o *object) loc(name string) vpc.Location {
	if l, ok := o.AttrLoc[name]; ok {
		return l
	}
	return o.Loc
}

// state says whether a member was absent, known or unknown.
type state = iac.State

const (
	absent    = iac.Absent
	known     = iac.Known
	isUnknown = iac.Unknown
)

func stateOf(v any) state {
	switch v.(type) {
	case nil:
		return absent
	case unknown:
		return isUnknown
	}
	return known
}

// str reads a string member. Numbers and bools are accepted in their
// canonical text, as Terraform converts them.
func (o *object) str(name string) (string, state, error) {
	v := o.Fields[name]
	switch t := v.(type) {
	case nil:
		return "", absent, nil
	case unknown:
		return "", isUnknown, nil
	case string:
		return t, known, nil
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), known, nil
	case bool:
		return strconv.FormatBool(t), known, nil
	}
	return "", absent, iac.Errorf(o.loc(name), "%s: want a string", name)
}

// integer reads a whole-number member (a number or a numeric string).
func (o *object) integer(name string) (iac.Int, state, error) {
	v := o.Fields[name]
	switch t := v.(type) {
	case nil:
		return iac.Int{}, absent, nil
	case unknown:
		return iac.Int{}, isUnknown, nil
	case float64:
		if t != math.Trunc(t) || math.Abs(t) > 1<<40 {
			return iac.Int{}, absent, iac.Errorf(o.loc(name), "%s = %v: want a whole number", name, t)
		}
		return iac.SomeInt(int64(t)), known, nil
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(t), 10, 64)
		if err != nil {
			return iac.Int{}, absent, iac.Errorf(o.loc(name), "%s = %q: want a whole number", name, t)
		}
		return iac.SomeInt(n), known, nil
	}
	return iac.Int{}, absent, iac.Errorf(o.loc(name), "%s: want a whole number", name)
}

// boolean reads a bool member (or "true"/"false").
func (o *object) boolean(name string) (bool, state, error) {
	v := o.Fields[name]
	switch t := v.(type) {
	case nil:
		return false, absent, nil
	case unknown:
		return false, isUnknown, nil
	case bool:
		return t, known, nil
	case string:
		if b, err := strconv.ParseBool(t); err == nil {
			return b, known, nil
		}
	}
	return false, absent, iac.Errorf(o.loc(name), "%s: want true or false", name)
}

// strList reads a list (or set) of strings. Unknown elements are returned
// in unk, counted; the whole list unknown gives state isUnknown.
func (o *object) strList(name string) (vals []string, unk int, st state, err error) {
	v := o.Fields[name]
	switch t := v.(type) {
	case nil:
		return nil, 0, absent, nil
	case unknown:
		return nil, 0, isUnknown, nil
	case string: // a single value where a list is expected: be lenient
		return []string{t}, 0, known, nil
	case []any:
		for i, e := range t {
			switch s := e.(type) {
			case string:
				vals = append(vals, s)
			case unknown:
				unk++
			case nil:
				// null element: Terraform drops it
			default:
				return nil, 0, absent, iac.Errorf(o.loc(name), "%s[%d]: want a string", name, i)
			}
		}
		return vals, unk, known, nil
	}
	return nil, 0, absent, iac.Errorf(o.loc(name), "%s: want a list of strings", name)
}

// blocks reads nested blocks (a list of objects, or a single object).
// Unknown elements (a dynamic block over an unknown collection) are counted
// in unk and left out.
func (o *object) blocks(name string) (blks []*object, unk int, st state, err error) {
	v := o.Fields[name]
	switch t := v.(type) {
	case nil:
		return nil, 0, absent, nil
	case unknown:
		return nil, 0, isUnknown, nil
	case *object:
		return []*object{t}, 0, known, nil
	case []any:
		out := make([]*object, 0, len(t))
		for i, e := range t {
			switch b := e.(type) {
			case *object:
				out = append(out, b)
			case nil:
			case unknown:
				unk++
			default:
				return nil, 0, absent, iac.Errorf(o.loc(name), "%s[%d]: want a block (an object)", name, i)
			}
		}
		return out, unk, known, nil
	}
	return nil, 0, absent, iac.Errorf(o.loc(name), "%s: want a list of blocks", name)
}

// tags reads a map of strings; unknown or malformed values are dropped.
func (o *object) tags(name string) map[string]string {
	t, ok := o.Fields[name].(*object)
	if !ok || len(t.Fields) == 0 {
		return nil
	}
	out := map[string]string{}
	for k, v := range t.Fields {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

// fromJSON converts a decoded JSON value (UseNumber) into the value tree.
func fromJSON(v any, loc vpc.Location) any {
	switch t := v.(type) {
	case json.Number:
		f, _ := t.Float64()
		return f
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = fromJSON(e, loc)
		}
		return out
	case map[string]any:
		o := newObject(loc)
		for k, e := range t {
			o.Fields[k] = fromJSON(e, loc)
		}
		return o
	}
	return v
}

// describe renders a value path for messages: ingress[1].cidr_blocks.
func describe(parts ...any) string {
	var b strings.Builder
	for _, p := range parts {
		switch t := p.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", t)
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(t)
		}
	}
	return b.String()
}
