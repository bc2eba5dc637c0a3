package iac

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

// mapBody is a Body over a map: a string, []string, bool, or unknownVal.
type mapBody struct {
	f        map[string]any
	warnings []string
}

type unknownVal struct{}

// get reads field k of m as a T: absent, unknown, or a T.
func get[T any](m map[string]any, k, want string) (T, State, error) {
	var zero T
	switch v := m[k].(type) {
	case nil:
		return zero, Absent, nil
	case unknownVal:
		return zero, Unknown, nil
	case T:
		return v, Known, nil
	}
	return zero, Absent, fmt.Errorf("%s: want %s", k, want)
}

func (m *mapBody) Str(k string) (string, State, error) { return get[string](m.f, k, "a string") }
func (m *mapBody) Bool(k string) (bool, State, error)  { return get[bool](m.f, k, "a bool") }

func (m *mapBody) StrList(k string) ([]string, int, State, error) {
	switch v := m.f[k].(type) {
	case nil:
		return nil, 0, Absent, nil
	case unknownVal:
		return nil, 0, Unknown, nil
	case []string:
		var out []string
		unk := 0
		for _, s := range v {
			if s == "?" {
				unk++
			} else {
				out = append(out, s)
			}
		}
		return out, unk, Known, nil
	}
	return nil, 0, Absent, fmt.Errorf("%s: want a list", k)
}

func (m *mapBody) Int(k string) (Int, State, error) {
	v, st, err := get[int](m.f, k, "a whole number")
	if st == Known {
		return SomeInt(int64(v)), st, err
	}
	return Int{}, st, err
}

// Object reads a nested map[string]any; its warnings and errors name the
// field as k.field.
func (m *mapBody) Object(k string) (Body, State, error) {
	v, st, err := get[map[string]any](m.f, k, "an object")
	if st == Known {
		return &prefixed{mapBody{f: v}, k + ".", m}, st, err
	}
	return nil, st, err
}

// Objects reads a []any of map[string]any (unknownVal items counted); item
// i's warnings and errors name its fields k[i].field.
func (m *mapBody) Objects(k string) ([]Body, int, State, error) {
	v, st, err := get[[]any](m.f, k, "a list of objects")
	if st != Known {
		return nil, 0, st, err
	}
	var out []Body
	unk := 0
	for i, it := range v {
		switch o := it.(type) {
		case unknownVal:
			unk++
		case map[string]any:
			out = append(out, &prefixed{mapBody{f: o}, fmt.Sprintf("%s[%d].", k, i), m})
		default:
			return nil, 0, Absent, fmt.Errorf("%s[%d]: want an object", k, i)
		}
	}
	return out, unk, Known, nil
}

// prefixed is a nested mapBody whose warnings go to its parent.
type prefixed struct {
	mapBody
	pre    string
	parent *mapBody
}

func (p *prefixed) Unknown(k, c string) { p.parent.Unknown(p.pre+k, c) }
func (p *prefixed) FieldErrorf(k, format string, args ...any) error {
	return p.mapBody.FieldErrorf(p.pre+k, format, args...)
}
func (p *prefixed) Errorf(format string, args ...any) error {
	return fmt.Errorf(strings.TrimSuffix(p.pre, ".")+": "+format, args...)
}

func (m *mapBody) Unknown(k, c string) { m.warnings = append(m.warnings, k+": "+c) }
func (m *mapBody) Errorf(format string, args ...any) error {
	return fmt.Errorf("body: "+format, args...)
}
func (m *mapBody) FieldErrorf(k, format string, args ...any) error {
	return fmt.Errorf(k+": "+format, args...)
}
func (m *mapBody) Group(v string, byName bool) vpc.GroupRef {
	if byName {
		return vpc.GroupRef{GroupID: "id-of-" + v}
	}
	return GroupRef(v)
}

var (
	listFields   = PeerFields{CIDR4: "c4", CIDR6: "c6", PrefixList: "pl", GroupID: "sg", Self: "self", Lists: true, Want: "LIST"}
	singleFields = PeerFields{CIDR4: "c4", CIDR6: "c6", PrefixList: "pl", GroupID: "sg", GroupName: "name", GroupOwner: "owner", Want: "ONE"}
)

func TestPeersLists(t *testing.T) {
	b := &mapBody{f: map[string]any{"c4": []string{"10.0.0.0/8", "?"}, "c6": unknownVal{}, "pl": []string{"pl-1"},
		"sg": []string{"111122223333/sg-9"}, "self": true}}
	got, err := Peers(b, listFields, "sg-self")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "pl-1", "111122223333/sg-9", "sg-self"}
	var strs []string
	for _, p := range got {
		s := p.String()
		if p.Group.UserID != "" {
			s = p.Group.UserID + "/" + s
		}
		strs = append(strs, s)
	}
	if !reflect.DeepEqual(strs, want) {
		t.Errorf("peers %q, want %q", strs, want)
	}
	if w := []string{"c4: peers skipped", "c6: peers skipped"}; !reflect.DeepEqual(b.warnings, w) {
		t.Errorf("warnings %q, want %q", b.warnings, w)
	}
	// Nothing at all is an error; nothing known is not.
	if _, err := Peers(&mapBody{f: map[string]any{}}, listFields, "x"); err == nil || err.Error() != "body: the rule has no peer: want LIST" {
		t.Errorf("no peer: %v", err)
	}
	if p, err := Peers(&mapBody{f: map[string]any{"self": unknownVal{}}}, listFields, "x"); err != nil || p != nil {
		t.Errorf("unknown self: %v %v", p, err)
	}
	if _, err := Peers(&mapBody{f: map[string]any{"c6": []string{"10.0.0.0/8"}}}, listFields, "x"); err == nil || !strings.HasPrefix(err.Error(), "c6: ") {
		t.Errorf("IPv4 block in the IPv6 field: %v", err)
	}
}

func TestPeersSingle(t *testing.T) {
	for _, tc := range []struct {
		name   string
		f      map[string]any
		stop   bool
		peer   string // "" = skipped
		err    string
		warned int
	}{
		{name: "cidr", f: map[string]any{"c4": "10.1.0.0/16", "c6": ""}, peer: "10.1.0.0/16"},
		{name: "group with owner", f: map[string]any{"sg": "sg-1", "owner": "111122223333"}, peer: "111122223333/sg-1"},
		{name: "group by name", f: map[string]any{"name": "web"}, peer: "id-of-web"},
		{name: "two", f: map[string]any{"c4": "10.1.0.0/16", "pl": "pl-1"}, err: "body: want exactly one of ONE, found 2"},
		{name: "none", f: map[string]any{}, err: "body: want exactly one of ONE, found 0"},
		{name: "unknowns all warned", f: map[string]any{"c4": unknownVal{}, "c6": unknownVal{}}, warned: 2},
		{name: "first unknown stops", f: map[string]any{"c4": unknownVal{}, "c6": unknownVal{}}, stop: true, warned: 1},
		{name: "error after unknown", f: map[string]any{"c4": unknownVal{}, "c6": "nope"}, err: "c6: ", warned: 1},
		{name: "stop before error", f: map[string]any{"c4": unknownVal{}, "c6": "nope"}, stop: true, warned: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := singleFields
			f.StopAtUnknown = tc.stop
			b := &mapBody{f: tc.f}
			got, err := Peers(b, f, "")
			switch {
			case tc.err != "":
				if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
			case err != nil:
				t.Fatal(err)
			case tc.peer == "" && got != nil:
				t.Errorf("peers %v, want the rule skipped", got)
			case tc.peer != "":
				if len(got) != 1 {
					t.Fatalf("peers %v, want %s", got, tc.peer)
				}
				s := got[0].String()
				if got[0].Group.UserID != "" {
					s = got[0].Group.UserID + "/" + s
				}
				if s != tc.peer {
					t.Errorf("peer %s, want %s", s, tc.peer)
				}
			}
			if len(b.warnings) != tc.warned {
				t.Errorf("warnings %q, want %d", b.warnings, tc.warned)
			}
		})
	}
}
