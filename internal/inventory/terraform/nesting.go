package terraform

import (
	"bytes"
	"unicode"
	"unicode/utf8"
)

// MaxNesting is the deepest nesting walls accepts in a Terraform (.tf,
// .tfvars) file before handing it to the HCL parser. The parser and the
// evaluator recurse once per level, and a Go stack overflow is fatal, not
// an error: 70,000 nested parentheses (a 140 KB file) kill the process.
// Hand-written Terraform nests a dozen levels at most.
const MaxNesting = 256

// nestFrame is one open construct while scanning HCL source.
type nestFrame struct {
	// kind: '(' '[' '{' an expression bracket; '$' a template
	// interpolation or directive (${ … } or %{ … }); '"' a quoted
	// template; 'h' a heredoc; 0 the file itself.
	kind byte
	// ops counts the operators (and closed bracket groups after a value:
	// a[x][x], a[*][*]) in the frame's current item; each can be one
	// more level of the expression tree. Item separators reset it.
	ops int
	// dirs counts the %{ if } and %{ for } directives open in a template.
	dirs   int
	marker []byte // a heredoc's closing marker
}

// deepNesting scans HCL source the way the HCL scanner tokenizes it
// (strings, comments and heredocs are not code; template interpolations
// are) and returns the line where nesting first exceeds limit, or 0.
// Nesting counts open ( [ { ${ %{, quoted templates and heredocs, open
// %{ if } / %{ for } directives, and the operators (? ! - + * / % < > ==
// && || …) of the expression item being read, since each operator is a
// level of the parsed expression. Where it cannot be sure it counts: it
// may refuse a contrived file the parser would take, never the other way.
func deepNesting(src []byte, limit int) int {
	stack := []nestFrame{{}}
	depth, line := 0, 1
	lineStart := false // at the start of a heredoc line (a marker may end it)
	top := func() *nestFrame { return &stack[len(stack)-1] }
	push := func(f nestFrame) bool {
		stack = append(stack, f)
		depth++
		return depth > limit
	}
	op := func() bool {
		top().ops++
		depth++
		return depth > limit
	}
	reset := func() {
		depth -= top().ops
		top().ops = 0
	}
	pop := func() bool {
		f := stack[len(stack)-1]
		depth -= 1 + f.ops + f.dirs
		stack = stack[:len(stack)-1]
		if f.kind == '(' || f.kind == '[' || f.kind == '{' {
			// A closed group is a term of the enclosing item; the next
			// one (a[x][y], a[*][*], f(x)[0]) nests over it.
			if t := top().kind; t != '"' && t != 'h' {
				return op()
			}
		}
		return false
	}
	for i := 0; i < len(src); {
		c := src[i]
		var next, next2 byte
		if i+1 < len(src) {
			next = src[i+1]
		}
		if i+2 < len(src) {
			next2 = src[i+2]
		}
		if k := top().kind; k == '"' || k == 'h' {
			// Template text.
			if k == 'h' && lineStart {
				lineStart = false
				end := bytes.IndexByte(src[i:], '\n')
				if end >= 0 && bytes.Equal(bytes.TrimSpace(src[i:i+end]), top().marker) {
					pop()
					i += end // the newline is read as code
					continue
				}
			}
			switch {
			case c == '\n':
				line++
				lineStart = k == 'h'
				i++
			case c == '\\' && k == '"' && next != '\n' && next != 0:
				i += 2
			case c == '"' && k == '"':
				pop()
				i++
			case (c == '$' || c == '%') && next == c && next2 == '{':
				i += 3 // $${ and %%{ are literal
			case c == '$' && next == '{':
				if push(nestFrame{kind: '$'}) {
					return line
				}
				i += 2
			case c == '%' && next == '{':
				j := i + 2
				for j < len(src) && (src[j] == '~' || src[j] == ' ' || src[j] == '\t') {
					j++
				}
				w := j
				for w < len(src) && src[w] >= 'a' && src[w] <= 'z' {
					w++
				}
				switch string(src[j:w]) {
				case "if", "for":
					top().dirs++
					depth++
				case "endif", "endfor":
					if top().dirs > 0 {
						top().dirs--
						depth--
					}
				}
				if push(nestFrame{kind: '$'}) {
					return line
				}
				i += 2
			default:
				i++
			}
			continue
		}
		// Code.
		switch {
		case c == '\n':
			line++
			if k := top().kind; k == 0 || k == '{' {
				reset() // a newline ends an attribute or object item
			}
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '#' || c == '/' && next == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '/' && next == '*':
			end := bytes.Index(src[i+2:], []byte("*/"))
			if end < 0 {
				return 0 // an unclosed comment runs to the end
			}
			line += bytes.Count(src[i:i+2+end], []byte{'\n'})
			i += 2 + end + 2
		case c == '"':
			if push(nestFrame{kind: '"'}) {
				return line
			}
			i++
		case c == '<' && next == '<':
			if marker, n := heredocIntro(src[i:]); n > 0 {
				if push(nestFrame{kind: 'h', marker: marker}) {
					return line
				}
				i += n
				line++
				lineStart = true
				continue
			}
			if op() {
				return line
			}
			i += 2
		case c == '(' || c == '[' || c == '{':
			if push(nestFrame{kind: c}) {
				return line
			}
			i++
		case c == ')' || c == ']' || c == '}':
			k := top().kind
			if k == '(' && c == ')' || k == '[' && c == ']' || (k == '{' || k == '$') && c == '}' {
				if pop() {
					return line
				}
			} // else a stray closer the parser will report; nothing closes
			i++
		case c == ',':
			reset()
			i++
		case c >= '0' && c <= '9':
			i = skipNumber(src, i)
		case c == '_' || c < utf8.RuneSelf && unicode.IsLetter(rune(c)):
			i = skipIdent(src, i)
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRune(src[i:])
			if unicode.IsLetter(r) {
				i = skipIdent(src, i)
			} else {
				i += n
			}
		case bytes.IndexByte([]byte("?!+-*/%<>=&|"), c) >= 0:
			two := string([]byte{c, next})
			counted := c != '='
			switch two {
			case "==", "!=", "<=", ">=", "&&", "||":
				counted = true
				i += 2
			case "=>":
				counted = false
				i += 2
			default:
				i++
			}
			if counted && op() {
				return line
			}
		default:
			i++
		}
	}
	return 0
}

// heredocIntro matches <<MARKER or <<-MARKER and its newline at the start
// of b, returning the marker and the introducer's length.
func heredocIntro(b []byte) ([]byte, int) {
	i := 2
	if i < len(b) && b[i] == '-' {
		i++
	}
	start := i
	if i >= len(b) {
		return nil, 0
	}
	if r, _ := utf8.DecodeRune(b[i:]); r != '_' && !unicode.IsLetter(r) {
		return nil, 0
	}
	i = skipIdent(b, i)
	marker := b[start:i]
	if i < len(b) && b[i] == '\r' {
		i++
	}
	if i >= len(b) || b[i] != '\n' {
		return nil, 0
	}
	return marker, i + 1
}

// skipIdent moves past an identifier: letters, digits, '_' and '-'.
func skipIdent(b []byte, i int) int {
	for i < len(b) {
		r, n := utf8.DecodeRune(b[i:])
		if r != '_' && r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			break
		}
		i += n
	}
	return i
}

// skipNumber moves past a number literal: 12, 1.5, 1e-5. A sign that does
// not belong to an exponent is left to be read as an operator.
func skipNumber(b []byte, i int) int {
	digits := func() {
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	digits()
	if i+1 < len(b) && b[i] == '.' && b[i+1] >= '0' && b[i+1] <= '9' {
		i++
		digits()
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		j := i + 1
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		if j < len(b) && b[j] >= '0' && b[j] <= '9' {
			i = j
			digits()
		}
	}
	return i
}
