package cloudformation

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/walls-dev/walls/internal/inventory/internal/iac"
)

// unknown is a value the template does not fix: a parameter without
// Default, a pseudo parameter, Fn::If, Fn::ImportValue, an attribute only
// AWS knows. why says which.
type unknown struct{ why string }

// maxEval bounds intrinsic nesting, so reference cycles end; maxSteps
// bounds the work of one template, whose references may fan out.
const (
	maxEval  = 24
	maxSteps = 2_000_000
)

// eval evaluates a template value. It returns nil (absent, AWS::NoValue),
// string, float64, bool, []any, *iac.Node (a plain object) or unknown.
func (l *loader) eval(n *iac.Node, depth int) any {
	if n == nil || n.Kind == iac.Null {
		return nil
	}
	if depth > maxEval {
		return unknown{"nested too deeply (a reference cycle?)"}
	}
	l.steps++
	if l.steps > maxSteps {
		return unknown{"the template is too complex to evaluate statically"}
	}
	switch n.Kind {
	case iac.String:
		return n.Str
	case iac.Bool:
		return n.Bool
	case iac.Number:
		if f, err := strconv.ParseFloat(n.Str, 64); err == nil {
			return f
		}
		return n.Str
	case iac.Array:
		out := make([]any, 0, len(n.Items))
		for _, it := range n.Items {
			v := l.eval(it, depth+1)
			if v == nil {
				continue // AWS::NoValue drops a list element
			}
			out = append(out, v)
		}
		return out
	}
	if len(n.Keys) != 1 {
		return n
	}
	fn := n.Keys[0]
	arg := n.Map[fn]
	switch fn {
	case "Ref":
		if arg.Kind != iac.String {
			return unknown{"Ref: want a name"}
		}
		return l.ref(arg.Str, depth)
	case "Fn::GetAtt":
		return l.getAtt(arg, depth)
	case "Fn::Sub":
		return l.sub(arg, depth)
	case "Fn::Join":
		return l.join(arg, depth)
	case "Fn::Select":
		return l.selectFn(arg, depth)
	case "Fn::Split":
		if arg.Kind != iac.Array || len(arg.Items) != 2 {
			return unknown{"Fn::Split: want [delimiter, string]"}
		}
		d, s := l.eval(arg.Items[0], depth+1), l.eval(arg.Items[1], depth+1)
		ds, ok1 := d.(string)
		ss, ok2 := s.(string)
		if !ok1 || !ok2 {
			return unknownOf(d, s, "Fn::Split")
		}
		var out []any
		for _, p := range strings.Split(ss, ds) {
			out = append(out, p)
		}
		return out
	case "Fn::FindInMap":
		return l.findInMap(arg, depth)
	case "Fn::If":
		return l.fnIf(arg, depth)
	case "Fn::GetAZs", "Fn::ImportValue", "Fn::Cidr", "Fn::Base64", "Fn::Transform",
		"Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition", "Fn::Length", "Fn::ToJsonString", "Fn::GetParam":
		return unknown{fn + " is not evaluated"}
	}
	if strings.HasPrefix(fn, "Fn::") {
		return unknown{fn + " is not evaluated"}
	}
	return n
}

func unknownOf(a, b any, fn string) any {
	for _, v := range []any{a, b} {
		if u, ok := v.(unknown); ok {
			return u
		}
	}
	return unknown{fn + ": arguments of the wrong type"}
}

// ref resolves Ref: a resource's logical id is its model id; a parameter
// is its Default; pseudo parameters are unknown.
func (l *loader) ref(name string, depth int) any {
	if name == "AWS::NoValue" {
		return nil
	}
	if _, ok := l.resources[name]; ok {
		return l.id(name)
	}
	if p := l.params[name]; p != nil {
		def := p.Get("Default")
		if def.IsNull() {
			return unknown{fmt.Sprintf("parameter %s has no Default", name)}
		}
		v := l.eval(def, depth+1)
		if t := p.Get("Type"); t != nil && t.Kind == iac.String && (strings.HasPrefix(t.Str, "List<") || t.Str == "CommaDelimitedList") {
			if s, ok := v.(string); ok {
				var out []any
				for _, part := range strings.Split(s, ",") {
					out = append(out, strings.TrimSpace(part))
				}
				return out
			}
		}
		if f, ok := v.(float64); ok {
			return strconv.FormatFloat(f, 'f', -1, 64)
		}
		return v
	}
	if strings.HasPrefix(name, "AWS::") {
		return unknown{"pseudo parameter " + name + " is known only at deploy time"}
	}
	return unknown{fmt.Sprintf("Ref %s: no such parameter or resource", name)}
}

// getAtt resolves the attributes walls needs: ids of the template's
// resources, and CIDR blocks declared literally.
func (l *loader) getAtt(arg *iac.Node, depth int) any {
	var res, attr string
	switch {
	case arg.Kind == iac.Array && len(arg.Items) == 2:
		r, a := l.eval(arg.Items[0], depth+1), l.eval(arg.Items[1], depth+1)
		rs, ok1 := r.(string)
		as, ok2 := a.(string)
		if !ok1 || !ok2 {
			return unknownOf(r, a, "Fn::GetAtt")
		}
		res, attr = rs, as
	case arg.Kind == iac.String:
		res, attr, _ = strings.Cut(arg.Str, ".")
	default:
		return unknown{"Fn::GetAtt: want [resource, attribute]"}
	}
	return l.attribute(res, attr, depth)
}

func (l *loader) attribute(res, attr string, depth int) any {
	r := l.resources[res]
	if r == nil {
		return unknown{fmt.Sprintf("Fn::GetAtt %s.%s: no such resource", res, attr)}
	}
	key := res + "." + attr
	if l.evaluating[key] {
		return unknown{"Fn::GetAtt " + key + " refers to itself"}
	}
	if l.evaluating == nil {
		l.evaluating = map[string]bool{}
	}
	l.evaluating[key] = true
	defer delete(l.evaluating, key)
	props := r.Get("Properties")
	switch attr {
	case "GroupId", "Id", "NetworkAclId", "SubnetId", "VpcId", "PrefixListId", "InstanceId", "NetworkInterfaceId":
		if attr == "VpcId" && l.types[res] != "AWS::EC2::VPC" {
			return l.eval(props.Get("VpcId"), depth+1)
		}
		return l.id(res)
	case "DefaultNetworkAcl", "DefaultSecurityGroup":
		return l.id(res) + "." + attr
	case "CidrBlock", "PrivateIp", "PrimaryPrivateIpAddress":
		key := attr
		if attr != "CidrBlock" {
			key = "PrivateIpAddress"
		}
		if v := l.eval(props.Get(key), depth+1); v != nil {
			return v
		}
	}
	return unknown{fmt.Sprintf("Fn::GetAtt %s.%s is known only at deploy time", res, attr)}
}

// sub evaluates Fn::Sub: "${Name}", "${Res.Attr}", "${!Literal}".
func (l *loader) sub(arg *iac.Node, depth int) any {
	tmpl := arg
	var vars *iac.Node
	if arg.Kind == iac.Array {
		if len(arg.Items) != 2 {
			return unknown{"Fn::Sub: want a string or [string, variables]"}
		}
		tmpl, vars = arg.Items[0], arg.Items[1]
	}
	if tmpl.Kind != iac.String {
		return unknown{"Fn::Sub: want a string"}
	}
	s := tmpl.Str
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		j := strings.Index(s[i:], "}")
		if j < 0 {
			b.WriteString(s[i:])
			return b.String()
		}
		name := s[i+2 : i+j]
		s = s[i+j+1:]
		if strings.HasPrefix(name, "!") {
			b.WriteString("${" + name[1:] + "}")
			continue
		}
		var v any
		if vn := vars.Get(name); vn != nil {
			v = l.eval(vn, depth+1)
		} else if res, attr, ok := strings.Cut(name, "."); ok {
			v = l.attribute(res, attr, depth+1)
		} else {
			v = l.ref(name, depth+1)
		}
		switch t := v.(type) {
		case string:
			b.WriteString(t)
		case float64:
			b.WriteString(strconv.FormatFloat(t, 'f', -1, 64))
		case unknown:
			return t
		default:
			return unknown{"Fn::Sub: ${" + name + "} is not a string"}
		}
	}
}

func (l *loader) join(arg *iac.Node, depth int) any {
	if arg.Kind != iac.Array || len(arg.Items) != 2 {
		return unknown{"Fn::Join: want [delimiter, list]"}
	}
	d, list := l.eval(arg.Items[0], depth+1), l.eval(arg.Items[1], depth+1)
	ds, ok := d.(string)
	items, ok2 := list.([]any)
	if !ok || !ok2 {
		return unknownOf(d, list, "Fn::Join")
	}
	parts := make([]string, 0, len(items))
	for _, it := range items {
		switch t := it.(type) {
		case string:
			parts = append(parts, t)
		case float64:
			parts = append(parts, strconv.FormatFloat(t, 'f', -1, 64))
		case unknown:
			return t
		default:
			return unknown{"Fn::Join: want a list of strings"}
		}
	}
	return strings.Join(parts, ds)
}

func (l *loader) selectFn(arg *iac.Node, depth int) any {
	if arg.Kind != iac.Array || len(arg.Items) != 2 {
		return unknown{"Fn::Select: want [index, list]"}
	}
	i, list := l.eval(arg.Items[0], depth+1), l.eval(arg.Items[1], depth+1)
	var idx int
	switch t := i.(type) {
	case float64:
		idx = int(t)
	case string:
		n, err := strconv.Atoi(t)
		if err != nil {
			return unknown{"Fn::Select: want a whole-number index"}
		}
		idx = n
	default:
		return unknownOf(i, list, "Fn::Select")
	}
	items, ok := list.([]any)
	if !ok {
		return unknownOf(i, list, "Fn::Select")
	}
	if idx < 0 || idx >= len(items) {
		return unknown{"Fn::Select: index out of range"}
	}
	return items[idx]
}

func (l *loader) findInMap(arg *iac.Node, depth int) any {
	if arg.Kind != iac.Array || len(arg.Items) < 3 {
		return unknown{"Fn::FindInMap: want [map, key, key]"}
	}
	var keys [3]string
	for i := 0; i < 3; i++ {
		v := l.eval(arg.Items[i], depth+1)
		s, ok := v.(string)
		if !ok {
			return unknownOf(v, nil, "Fn::FindInMap")
		}
		keys[i] = s
	}
	v := l.mappings.Get(keys[0]).Get(keys[1]).Get(keys[2])
	if v == nil {
		return unknown{"Fn::FindInMap: no such entry"}
	}
	return l.eval(v, depth+1)
}
