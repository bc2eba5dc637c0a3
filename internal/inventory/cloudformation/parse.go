package cloudformation

import (
	"errors"
	"fmt"
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
	if err != nil || root == nil || root.Kind != iac.Object {
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
		return nil, err
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, errors.New("empty document")
	}
	budget := 1 << 20
	return fromYAML(doc.Content[0], &budget, 0, strict)
}

func fromYAML(y *yaml.Node, budget *int, depth int, strict bool) (*iac.Node, error) {
	*budget--
	if *budget < 0 || depth > 256 {
		return nil, errors.New("template too large or nested too deeply")
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
	loc := vpc.Location{File: file}
	var se *iac.SyntaxError
	var te *yaml.TypeError
	switch {
	case errors.As(err, &se):
		loc.Line, err = se.Line, se.Err
	case errors.As(err, &te):
	default:
		// yaml.v3 messages start with "yaml: line N: …".
		var line int
		if _, scanErr := fmt.Sscanf(strings.TrimPrefix(err.Error(), "yaml: "), "line %d:", &line); scanErr == nil {
			loc.Line = line
		}
	}
	return &vpc.InputError{Loc: loc, Msg: fmt.Sprintf("want a CloudFormation template (JSON or YAML): %v", err)}
}
