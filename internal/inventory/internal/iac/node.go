// Package iac holds what the infrastructure-as-code loaders (terraform,
// cloudformation) share: a JSON tree that remembers the line of every value,
// and strict readers for CIDRs, ports and protocols that turn bad input into
// located *vpc.InputError values.
package iac

import (
	"fmt"
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
// Errors are *SyntaxError values with the line where decoding stopped.
func ParseJSON(data []byte) (*Node, error) { return parseFast(data) }

// SyntaxError is malformed JSON at a line.
type SyntaxError struct {
	Line int
	Err  error
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns the decoder's error.
func (e *SyntaxError) Unwrap() error { return e.Err }

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

// DuplicateKeyError is an object that names one key twice. JSON decoders
// differ on which value wins (encoding/json keeps the last silently), so
// walls refuses the document rather than guess.
type DuplicateKeyError struct {
	Key   string
	First int // line of the first occurrence
}

func (e *DuplicateKeyError) Error() string {
	return fmt.Sprintf("key %q appears twice in one object (first on line %d); want each key once", e.Key, e.First)
}
