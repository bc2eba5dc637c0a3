package cloudformation

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/walls-dev/walls/internal/inventory/internal/iac"
	"github.com/walls-dev/walls/internal/vpc"
)

// Detect reports whether data is a CloudFormation template in JSON or
// YAML: a top-level AWSTemplateFormatVersion, or Resources holding at
// least one resource whose Type starts with "AWS::".
func Detect(data []byte) bool {
	root, err := parse(data, false)
	return err == nil && isTemplate(root)
}

// Probe is Detect for a file whose name says YAML (.yaml, .yml,
// .template): when its content does not parse, it also returns why, as a
// *vpc.InputError at the line the YAML (or JSON) parser stopped.
func Probe(file string, data []byte) (bool, error) {
	root, err := parse(data, false)
	if err != nil {
		loc, reason := locate(file, err)
		kind := "YAML"
		var se *iac.SyntaxError
		if errors.As(err, &se) {
			kind = "JSON"
		}
		return false, &vpc.InputError{Loc: loc, Msg: fmt.Sprintf("invalid %s: %s", kind, reason)}
	}
	return isTemplate(root), nil
}

func isTemplate(root *iac.Node) bool {
	if root == nil || root.Kind != iac.Object {
		return false
	}
	if root.Get("AWSTemplateFormatVersion") != nil {
		return true
	}
	rs := root.Get("Resources")
	if rs == nil || rs.Kind != iac.Object {
		return false
	}
	for _, k := range rs.Keys {
		if t := rs.Map[k].Get("Type"); t != nil && t.Kind == iac.String && strings.HasPrefix(t.Str, "AWS::") {
			return true
		}
	}
	return false
}

// parse reads a JSON or YAML template into a Node tree. YAML short forms
// (!Ref X, !GetAtt A.B, !Sub …) become their long forms ({"Ref": X},
// {"Fn::GetAtt": [A, B]}, {"Fn::Sub": …}). When strict, a key twice in
// one mapping is an error, in JSON and YAML alike (yaml.v3 itself refuses
// it only when decoding into Go maps and structs, not into a node tree);
// detection is not strict, so that such a template is still recognised and
// then refused with the error.
func parse(data []byte, strict bool) (*iac.Node, error) {
	var jsonErr error
	if iac.LooksLikeJSON(data) {
		n, err := iac.ParseJSON(data)
		if err == nil {
			return n, nil
		}
		var dup *iac.DuplicateKeyError
		if strict && errors.As(err, &dup) {
			return nil, err
		}
		jsonErr = err // JSON is YAML: YAML's looser flow style may still read it
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		if jsonErr != nil {
			return nil, jsonErr
		}
		return nil, yamlError(data, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, errors.New("empty document")
	}
	budget := maxNodes
	return fromYAML(doc.Content[0], &budget, 0, strict)
}

// MaxDepth bounds the nesting of a template (JSON templates are bounded
// the same by the JSON reader). yaml.v3 itself stops at 10,000 levels.
const MaxDepth = 256

// maxNodes bounds the values of a template once YAML aliases are expanded:
// a few aliases of aliases otherwise make billions.
const maxNodes = 1 << 20

func fromYAML(y *yaml.Node, budget *int, depth int, strict bool) (*iac.Node, error) {
	*budget--
	if *budget < 0 {
		return nil, fmt.Errorf("line %d: more than %d values, aliases expanded", y.Line, maxNodes)
	}
	if depth > MaxDepth {
		return nil, fmt.Errorf("line %d: nested more than %d levels deep", y.Line, MaxDepth)
	}
	if y.Kind == yaml.AliasNode {
		if y.Alias == nil {
			return nil, fmt.Errorf("line %d: unknown alias", y.Line)
		}
		return fromYAML(y.Alias, budget, depth+1, strict)
	}
	n := &iac.Node{Line: y.Line}
	tag := y.Tag
	custom := strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!")
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			n.Kind = iac.Null
			return n, nil
		}
		return fromYAML(y.Content[0], budget, depth+1, strict)
	case yaml.ScalarNode:
		switch {
		case custom:
			n.Kind, n.Str = iac.String, y.Value
		default:
			switch y.ShortTag() {
			case "!!null":
				n.Kind = iac.Null
			case "!!bool":
				var b bool
				if err := y.Decode(&b); err != nil {
					n.Kind, n.Str = iac.String, y.Value
				} else {
					n.Kind, n.Bool = iac.Bool, b
				}
			case "!!int", "!!float":
				n.Kind, n.Str = iac.Number, y.Value
			default:
				n.Kind, n.Str = iac.String, y.Value
			}
		}
	case yaml.SequenceNode:
		n.Kind = iac.Array
		for _, c := range y.Content {
			cn, err := fromYAML(c, budget, depth+1, strict)
			if err != nil {
				return nil, err
			}
			n.Items = append(n.Items, cn)
		}
	case yaml.MappingNode:
		n.Kind = iac.Object
		n.Map = map[string]*iac.Node{}
		explicit := map[string]int{} // keys written in this mapping, not merged in, by line
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge" {
				mv, err := fromYAML(v, budget, depth+1, strict)
				if err != nil {
					return nil, err
				}
				for _, mk := range mv.Keys {
					if _, ok := n.Map[mk]; !ok {
						n.Set(mk, mv.Map[mk])
					}
				}
				continue
			}
			if first, dup := explicit[k.Value]; dup && strict {
				return nil, &iac.SyntaxError{Line: k.Line, Err: &iac.DuplicateKeyError{Key: k.Value, First: first}}
			}
			explicit[k.Value] = k.Line
			cv, err := fromYAML(v, budget, depth+1, strict)
			if err != nil {
				return nil, err
			}
			if cv.Kind == iac.Object || cv.Kind == iac.Array {
				cv.Line = k.Line
			}
			n.Set(k.Value, cv)
		}
	default:
		n.Kind = iac.Null
	}
	if custom {
		return shortForm(tag, n), nil
	}
	return n, nil
}

// shortForm turns a YAML short-form intrinsic into its long form.
func shortForm(tag string, n *iac.Node) *iac.Node {
	name := tag[1:]
	var key string
	switch name {
	case "Ref", "Condition":
		key = name
	case "GetAtt":
		key = "Fn::GetAtt"
		if n.Kind == iac.String {
			res, attr, _ := strings.Cut(n.Str, ".")
			n = &iac.Node{Kind: iac.Array, Line: n.Line, Items: []*iac.Node{
				{Kind: iac.String, Str: res, Line: n.Line}, {Kind: iac.String, Str: attr, Line: n.Line}}}
		}
	default:
		key = "Fn::" + name
	}
	out := &iac.Node{Kind: iac.Object, Line: n.Line}
	out.Set(key, n)
	return out
}

// parseError turns a parse failure into a located input error.
func parseError(file string, err error) error {
	loc, reason := locate(file, err)
	return &vpc.InputError{Loc: loc, Msg: "want a CloudFormation template (JSON or YAML): " + reason}
}

// locate splits a parse failure into its location and its reason.
func locate(file string, err error) (vpc.Location, string) {
	loc := vpc.Location{File: file}
	var se *iac.SyntaxError
	var te *yaml.TypeError
	switch {
	case errors.As(err, &se):
		loc.Line = se.Line
		return loc, se.Err.Error()
	case errors.As(err, &te):
		return loc, err.Error()
	}
	// yaml.v3 messages read "yaml: line N: …", ours "line N: …".
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
		loc.Line = line
		_, msg, _ = strings.Cut(msg, ": ")
	}
	return loc, msg
}

// yamlError points a yaml.v3 error at the line where parsing failed.
// yaml.v3 gives the line of the enclosing block (its "context"), off by
// one, or none at all (exceeded max depth); the line reported here is the
// first whose prefix of the document fails with the same problem, found by
// bisection: a few parses, on the error path only.
func yamlError(data []byte, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	problem := msg
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if _, p, ok := strings.Cut(rest, ": "); ok {
			problem = p
		}
	}
	var ends []int // the end of each line, its newline included
	for off := 0; off < len(data); {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			ends = append(ends, len(data))
			break
		}
		off += i + 1
		ends = append(ends, off)
	}
	fails := func(n int) bool { // the first n lines fail with the problem
		var doc yaml.Node
		e := yaml.Unmarshal(data[:ends[n-1]], &doc)
		return e != nil && strings.HasSuffix(e.Error(), problem)
	}
	if len(ends) == 0 || !fails(len(ends)) {
		return errors.New(msg)
	}
	n := sort.Search(len(ends), func(i int) bool { return fails(i + 1) }) + 1
	return fmt.Errorf("line %d: %s", n, problem)
}
