package iac

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// toAny converts a Node tree to what encoding/json decodes (UseNumber).
func toAny(n *Node) any {
	switch n.Kind {
	case Bool:
		return n.Bool
	case Number:
		return json.Number(n.Str)
	case String:
		return n.Str
	case Array:
		out := make([]any, len(n.Items))
		for i, it := range n.Items {
			out[i] = toAny(it)
		}
		return out
	case Object:
		out := make(map[string]any, len(n.Map))
		for k, v := range n.Map {
			out[k] = toAny(v)
		}
		return out
	}
	return nil
}

// FuzzParseJSON checks ParseJSON against encoding/json: the same documents
// are valid and they decode to the same values.
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{`{"a": [1, -2.5e3, "x\u00e9\n", true, null, {}]}`, `[]`, `"\ud800"`, `{"a":1,"a":2}`, "\xff", `01`, `1.`, `{"k" 1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := ParseJSON(data)
		if err != nil && strings.Contains(err.Error(), "nested too deeply") {
			return // walls' limit; encoding/json allows deeper nesting
		}
		var dup *DuplicateKeyError
		if errors.As(err, &dup) {
			return // walls refuses a key twice in one object, which encoding/json accepts
		}
		valid := json.Valid(data)
		if (err == nil) != valid {
			t.Fatalf("ParseJSON err = %v, json.Valid = %v", err, valid)
		}
		if err != nil {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var want any
		if err := dec.Decode(&want); err != nil {
			t.Fatalf("encoding/json: %v", err)
		}
		if got := toAny(n); !reflect.DeepEqual(got, want) {
			t.Fatalf("got %#v, want %#v", got, want)
		}
	})
}
