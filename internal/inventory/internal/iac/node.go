// Package iac holds what the infrastructure-as-code loaders (terraform,
// cloudformation) share: a JSON tree that remembers the line of every value,
// and strict readers for CIDRs, ports and protocols that turn bad input into
// located *vpc.InputError values.
package iac

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// NodeKind is the kind of a Node's value.
type NodeKind uint8

// The node kinds.
const (
	Null NodeKind = iota
	Bool
	Number
	String
	Array
	Object
)

// Node is one JSON (or YAML) value with the 1-based line it starts on. YAML
// custom tags such as !Ref are kept in Tag so CloudFormation short forms can
// be read.
type Node struct {
	Kind  NodeKind
	Str   string // String value, or the Number's text
	Bool  bool
	Tag   string // YAML tag such as "!Ref"; empty for JSON
	Keys  []string
	Map   map[string]*Node
	Items []*Node
	Line  int
}

// Get returns the member key of an object, or nil.
func (n *Node) Get(key string) *Node {
	if n == nil || n.Kind != Object {
		return nil
	}
	return n.Map[key]
}

// IsNull reports whether n is absent or null.
func (n *Node) IsNull() bool { return n == nil || n.Kind == Null }

// Set adds or replaces an object member, keeping first-seen key order.
func (n *Node) Set(key string, v *Node) {
	if n.Map == nil {
		n.Map = map[string]*Node{}
	}
	if _, ok := n.Map[key]; !ok {
		n.Keys = append(n.Keys, key)
	}
	n.Map[key] = v
}

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 256

// ParseJSON decodes one JSON document into a Node tree with line numbers.
// Errors say the line where decoding stopped.
func ParseJSON(data []byte) (*Node, error) {
	lines := newLineIndex(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := parseValue(dec, lines, 0)
	if err != nil {
		return nil, &SyntaxError{Line: lines.line(int(dec.InputOffset())), Err: jsonErr(err)}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &SyntaxError{Line: lines.line(int(dec.InputOffset())), Err: errors.New("want a single JSON document, found more after it")}
	}
	return n, nil
}

// SyntaxError is malformed JSON at a line.
type SyntaxError struct {
	Line int
	Err  error
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns the decoder's error.
func (e *SyntaxError) Unwrap() error { return e.Err }

func jsonErr(err error) error {
	if errors.Is(err, io.EOF) {
		return errors.New("unexpected end of JSON input")
	}
	return err
}

func parseValue(dec *json.Decoder, lines lineIndex, depth int) (*Node, error) {
	if depth > maxDepth {
		return nil, errors.New("JSON nested too deeply")
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	line := lines.line(int(dec.InputOffset()))
	switch t := tok.(type) {
	case nil:
		return &Node{Kind: Null, Line: line}, nil
	case bool:
		return &Node{Kind: Bool, Bool: t, Line: line}, nil
	case json.Number:
		return &Node{Kind: Number, Str: t.String(), Line: line}, nil
	case string:
		return &Node{Kind: String, Str: t, Line: lines.line(int(dec.InputOffset()) - 1)}, nil
	case json.Delim:
		switch t {
		case '{':
			n := &Node{Kind: Object, Map: map[string]*Node{}, Line: line}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("want an object key, found %v", kt)
				}
				keyLine := lines.line(int(dec.InputOffset()) - 1)
				v, err := parseValue(dec, lines, depth+1)
				if err != nil {
					return nil, err
				}
				if v.Kind == Object || v.Kind == Array {
					v.Line = keyLine // a member's line is its key's line
				}
				n.Set(key, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return n, nil
		case '[':
			n := &Node{Kind: Array, Line: line}
			for dec.More() {
				v, err := parseValue(dec, lines, depth+1)
				if err != nil {
					return nil, err
				}
				n.Items = append(n.Items, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return n, nil
		}
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

// lineIndex maps byte offsets to 1-based lines.
type lineIndex []int

func newLineIndex(data []byte) lineIndex {
	var idx lineIndex
	for i, b := range data {
		if b == '\n' {
			idx = append(idx, i)
		}
	}
	return idx
}

func (l lineIndex) line(off int) int {
	return sort.SearchInts(l, off) + 1
}

// LooksLikeJSON reports whether data starts, after white space, with '{'.
func LooksLikeJSON(data []byte) bool {
	s := strings.TrimLeft(string(bytesPrefix(data, 64)), " \t\r\n\ufeff")
	return strings.HasPrefix(s, "{")
}

func bytesPrefix(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}
