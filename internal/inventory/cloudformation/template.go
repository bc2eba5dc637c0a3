// Package cloudformation reads AWS CloudFormation templates (JSON or YAML)
// into walls' vpc model, keeping the file and line of every resource and
// rule so audit findings point into the template.
//
// A template is read statically: parameters resolve to their Default,
// resources to their logical id (!Ref WebSG is the group whose id is
// "WebSG"), and the intrinsics Ref, Fn::GetAtt (ids and literal CIDR
// blocks), Fn::Sub, Fn::Join, Fn::Select, Fn::Split and Fn::FindInMap are
// evaluated. Anything else (Fn::If, Fn::ImportValue, pseudo parameters,
// parameters without Default) is unknown: it is reported as a vpc.Warning
// at its line and the rule or field is skipped, never guessed.
package cloudformation

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/walls-dev/walls/internal/inventory/internal/iac"
	"github.com/walls-dev/walls/internal/vpc"
)

// AssumedDefaultEgress is the Description given to the rule walls adds to
// an AWS::EC2::SecurityGroup declared without SecurityGroupEgress:
// CloudFormation then keeps AWS's default allow-all IPv4 egress (docs/semantics.md#sg-pool,
// #inputs). The IPv6 ::/0 twin the CFN docs mention is not added: reports
// conflict (docs/semantics.md#sg-pool). A warning with code "assumed-default-egress"
// accompanies every such rule.
const AssumedDefaultEgress = "assumed default: allow-all IPv4 egress CloudFormation keeps when SecurityGroupEgress is not declared"

// LoadTemplate adds the network resources of a CloudFormation template to
// inv: AWS::EC2::VPC (+ VPCCidrBlock), Subnet, SecurityGroup (inline
// SecurityGroupIngress/SecurityGroupEgress), SecurityGroupIngress,
// SecurityGroupEgress, NetworkAcl, NetworkAclEntry,
// SubnetNetworkAclAssociation, Instance, NetworkInterface and PrefixList.
// Model ids are logical ids. Locations are file and line (JSON or YAML)
// with the template path (Resources.WebSG.Properties.SecurityGroupIngress[0]).
// Malformed input (bad CIDR, port out of range, missing required property)
// returns a *vpc.InputError saying what was expected.
func LoadTemplate(file string, data []byte, inv *vpc.Inventory) error {
	root, err := parse(data, true)
	if err != nil {
		return parseError(file, err)
	}
	if root.Kind != iac.Object {
		return iac.Errorf(vpc.Location{File: file, Line: root.Line}, "want a CloudFormation template: an object with Resources")
	}
	l := &loader{file: file, inv: inv, params: map[string]*iac.Node{}, resources: map[string]*iac.Node{}, types: map[string]string{},
		pending: iac.Pending{Input: "template", DefaultNACLs: true}}
	if ps := root.Get("Parameters"); ps != nil && ps.Kind == iac.Object {
		for _, k := range ps.Keys {
			l.params[k] = ps.Map[k]
		}
	}
	l.mappings = root.Get("Mappings")
	l.conditions = root.Get("Conditions")
	rs := root.Get("Resources")
	if rs == nil || rs.Kind != iac.Object {
		return iac.Errorf(vpc.Location{File: file, Line: root.Line}, "missing Resources: want a CloudFormation template with a Resources object")
	}
	type item struct {
		id  string
		typ string
		n   *iac.Node
	}
	var items []item
	keys, err := l.expandForEach(rs)
	if err != nil {
		return err
	}
	for _, id := range keys {
		r := rs.Map[id]
		loc := vpc.Location{File: file, Path: "Resources." + id, Line: r.Line}
		if r.Kind != iac.Object {
			if err := iac.SkipResource(inv, id, iac.Errorf(loc, "want a resource object with Type and Properties")); err != nil {
				return err
			}
			continue
		}
		t := r.Get("Type")
		switch {
		case t == nil || t.Kind == iac.Null:
			if err := iac.SkipResource(inv, id, iac.Errorf(loc, "missing Type: want a resource type such as AWS::EC2::SecurityGroup")); err != nil {
				return err
			}
			continue
		case t.Kind == iac.Object && len(t.Keys) == 1:
			// A tag of another tool (Rain's !Rain::Module) or an intrinsic
			// where CloudFormation wants a literal type.
			tag := strings.TrimPrefix(t.Keys[0], "Fn::")
			inv.Warn(vpc.Warning{Code: "skipped-resource", Resource: id, Source: loc, Skipped: vpc.SkippedResource,
				Message: fmt.Sprintf("%s: Type is !%s, a construct walls does not expand (a Rain module or another tool's tag); resource skipped", id, tag)})
			continue
		case t.Kind != iac.String:
			if err := iac.SkipResource(inv, id, iac.Errorf(loc, "Type: want a resource type such as AWS::EC2::SecurityGroup")); err != nil {
				return err
			}
			continue
		}
		l.resources[id] = r
		l.types[id] = t.Str
		if order[t.Str] > 0 {
			items = append(items, item{id, t.Str, r})
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return order[items[i].typ] < order[items[j].typ] })
	for _, it := range items {
		src, taken := iac.TakenBy(inv, it.id)
		if !taken {
			continue
		}
		if iac.SamePath(src.File, file) {
			return nil // the same template named twice: read once
		}
		// Another template took the logical id: qualify this one's.
		l.qual = filepath.ToSlash(file) + "/"
		break
	}
	for _, it := range items {
		l.expandPropertyLoops(it.n.Get("Properties"), it.id, "Resources."+it.id+".Properties", 0)
	}
	for _, it := range items {
		p := props{n: it.n.Get("Properties"), path: "Resources." + it.id + ".Properties", res: it.id, line: it.n.Line}
		if p.n != nil && p.n.Kind != iac.Object {
			p.n = l.asObject(p.n)
			if p.n == nil {
				if err := iac.SkipResource(inv, it.id, iac.Errorf(l.loc(p, ""), "Properties: want an object")); err != nil {
					return err
				}
				continue
			}
		}
		l.resWhen = ""
		if c := it.n.Get("Condition"); c != nil && c.Kind == iac.String {
			loc := vpc.Location{File: file, Path: "Resources." + it.id, Line: it.n.Line}
			switch holds, ok, why := l.condition(c.Str, 0); {
			case ok && !holds:
				l.inv.Warn(vpc.Warning{Code: "conditional-resource", Resource: it.id, Note: true, Source: loc,
					Message: fmt.Sprintf("%s: condition %s is false with the parameters' defaults; the resource is not created and not audited", it.id, c.Str)})
				continue
			case !ok:
				l.inv.Warn(vpc.Warning{Code: "conditional-resource", Resource: it.id, Note: true, Source: loc,
					Message: fmt.Sprintf("%s exists only when condition %s holds (%s); walls audits it, and its findings say so", it.id, c.Str, why)})
				l.resWhen = "condition " + c.Str + " is true"
			}
		}
		if err := iac.SkipResource(inv, it.id, l.readResource(it.typ, p, it.n.Get("Condition"))); err != nil {
			return err
		}
	}
	return l.finish()
}

// order processes containers before the rules and associations that point
// into them.
var order = map[string]int{
	"AWS::EC2::VPC": 1, "AWS::EC2::VPCCidrBlock": 2, "AWS::EC2::Subnet": 2,
	"AWS::EC2::SecurityGroup": 3, "AWS::EC2::NetworkAcl": 3, "AWS::EC2::PrefixList": 3,
	"AWS::EC2::SecurityGroupIngress": 4, "AWS::EC2::SecurityGroupEgress": 4,
	"AWS::EC2::NetworkAclEntry": 4, "AWS::EC2::SubnetNetworkAclAssociation": 4,
	"AWS::EC2::Instance": 5, "AWS::EC2::NetworkInterface": 5,
}

type loader struct {
	file string
	// qual qualifies the template's model ids when its logical ids are
	// taken by another template read before ("stacks/b.yaml/WebSG"):
	// logical ids are unique within one template only.
	qual      string
	inv       *vpc.Inventory
	params    map[string]*iac.Node
	mappings  *iac.Node
	resources map[string]*iac.Node
	types     map[string]string
	// steps counts evaluations; evaluating holds the Fn::GetAtt targets
	// being evaluated, to cut reference cycles.
	steps      int
	evaluating map[string]bool
	// pending holds associations, NACLs and interfaces for finish.
	pending iac.Pending
	// conditions is the template's Conditions section; assume fixes the
	// value of undecidable conditions while one branch of their Fn::If is
	// read (see variants).
	conditions *iac.Node
	assume     map[string]bool
	condCache  map[string]condResult
	// expanded counts the values Fn::ForEach loops added, against maxNodes.
	expanded int
	// skippedKeys: the key templates of the Fn::ForEach loops removed
	// from a properties object because their collection is not known.
	skippedKeys map[*iac.Node][]string
	// resWhen is the undecidable Condition of the resource being read,
	// in words, which its rules carry (vpc.Rule.When).
	resWhen string
	// defaultEgress lists the groups declared without
	// SecurityGroupEgress, for the template's one note about them.
	defaultEgress []string
}

// id is the model id of the resource with logical id logical.
func (l *loader) id(logical string) string { return l.qual + logical }

// props is a property object with its template path, for locations.
type props struct {
	n    *iac.Node
	path string
	res  string // logical id of the resource
	line int    // fallback line
	// when is the undecidable condition (in words) under which this
	// object exists: a branch of an Fn::If item (vpc.Rule.When).
	when string
}

func (l *loader) loc(p props, key string) vpc.Location {
	loc := vpc.Location{File: l.file, Path: p.path, Line: p.line}
	if p.n != nil {
		loc.Line = p.n.Line
	}
	if key != "" {
		loc.Path += "." + key
		if c := p.n.Get(key); c != nil {
			loc.Line = c.Line
		}
	}
	return loc
}

// asObject evaluates n and returns it as a plain object, or nil.
func (l *loader) asObject(n *iac.Node) *iac.Node {
	if o, ok := l.eval(n, 0).(*iac.Node); ok && o.Kind == iac.Object {
		return o
	}
	return nil
}

// warnUnknown records an unknown value and its consequence.
func (l *loader) warnUnknown(p props, key string, u unknown, consequence string) {
	l.inv.Warn(vpc.Warning{Code: "unknown-value", Resource: p.res,
		Message: fmt.Sprintf("%s: %s is unknown (%s); %s", p.res, strings.TrimPrefix(l.loc(p, key).Path, "Resources."+p.res+"."), u.why, consequence),
		Source:  l.loc(p, key)})
}

type state = iac.State

const (
	absent    = iac.Absent
	known     = iac.Known
	isUnknown = iac.Unknown
)

// str reads a string property (numbers and bools in canonical text).
func (l *loader) str(p props, key string) (string, state, unknown, error) {
	v := l.eval(p.n.Get(key), 0)
	switch t := v.(type) {
	case nil:
		return "", absent, unknown{}, nil
	case unknown:
		return "", isUnknown, t, nil
	case string:
		return t, known, unknown{}, nil
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), known, unknown{}, nil
	case bool:
		return strconv.FormatBool(t), known, unknown{}, nil
	}
	return "", absent, unknown{}, iac.Errorf(l.loc(p, key), "%s: want a string", key)
}

func (l *loader) integer(p props, key string) (iac.Int, state, unknown, error) {
	v := l.eval(p.n.Get(key), 0)
	switch t := v.(type) {
	case nil:
		return iac.Int{}, absent, unknown{}, nil
	case unknown:
		return iac.Int{}, isUnknown, t, nil
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1<<40 {
			return iac.SomeInt(int64(t)), known, unknown{}, nil
		}
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(t), 10, 64); err == nil {
			return iac.SomeInt(n), known, unknown{}, nil
		}
	}
	return iac.Int{}, absent, unknown{}, iac.Errorf(l.loc(p, key), "%s: want a whole number", key)
}

func (l *loader) boolean(p props, key string) (bool, state, unknown, error) {
	v := l.eval(p.n.Get(key), 0)
	switch t := v.(type) {
	case nil:
		return false, absent, unknown{}, nil
	case unknown:
		return false, isUnknown, t, nil
	case bool:
		return t, known, unknown{}, nil
	case string:
		if b, err := strconv.ParseBool(t); err == nil {
			return b, known, unknown{}, nil
		}
	}
	return false, absent, unknown{}, iac.Errorf(l.loc(p, key), "%s: want true or false", key)
}

// strList reads a list of strings; unknown elements are counted.
func (l *loader) strList(p props, key string) ([]string, int, state, unknown, error) {
	v := l.eval(p.n.Get(key), 0)
	switch t := v.(type) {
	case nil:
		return nil, 0, absent, unknown{}, nil
	case unknown:
		return nil, 0, isUnknown, t, nil
	case []any:
		var out []string
		unk, why := 0, unknown{}
		for i, e := range t {
			switch s := e.(type) {
			case string:
				out = append(out, s)
			case unknown:
				unk, why = unk+1, s
			case []any: // a List parameter inside a list
				for _, x := range s {
					if xs, ok := x.(string); ok {
						out = append(out, xs)
					}
				}
			default:
				return nil, 0, absent, unknown{}, iac.Errorf(l.loc(p, key), "%s[%d]: want a string", key, i)
			}
		}
		return out, unk, known, why, nil
	}
	return nil, 0, absent, unknown{}, iac.Errorf(l.loc(p, key), "%s: want a list of strings", key)
}

// objects reads a list of property objects (rules, entries, interfaces);
// an unknown item is skipped with a warning.
func (l *loader) objects(p props, key string) ([]props, state, unknown, error) {
	out, _, st, u, err := l.objectsOf(p, key, true)
	return out, st, u, err
}

// objectsOf reads a list of property objects. Unknown items are left out
// and counted in unk, with the first one's reason in u; warnItems warns
// about each.
func (l *loader) objectsOf(p props, key string, warnItems bool) (out []props, unk int, st state, u unknown, err error) {
	n := p.n.Get(key)
	if n.IsNull() {
		return nil, 0, absent, unknown{}, nil
	}
	if n.Kind != iac.Array {
		v := l.eval(n, 0)
		if u, ok := v.(unknown); ok {
			return nil, 0, isUnknown, u, nil
		}
		return nil, 0, absent, unknown{}, iac.Errorf(l.loc(p, key), "%s: want a list of objects", key)
	}
	for i, it := range n.Items {
		path := fmt.Sprintf("%s.%s[%d]", p.path, key, i)
		o := it
		if branches := l.ifBranches(it); branches != nil {
			for _, b := range branches {
				if ob, ok := l.eval(b.n, 0).(*iac.Node); ok && ob.Kind == iac.Object {
					out = append(out, props{n: ob, path: path, res: p.res, line: it.Line, when: joinWhen(p.when, b.when)})
				}
			}
			continue
		}
		if it.Kind != iac.Object || len(it.Keys) == 1 && (it.Keys[0] == "Ref" || strings.HasPrefix(it.Keys[0], "Fn::")) {
			v := l.eval(it, 0)
			if iu, ok := v.(unknown); ok {
				if unk == 0 {
					u = iu
				}
				unk++
				if warnItems {
					l.warnUnknown(props{n: it, path: path, res: p.res}, "", iu, "item skipped")
				}
				continue
			}
			if v == nil {
				continue
			}
			ob, ok := v.(*iac.Node)
			if !ok {
				return nil, 0, absent, unknown{}, iac.Errorf(vpc.Location{File: l.file, Path: path, Line: it.Line}, "want an object")
			}
			o = ob
		}
		out = append(out, props{n: o, path: path, res: p.res, line: it.Line, when: p.when})
	}
	return out, unk, known, u, nil
}

func (l *loader) tags(p props) map[string]string {
	objs, _, _, err := l.objects(p, "Tags")
	if err != nil || len(objs) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, t := range objs {
		k, _, _, _ := l.str(t, "Key")
		v, _, _, _ := l.str(t, "Value")
		if k != "" {
			out[k] = v
		}
	}
	return out
}

// ref reads a reference-like property; unknown gives "" after a warning.
func (l *loader) refProp(p props, key, consequence string) (string, error) {
	return iac.Ref(newBody(l, p), key, consequence)
}

// readResource reads a resource. Inside a resource that exists only when
// an undecidable condition holds, the condition holds: an Fn::If on it
// takes its true branch.
func (l *loader) readResource(typ string, p props, cond *iac.Node) error {
	if l.resWhen == "" || cond == nil || cond.Kind != iac.String {
		return l.resource(typ, p)
	}
	saved, savedCache := l.assume, l.condCache
	defer func() { l.assume, l.condCache = saved, savedCache }()
	l.assume, l.condCache = map[string]bool{cond.Str: true}, nil
	for k, v := range saved {
		l.assume[k] = v
	}
	return l.resource(typ, p)
}

func (l *loader) resource(typ string, p props) error {
	if p.n == nil {
		p.n = &iac.Node{Kind: iac.Object, Line: p.line}
	}
	switch typ {
	case "AWS::EC2::VPC":
		return l.vpc(p)
	case "AWS::EC2::VPCCidrBlock":
		return l.vpcCidrBlock(p)
	case "AWS::EC2::Subnet":
		return l.subnet(p)
	case "AWS::EC2::SecurityGroup":
		return l.group(p)
	case "AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress":
		return l.standaloneRule(p, typ == "AWS::EC2::SecurityGroupEgress")
	case "AWS::EC2::NetworkAcl":
		return l.nacl(p)
	case "AWS::EC2::NetworkAclEntry":
		return l.naclEntry(p)
	case "AWS::EC2::SubnetNetworkAclAssociation":
		return l.naclAssociation(p)
	case "AWS::EC2::PrefixList":
		return l.prefixList(p)
	case "AWS::EC2::Instance":
		return l.instance(p)
	case "AWS::EC2::NetworkInterface":
		return l.networkInterface(p)
	}
	return nil
}

func (l *loader) resLoc(p props) vpc.Location {
	return vpc.Location{File: l.file, Path: "Resources." + p.res, Line: l.resources[p.res].Line}
}
