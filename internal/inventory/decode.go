package inventory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

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

// decodeAWSJSON reads one AWS CLI JSON document, streaming each top-level
// array so every element keeps its line number.
func decodeAWSJSON(file string, data []byte) (*fileData, error) {
	li := newLineIndex(data)
	fd := &fileData{file: file}
	dec := json.NewDecoder(bytes.NewReader(data))
	fail := func(path string, off int64, err error) error {
		return &vpc.InputError{Loc: vpc.Location{File: file, Path: path, Line: li.line(off)}, Msg: describeJSONError(err)}
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, fail("", dec.InputOffset(), err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, &vpc.InputError{Loc: vpc.Location{File: file, Line: 1},
			Msg: "expected a JSON object with AWS CLI output keys such as SecurityGroups, NetworkInterfaces or NetworkAcls"}
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fail("", dec.InputOffset(), err)
		}
		key, _ := tok.(string)
		if !knownKeys[key] {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, fail(key, dec.InputOffset(), err)
			}
			if !ignoredKeys[key] {
				fd.unknownKeys = append(fd.unknownKeys, key)
			}
			continue
		}
		var derr error
		switch key {
		case "SecurityGroups":
			fd.groups, derr = decodeArray[rawSecurityGroup](dec, key, li, file)
		case "SecurityGroupRules":
			fd.rules, derr = decodeArray[rawSecurityGroupRule](dec, key, li, file)
		case "NetworkInterfaces":
			fd.interfaces, derr = decodeArray[rawInterface](dec, key, li, file)
		case "NetworkAcls":
			fd.nacls, derr = decodeArray[rawNACL](dec, key, li, file)
		case "Subnets":
			fd.subnets, derr = decodeArray[rawSubnet](dec, key, li, file)
		case "Vpcs":
			fd.vpcs, derr = decodeArray[rawVPC](dec, key, li, file)
		case "PrefixLists":
			fd.prefixLists, derr = decodeArray[rawPrefixList](dec, key, li, file)
		case "Entries":
			fd.entries, derr = decodeArray[rawPrefixListEntry](dec, key, li, file)
			fd.hasEntries = true
		}
		if derr != nil {
			return nil, derr
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, fail("", dec.InputOffset(), err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &vpc.InputError{Loc: vpc.Location{File: file, Line: li.line(dec.InputOffset())},
			Msg: "unexpected data after the top-level JSON object"}
	}
	return fd, nil
}

// decodeArray decodes the array value of a top-level key element by element.
func decodeArray[T any](dec *json.Decoder, key string, li lineIndex, file string) ([]element[T], error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, &vpc.InputError{Loc: vpc.Location{File: file, Path: key, Line: li.line(dec.InputOffset())}, Msg: describeJSONError(err)}
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, &vpc.InputError{Loc: vpc.Location{File: file, Path: key, Line: li.line(dec.InputOffset())},
			Msg: fmt.Sprintf("expected an array, got %s", tokenKind(tok))}
	}
	var out []element[T]
	for i := 0; dec.More(); i++ {
		path := fmt.Sprintf("%s[%d]", key, i)
		// InputOffset is the end of the previous token; skip separators to
		// find where the element starts.
		start := dec.InputOffset() + 1
		line := li.line(start)
		var v T
		if err := dec.Decode(&v); err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) {
				return nil, &vpc.InputError{Loc: vpc.Location{File: file, Path: path, Line: li.line(se.Offset)}, Msg: describeJSONError(err)}
			}
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				p := path
				if te.Field != "" {
					p += "." + te.Field
				}
				return nil, &vpc.InputError{Loc: vpc.Location{File: file, Path: p, Line: li.line(te.Offset)},
					Msg: fmt.Sprintf("expected %s, got JSON %s", goTypeName(te.Type.String()), te.Value)}
			}
			return nil, &vpc.InputError{Loc: vpc.Location{File: file, Path: path, Line: li.line(dec.InputOffset())}, Msg: describeJSONError(err)}
		}
		out = append(out, element[T]{v: v, path: path, line: line})
	}
	if _, err := dec.Token(); err != nil { // closing ]
		return nil, &vpc.InputError{Loc: vpc.Location{File: file, Path: key, Line: li.line(dec.InputOffset())}, Msg: describeJSONError(err)}
	}
	return out, nil
}

func tokenKind(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		if v == '{' {
			return "an object"
		}
		return string(v)
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", t)
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
