package inventory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sort"
	"strconv"
	"strings"

	gojson "github.com/goccy/go-json"

	"github.com/walls-dev/walls/internal/safe"
	"github.com/walls-dev/walls/internal/vpc"
)

// lineIndex turns byte offsets into 1-based line numbers.
type lineIndex []int // offsets of each '\n'

func newLineIndex(data []byte) lineIndex {
	var idx lineIndex
	for off := 0; ; {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			return idx
		}
		idx = append(idx, off+i)
		off += i + 1
	}
}

// line returns the line holding byte offset off.
func (li lineIndex) line(off int64) int {
	return sort.Search(len(li), func(i int) bool { return int64(li[i]) >= off }) + 1
}

// decodeAWSJSON reads one AWS CLI JSON document: a fast scan splits each
// top-level array into elements (keeping their lines), then the elements
// are decoded in parallel.
func decodeAWSJSON(file string, data []byte) (*fileData, error) {
	fd := &fileData{file: file}
	sc := &scanner{data: data, line: 1}
	fail := func(err error) error {
		line := sc.line
		if se, ok := err.(*scanError); ok {
			line = 1 + bytes.Count(data[:min(se.off, len(data))], []byte{'\n'})
		}
		return &vpc.InputError{Loc: vpc.Location{File: file, Line: line}, Msg: "invalid JSON: " + err.Error()}
	}
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		sc.pos = 3 // a UTF-8 byte order mark, as some editors write
	}
	if c := sc.peek(); c != '{' {
		return nil, &vpc.InputError{Loc: vpc.Location{File: file, Line: sc.line},
			Msg: "expected a JSON object with AWS CLI output keys such as SecurityGroups, NetworkInterfaces or NetworkAcls"}
	}
	sc.pos++
	seen := map[string]bool{}
	for first := true; ; first = false {
		if sc.peek() == '}' && first {
			sc.pos++
			break
		}
		key, err := sc.str()
		if err != nil {
			return nil, fail(err)
		}
		if err := sc.expect(':'); err != nil {
			return nil, fail(err)
		}
		if seen[key] {
			return nil, &vpc.InputError{Loc: vpc.Location{File: file, Path: key, Line: sc.line}, Msg: "key appears twice in the same object"}
		}
		seen[key] = true
		if !knownKeys[key] {
			if err := sc.skip(); err != nil {
				return nil, fail(err)
			}
			if !ignoredKeys[key] {
				fd.unknownKeys = append(fd.unknownKeys, key)
			}
		} else {
			spans, err := sc.elements()
			if err != nil {
				if se, ok := err.(*scanError); ok && strings.HasPrefix(se.msg, "expected an array") {
					return nil, &vpc.InputError{Loc: vpc.Location{File: file, Path: key, Line: sc.line}, Msg: se.msg}
				}
				return nil, fail(err)
			}
			var derr error
			switch key {
			case "SecurityGroups":
				fd.groups, derr = decodeElements[rawSecurityGroup](data, spans, key, file)
			case "SecurityGroupRules":
				fd.rules, derr = decodeElements[rawSecurityGroupRule](data, spans, key, file)
			case "NetworkInterfaces":
				fd.interfaces, derr = decodeElements[rawInterface](data, spans, key, file)
			case "NetworkAcls":
				fd.nacls, derr = decodeElements[rawNACL](data, spans, key, file)
			case "Subnets":
				fd.subnets, derr = decodeElements[rawSubnet](data, spans, key, file)
			case "Vpcs":
				fd.vpcs, derr = decodeElements[rawVPC](data, spans, key, file)
			case "PrefixLists":
				fd.prefixLists, derr = decodeElements[rawPrefixList](data, spans, key, file)
			case "Entries":
				fd.entries, derr = decodeElements[rawPrefixListEntry](data, spans, key, file)
				fd.hasEntries = true
			}
			if derr != nil {
				return nil, derr
			}
		}
		switch sc.peek() {
		case ',':
			sc.pos++
			continue
		case '}':
			sc.pos++
		case 0:
			return nil, fail(sc.errf("unexpected end of file; expected ',' or '}'"))
		default:
			return nil, fail(sc.errf("invalid character %q after an object member; expected ',' or '}'", sc.data[sc.pos]))
		}
		break
	}
	if sc.peek() != 0 {
		return nil, &vpc.InputError{Loc: vpc.Location{File: file, Line: sc.line}, Msg: "unexpected data after the top-level JSON object"}
	}
	return fd, nil
}

// decodeElements unmarshals array elements concurrently, in chunks, and
// returns them in order. An element that names a key twice in one object
// (or two keys differing only in case) is an error: decoding would keep one
// of the values silently. The first error in document order wins, so the
// result does not depend on scheduling.
func decodeElements[T any](data []byte, spans []span, key, file string) ([]element[T], error) {
	out := make([]element[T], len(spans))
	const chunk = 512
	nChunks := (len(spans) + chunk - 1) / chunk
	errs := make([]error, nChunks)
	workers := min(runtime.GOMAXPROCS(0), nChunks)
	next := make(chan int, nChunks)
	for c := 0; c < nChunks; c++ {
		next <- c
	}
	close(next)
	var g safe.Group
	for w := 0; w < workers; w++ {
		g.Go(func() {
			var keys keyChecker
			for c := range next {
				for i := c * chunk; i < min((c+1)*chunk, len(spans)); i++ {
					sp := spans[i]
					path := key + "[" + strconv.Itoa(i) + "]"
					out[i].path, out[i].line, out[i].sp = path, sp.line, sp
					if err := fastUnmarshal(data[sp.start:sp.end], &out[i].v); err != nil {
						errs[c] = elementError(data, sp, path, file, err)
						break
					}
					if d := keys.check(data[sp.start:sp.end]); d != nil {
						errs[c] = dupKeyError(data, sp, path, file, d)
						break
					}
				}
			}
		})
	}
	g.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// fastUnmarshal decodes one element with goccy/go-json, about four times
// faster than encoding/json on describe-* output. On any failure, a panic
// included, the element is decoded again with encoding/json, whose result
// and error values (field path, offset) are the reference.
func fastUnmarshal[T any](b []byte, v *T) (err error) {
	ok := func() (ok bool) {
		defer func() {
			if recover() != nil {
				ok = false
			}
		}()
		return gojson.Unmarshal(b, v) == nil
	}()
	if ok {
		return nil
	}
	var zero T
	*v = zero
	return json.Unmarshal(b, v)
}

// elementError turns a decoding error inside one element into an
// InputError at the exact line.
func elementError(data []byte, sp span, path, file string, err error) error {
	lineAt := func(rel int64) int {
		off := sp.start + int(rel)
		if off > sp.end {
			off = sp.end
		}
		return sp.line + bytes.Count(data[sp.start:off], []byte{'\n'})
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		p := path
		if te.Field != "" {
			p += "." + te.Field
		}
		return &vpc.InputError{Loc: vpc.Location{File: file, Path: p, Line: lineAt(te.Offset)},
			Msg: fmt.Sprintf("expected %s, got JSON %s", goTypeName(te.Type.String()), te.Value)}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &vpc.InputError{Loc: vpc.Location{File: file, Path: path, Line: lineAt(se.Offset)}, Msg: describeJSONError(err)}
	}
	return &vpc.InputError{Loc: vpc.Location{File: file, Path: path, Line: sp.line}, Msg: describeJSONError(err)}
}

// goTypeName renders a Go type from an UnmarshalTypeError as the JSON form
// that was expected.
func goTypeName(t string) string {
	t = strings.TrimLeft(t, "*")
	switch {
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"), strings.HasPrefix(t, "float"):
		return "a number"
	case t == "string":
		return "a string"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "[]"):
		return "an array"
	}
	return "an object"
}

func describeJSONError(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return "invalid JSON: " + se.Error()
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "invalid JSON: unexpected end of file"
	}
	return "invalid JSON: " + err.Error()
}
