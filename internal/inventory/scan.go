package inventory

import (
	"bytes"
	"fmt"
	"strconv"
)

// span is one JSON value in a document: data[start:end], starting on line.
type span struct {
	start, end int
	line       int
}

// scanner walks a JSON document fast enough that splitting a 170 MB file
// into array elements costs a fraction of decoding them. It checks
// structure between values (commas, colons, brackets) and leaves the
// validation of each value's inside to encoding/json.
type scanner struct {
	data []byte
	pos  int
	line int // line of pos, counted as the scanner advances
}

type scanError struct {
	off int
	msg string
}

func (e *scanError) Error() string { return e.msg }

func (s *scanner) errf(format string, a ...any) error {
	return &scanError{off: s.pos, msg: fmt.Sprintf(format, a...)}
}

// ws skips whitespace, counting lines.
func (s *scanner) ws() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case '\n':
			s.line++
		case ' ', '\t', '\r':
		default:
			return
		}
		s.pos++
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.pos >= len(s.data) {
		return 0
	}
	return s.data[s.pos]
}

func (s *scanner) expect(c byte) error {
	if got := s.peek(); got != c {
		if got == 0 {
			return s.errf("unexpected end of file; expected %q", c)
		}
		return s.errf("invalid character %q; expected %q", got, c)
	}
	s.pos++
	return nil
}

// str reads a string and returns its raw contents (escapes left as is;
// object keys of interest contain none).
func (s *scanner) str() (string, error) {
	if err := s.expect('"'); err != nil {
		return "", err
	}
	begin := s.pos
	for {
		for s.pos < len(s.data) && !stringStop[s.data[s.pos]] {
			s.pos++
		}
		if s.pos >= len(s.data) {
			return "", s.errf("unexpected end of file inside a string")
		}
		switch s.data[s.pos] {
		case '\\':
			s.pos += 2
			continue
		case '\n':
			return "", s.errf("invalid newline inside a string")
		}
		out := string(s.data[begin:s.pos])
		s.pos++
		return out, nil
	}
}

// Byte classes the scanner stops at: inside a string, its end, an escape
// or a (forbidden) raw newline; between tokens, anything structural.
var stringStop, structStop [256]bool

func init() {
	for _, c := range []byte("\"\\\n") {
		stringStop[c] = true
	}
	for _, c := range []byte("\"{}[]\n") {
		structStop[c] = true
	}
}

// MaxJSONDepth bounds the nesting of AWS CLI JSON, whose values nest a
// handful of levels. The decoders behind the scanner have their own limits
// (10,000 levels); this one is checked first, cheaply, with the line.
const MaxJSONDepth = 256

// skip moves past one value of any kind, tracking nesting and strings.
func (s *scanner) skip() error {
	switch c := s.peek(); c {
	case 0:
		return s.errf("unexpected end of file; expected a value")
	case '"':
		_, err := s.str()
		return err
	case '{', '[':
		var stack []byte // open brackets, to catch a mismatched close at once
		for s.pos < len(s.data) {
			for s.pos < len(s.data) && !structStop[s.data[s.pos]] {
				s.pos++
			}
			if s.pos >= len(s.data) {
				break
			}
			switch s.data[s.pos] {
			case '"':
				if _, err := s.str(); err != nil {
					return err
				}
				continue
			case '\n':
				s.line++
			case '{', '[':
				if len(stack) == MaxJSONDepth {
					return s.errf("nested more than %d levels deep", MaxJSONDepth)
				}
				stack = append(stack, s.data[s.pos])
			case '}', ']':
				open := byte('{')
				if s.data[s.pos] == ']' {
					open = '['
				}
				if len(stack) == 0 || stack[len(stack)-1] != open {
					return s.errf("invalid character %q: it closes nothing open", s.data[s.pos])
				}
				stack = stack[:len(stack)-1]
			}
			s.pos++
			if len(stack) == 0 {
				return nil
			}
		}
		return s.errf("unexpected end of file; an object or array is not closed")
	default:
		// A literal: number, true, false, null.
		begin := s.pos
		for s.pos < len(s.data) && bytes.IndexByte([]byte(",}] \t\r\n"), s.data[s.pos]) < 0 {
			s.pos++
		}
		if s.pos == begin {
			return s.errf("invalid character %q; expected a value", c)
		}
		return nil
	}
}

// elements splits the array value at the scanner's position into the spans
// of its elements.
func (s *scanner) elements() ([]span, error) {
	if c := s.peek(); c != '[' {
		if c == 0 {
			return nil, s.errf("unexpected end of file; expected an array")
		}
		return nil, s.errf("expected an array, got %s", valueKind(c))
	}
	s.pos++
	var out []span
	if s.peek() == ']' {
		s.pos++
		return []span{}, nil
	}
	for {
		s.ws()
		sp := span{start: s.pos, line: s.line}
		if err := s.skip(); err != nil {
			return nil, err
		}
		sp.end = s.pos
		out = append(out, sp)
		switch s.peek() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return out, nil
		case 0:
			return nil, s.errf("unexpected end of file; expected ',' or ']'")
		default:
			return nil, s.errf("invalid character %q after an array element; expected ',' or ']'", s.data[s.pos])
		}
	}
}

func valueKind(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// peerLines walks one security group element of describe-security-groups
// output and returns the line of every permission and peer entry, keyed by
// its path inside the group: "IpPermissionsEgress[0]",
// "IpPermissionsEgress[0].IpRanges[1]". Rules then point at their own
// line. The element was already decoded, so malformed structure simply
// ends the walk.
func peerLines(data []byte, sp span) map[string]int {
	sc := &scanner{data: data[:sp.end], pos: sp.start, line: sp.line}
	out := map[string]int{}
	sc.object(func(key string) bool {
		if key != "IpPermissions" && key != "IpPermissionsEgress" {
			return sc.skip() == nil
		}
		return sc.array(func(i int) bool {
			perm := key + "[" + strconv.Itoa(i) + "]"
			out[perm] = sc.line
			return sc.object(func(k string) bool {
				switch k {
				case "IpRanges", "Ipv6Ranges", "PrefixListIds", "UserIdGroupPairs":
					return sc.array(func(j int) bool {
						out[perm+"."+k+"["+strconv.Itoa(j)+"]"] = sc.line
						return sc.skip() == nil
					})
				}
				return sc.skip() == nil
			})
		})
	})
	return out
}

// object walks the members of the object at the scanner, calling f for
// each key with the scanner at its value; f must consume the value.
func (s *scanner) object(f func(key string) bool) bool {
	if s.expect('{') != nil {
		return false
	}
	if s.peek() == '}' {
		s.pos++
		return true
	}
	for {
		key, err := s.str()
		if err != nil || s.expect(':') != nil {
			return false
		}
		s.ws()
		if !f(key) {
			return false
		}
		switch s.peek() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return true
		default:
			return false
		}
	}
}

// array walks the elements of the array at the scanner, calling f with the
// scanner at each element; f must consume it.
func (s *scanner) array(f func(i int) bool) bool {
	if s.expect('[') != nil {
		return false
	}
	if s.peek() == ']' {
		s.pos++
		return true
	}
	for i := 0; ; i++ {
		s.ws()
		if !f(i) {
			return false
		}
		switch s.peek() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return true
		default:
			return false
		}
	}
}
