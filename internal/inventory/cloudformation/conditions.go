package cloudformation

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/walls-dev/walls/internal/inventory/internal/iac"
	"github.com/walls-dev/walls/internal/vpc"
)

// Conditions and Fn::If (docs/semantics.md#inputs). A condition is decided
// from the parameters' defaults when every Ref it reaches has one:
// Fn::Equals, Fn::And, Fn::Or, Fn::Not and Condition are evaluated as
// CloudFormation does. A condition that depends on a pseudo parameter, a
// parameter without Default or anything else only known at deploy time is
// undecidable: an Fn::If on it in a rule is read twice, once per branch,
// and each rule read so remembers the condition (vpc.Rule.When).

// condition evaluates the named condition: holds, whether it was decided,
// and why not when it was not.
func (l *loader) condition(name string, depth int) (holds, ok bool, why string) {
	if v, set := l.assume[name]; set {
		return v, true, ""
	}
	if r, done := l.condCache[name]; done {
		return r.holds, r.ok, r.why
	}
	if depth > maxEval {
		return false, false, "condition " + name + " nests too deeply"
	}
	c := l.conditions.Get(name)
	if c == nil {
		return false, false, "no condition named " + name
	}
	holds, ok, why = l.condValue(c, depth+1)
	if l.condCache == nil {
		l.condCache = map[string]condResult{}
	}
	l.condCache[name] = condResult{holds, ok, why}
	return holds, ok, why
}

// condResult is a condition's value, cached for the assumptions in force
// (conditions fan out: Fn::And of conditions of conditions).
type condResult struct {
	holds, ok bool
	why       string
}

// condValue evaluates a condition function.
func (l *loader) condValue(n *iac.Node, depth int) (bool, bool, string) {
	if depth > maxEval {
		return false, false, "conditions nest too deeply"
	}
	l.steps++
	if l.steps > maxSteps {
		return false, false, "the template is too complex to evaluate statically"
	}
	if n.Kind == iac.Bool {
		return n.Bool, true, ""
	}
	if n.Kind == iac.String && (n.Str == "true" || n.Str == "false") {
		return n.Str == "true", true, ""
	}
	if n.Kind != iac.Object || len(n.Keys) != 1 {
		return false, false, "want a condition function"
	}
	fn := n.Keys[0]
	arg := n.Map[fn]
	switch fn {
	case "Condition":
		if arg.Kind != iac.String {
			return false, false, "Condition: want a name"
		}
		return l.condition(arg.Str, depth)
	case "Fn::Equals":
		if arg.Kind != iac.Array || len(arg.Items) != 2 {
			return false, false, "Fn::Equals: want two values"
		}
		a, b := l.eval(arg.Items[0], depth+1), l.eval(arg.Items[1], depth+1)
		as, aok := scalarText(a)
		bs, bok := scalarText(b)
		if !aok || !bok {
			for _, v := range []any{a, b} {
				if u, isU := v.(unknown); isU {
					return false, false, u.why
				}
			}
			return false, false, "Fn::Equals: values are not scalars"
		}
		return as == bs, true, ""
	case "Fn::Not":
		if arg.Kind != iac.Array || len(arg.Items) != 1 {
			return false, false, "Fn::Not: want one condition"
		}
		v, ok, why := l.condValue(arg.Items[0], depth+1)
		return !v, ok, why
	case "Fn::And", "Fn::Or":
		if arg.Kind != iac.Array || len(arg.Items) == 0 {
			return false, false, fn + ": want a list of conditions"
		}
		and := fn == "Fn::And"
		undecided := ""
		for _, it := range arg.Items {
			v, ok, why := l.condValue(it, depth+1)
			switch {
			case !ok:
				undecided = why
			case and && !v:
				return false, true, "" // one false decides And
			case !and && v:
				return true, true, "" // one true decides Or
			}
		}
		if undecided != "" {
			return false, false, undecided
		}
		return and, true, ""
	}
	return false, false, fn + " is not a condition function"
}

// scalarText is a value's text for Fn::Equals.
func scalarText(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(t), true
	}
	return "", false
}

// fnIf evaluates Fn::If [condition, then, else].
func (l *loader) fnIf(arg *iac.Node, depth int) any {
	if arg.Kind != iac.Array || len(arg.Items) != 3 || arg.Items[0].Kind != iac.String {
		return unknown{"Fn::If: want [condition, value if true, value if false]"}
	}
	holds, ok, why := l.condition(arg.Items[0].Str, depth)
	if !ok {
		return unknown{fmt.Sprintf("Fn::If: condition %s is not decidable (%s)", arg.Items[0].Str, why)}
	}
	if holds {
		return l.eval(arg.Items[1], depth+1)
	}
	return l.eval(arg.Items[2], depth+1)
}

// maxVariants bounds the undecidable conditions one rule is read under
// (2^n readings).
const maxVariants = 3

// undecided lists, in order, the undecidable conditions of the Fn::If
// nodes under n.
func (l *loader) undecided(n *iac.Node) []string {
	var out []string
	seen := map[string]bool{}
	var walk func(n *iac.Node, depth int)
	walk = func(n *iac.Node, depth int) {
		if n == nil || depth > MaxDepth {
			return
		}
		switch n.Kind {
		case iac.Array:
			for _, it := range n.Items {
				walk(it, depth+1)
			}
		case iac.Object:
			if arg := n.Map["Fn::If"]; len(n.Keys) == 1 && arg != nil && arg.Kind == iac.Array && len(arg.Items) == 3 && arg.Items[0].Kind == iac.String {
				name := arg.Items[0].Str
				if _, ok, _ := l.condition(name, 0); !ok && !seen[name] {
					seen[name] = true
					out = append(out, name)
				}
			}
			for _, k := range n.Keys {
				walk(n.Map[k], depth+1)
			}
		}
	}
	walk(n, 0)
	return out
}

// variants reads n once per assignment of its undecidable conditions
// (once, with when "", when it has none): read gets the assignment in
// words ("condition IsProd is true"). Beyond maxVariants conditions, it is read
// once and the Fn::If stay unknown.
func (l *loader) variants(n *iac.Node, read func(when string) error) error {
	conds := l.undecided(n)
	if len(conds) == 0 || len(conds) > maxVariants {
		return read("")
	}
	saved, savedCache := l.assume, l.condCache
	defer func() { l.assume, l.condCache = saved, savedCache }()
	for mask := 0; mask < 1<<len(conds); mask++ {
		l.condCache = nil // cached values hold for other assumptions
		l.assume = map[string]bool{}
		for k, v := range saved {
			l.assume[k] = v
		}
		var words []string
		for i, c := range conds {
			v := mask&(1<<i) == 0 // true first
			l.assume[c] = v
			if v {
				words = append(words, "condition "+c+" is true")
			} else {
				words = append(words, "condition "+c+" is false")
			}
		}
		if err := read(strings.Join(words, " and ")); err != nil {
			return err
		}
	}
	return nil
}

// forEachKey is a Resources key of the AWS::LanguageExtensions transform.
const forEachPrefix = "Fn::ForEach::"

var identRef = regexp.MustCompile(`[$&]\{([A-Za-z0-9_]+)\}`)

// expandForEach returns the resource keys of rs with every Fn::ForEach
// loop expanded into the resources it declares (added to rs): the
// collection is a literal list or a list parameter's default. A loop whose
// collection is not known, or that is malformed, is skipped with a
// warning.
func (l *loader) expandForEach(rs *iac.Node) ([]string, error) {
	var keys []string
	for _, k := range rs.Keys {
		if !strings.HasPrefix(k, forEachPrefix) {
			keys = append(keys, k)
			continue
		}
		n := rs.Map[k]
		loc := vpc.Location{File: l.file, Path: "Resources." + k, Line: n.Line}
		skip := func(why string) {
			l.inv.Warn(vpc.Warning{Code: "skipped-resource", Resource: k, Source: loc, Skipped: vpc.SkippedResource,
				Message: k + ": " + why + "; the resources of the loop are skipped"})
		}
		if n.Kind != iac.Array || len(n.Items) != 3 || n.Items[0].Kind != iac.String || n.Items[2].Kind != iac.Object {
			skip("want [identifier, collection, {logical id template: resource}]")
			continue
		}
		ident, vals, tmpl, why := l.loop(n)
		if why != "" {
			skip(why)
			continue
		}
		for _, v := range vals {
			for _, tk := range tmpl.Keys {
				id := substIdent(tk, ident, v)
				if _, dup := rs.Map[id]; dup || id == tk && len(vals) > 1 {
					skip(fmt.Sprintf("the logical id %s of the loop is not unique", id))
					continue
				}
				rs.Set(id, substNode(tmpl.Map[tk], ident, v))
				keys = append(keys, id)
			}
		}
	}
	return keys, nil
}

// loop evaluates a well-formed Fn::ForEach value [identifier, collection,
// template]: its values, a literal list or a list parameter's default, as
// strings, counted against maxNodes. why says why it cannot be expanded.
func (l *loader) loop(n *iac.Node) (ident string, vals []string, tmpl *iac.Node, why string) {
	ident = n.Items[0].Str
	coll := l.eval(n.Items[1], 0)
	list, ok := coll.([]any)
	if !ok {
		why := "the collection is not a list"
		if u, isU := coll.(unknown); isU {
			why = "the collection is not known (" + u.why + ")"
		}
		return "", nil, nil, why
	}
	for _, v := range list {
		s, ok := scalarText(v)
		if !ok {
			return "", nil, nil, "the collection holds a value that is not a string"
		}
		vals = append(vals, s)
	}
	tmpl = n.Items[2]
	if size := countNodes(tmpl, maxNodes); len(vals)*size > maxNodes-l.expanded {
		return "", nil, nil, fmt.Sprintf("the loop would expand to more than %d values", maxNodes)
	}
	l.expanded += len(vals) * countNodes(tmpl, maxNodes)
	return ident, vals, tmpl, ""
}

// expandPropertyLoops expands the Fn::ForEach loops inside a resource's
// Properties, at any depth, as the AWS::LanguageExtensions transform does:
// each loop's output keys, the identifier replaced, join the object that
// holds the loop (a loop under Properties makes properties such as
// SecurityGroupIngress; one in a rule item makes that item's fields). A
// loop whose collection is not a literal list or a parameter's default is
// removed with a warning naming the resource and the loop, and the keys
// it would make are remembered (skippedKeys) so nothing is assumed of
// them.
func (l *loader) expandPropertyLoops(n *iac.Node, res, path string, depth int) {
	if n == nil || depth > maxPropertyDepth {
		return
	}
	switch n.Kind {
	case iac.Array:
		for i, it := range n.Items {
			l.expandPropertyLoops(it, res, fmt.Sprintf("%s[%d]", path, i), depth+1)
		}
		return
	case iac.Object:
	default:
		return
	}
	var loops []string
	for _, k := range n.Keys {
		if strings.HasPrefix(k, forEachPrefix) {
			loops = append(loops, k)
		}
	}
	for _, k := range loops {
		ln := n.Map[k]
		removeKey(n, k)
		loc := vpc.Location{File: l.file, Path: path + "." + k, Line: ln.Line}
		skip := func(why string) {
			l.inv.Warn(vpc.Warning{Code: "unknown-value", Resource: res, Source: loc,
				Message: fmt.Sprintf("%s: %s: %s; the properties the loop makes are skipped", res, strings.TrimPrefix(loc.Path, "Resources."+res+"."), why)})
		}
		if ln.Kind != iac.Array || len(ln.Items) != 3 || ln.Items[0].Kind != iac.String || ln.Items[2].Kind != iac.Object {
			skip("want [identifier, collection, {key template: value}]")
			continue
		}
		ident, vals, tmpl, why := l.loop(ln)
		if why != "" {
			if l.skippedKeys == nil {
				l.skippedKeys = map[*iac.Node][]string{}
			}
			l.skippedKeys[n] = append(l.skippedKeys[n], ln.Items[2].Keys...)
			skip(why)
			continue
		}
		for _, v := range vals {
			for _, tk := range tmpl.Keys {
				key := substIdent(tk, ident, v)
				if _, dup := n.Map[key]; dup {
					skip(fmt.Sprintf("the loop makes %s, which the object already has", key))
					continue
				}
				n.Set(key, substNode(tmpl.Map[tk], ident, v))
			}
		}
	}
	for _, k := range n.Keys {
		l.expandPropertyLoops(n.Map[k], res, path+"."+k, depth+1)
	}
}

// maxPropertyDepth bounds the walk over a resource's properties.
const maxPropertyDepth = 256

// mayHaveMade reports whether a loop removed from object n, its
// collection unknown, could have made key.
func (l *loader) mayHaveMade(n *iac.Node, key string) bool {
	for _, tk := range l.skippedKeys[n] {
		if tk == key || strings.Contains(tk, "${") || strings.Contains(tk, "&{") {
			return true
		}
	}
	return false
}

// removeKey deletes an object member.
func removeKey(n *iac.Node, key string) {
	delete(n.Map, key)
	for i, k := range n.Keys {
		if k == key {
			n.Keys = append(n.Keys[:i:i], n.Keys[i+1:]...)
			return
		}
	}
}

// substIdent replaces ${ident} by v and &{ident} by v without its
// non-alphanumeric characters, as Fn::ForEach does in logical ids and
// Fn::Sub strings.
func substIdent(s, ident, v string) string {
	return identRef.ReplaceAllStringFunc(s, func(m string) string {
		if m[2:len(m)-1] != ident {
			return m
		}
		if m[0] == '&' {
			var b strings.Builder
			for _, r := range v {
				if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
					b.WriteRune(r)
				}
			}
			return b.String()
		}
		return v
	})
}

// substNode copies a loop's resource with the identifier replaced: a Ref
// to it becomes its value, and ${ident} / &{ident} in every string (the
// loop replaces them throughout its output value, Fn::Sub or not).
func substNode(n *iac.Node, ident, v string) *iac.Node {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case iac.Array:
		out := &iac.Node{Kind: iac.Array, Line: n.Line}
		for _, it := range n.Items {
			out.Items = append(out.Items, substNode(it, ident, v))
		}
		return out
	case iac.Object:
		if r := n.Map["Ref"]; len(n.Keys) == 1 && r != nil && r.Kind == iac.String && r.Str == ident {
			return &iac.Node{Kind: iac.String, Str: v, Line: n.Line}
		}
		out := &iac.Node{Kind: iac.Object, Map: map[string]*iac.Node{}, Line: n.Line}
		for _, k := range n.Keys {
			out.Set(k, substNode(n.Map[k], ident, v))
		}
		return out
	case iac.String:
		if s := substIdent(n.Str, ident, v); s != n.Str {
			return &iac.Node{Kind: iac.String, Str: s, Line: n.Line}
		}
	}
	return n
}

// branch is one side of an Fn::If and the condition, in words, under
// which it is the value.
type branch struct {
	n    *iac.Node
	when string
}

// ifBranches returns both branches of n when n is an Fn::If whose
// condition is undecidable; nil otherwise.
func (l *loader) ifBranches(n *iac.Node) []branch {
	if n == nil || n.Kind != iac.Object || len(n.Keys) != 1 {
		return nil
	}
	arg := n.Map["Fn::If"]
	if arg == nil || arg.Kind != iac.Array || len(arg.Items) != 3 || arg.Items[0].Kind != iac.String {
		return nil
	}
	c := arg.Items[0].Str
	if _, ok, _ := l.condition(c, 0); ok {
		return nil
	}
	return []branch{{arg.Items[1], "condition " + c + " is true"}, {arg.Items[2], "condition " + c + " is false"}}
}

func joinWhen(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " and " + b
}

// countNodes counts the values of n, stopping past limit.
func countNodes(n *iac.Node, limit int) int {
	if n == nil {
		return 0
	}
	c := 1
	for _, it := range n.Items {
		if c > limit {
			return c
		}
		c += countNodes(it, limit-c)
	}
	for _, k := range n.Keys {
		if c > limit {
			return c
		}
		c += countNodes(n.Map[k], limit-c)
	}
	return c
}
