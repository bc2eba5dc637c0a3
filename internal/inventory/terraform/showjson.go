package terraform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/walls-dev/walls/internal/inventory/internal/iac"
	"github.com/walls-dev/walls/internal/vpc"
)

// Detect reports whether data looks like `terraform show -json` output of a
// plan or a state: a JSON object with "format_version" and one of
// "terraform_version", "planned_values" or "values".
func Detect(data []byte) bool {
	if !iac.LooksLikeJSON(data) {
		return false
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return false
	}
	if _, ok := top["format_version"]; !ok {
		return false
	}
	for _, k := range []string{"terraform_version", "planned_values", "values"} {
		if _, ok := top[k]; ok {
			return true
		}
	}
	return false
}

// LoadShowJSON adds the network resources of a `terraform show -json`
// document to inv (docs/semantics.md#inputs). For a plan it reads planned_values, the
// state Terraform would leave after apply; values marked in
// resource_changes[].change.after_unknown are unknown at plan time. An
// unknown that is a reference to another resource of the same plan
// (aws_security_group.web.id) is resolved through the plan's configuration
// to that resource's model id, which is its address while its real id is
// not known; any other unknown is reported as a vpc.Warning and never
// guessed. For a state it reads values. Child modules are read
// recursively. Malformed values return a *vpc.InputError naming the file,
// JSON path and line.
func LoadShowJSON(file string, data []byte, inv *vpc.Inventory) error {
	root, err := iac.ParseJSON(data)
	if err != nil {
		var se *iac.SyntaxError
		loc := vpc.Location{File: file}
		if errors.As(err, &se) {
			loc.Line = se.Line
			err = se.Err
		}
		return &vpc.InputError{Loc: loc, Msg: fmt.Sprintf("want terraform show -json output: %v", err)}
	}
	if root.Kind != iac.Object {
		return iac.Errorf(vpc.Location{File: file, Line: root.Line}, "want terraform show -json output: a JSON object")
	}
	fv := root.Get("format_version")
	if fv == nil || fv.Kind != iac.String {
		return iac.Errorf(vpc.Location{File: file, Line: root.Line}, "missing format_version: want terraform show -json output of a plan or state")
	}
	if !readableFormat(fv.Str) {
		return iac.Errorf(vpc.Location{File: file, Path: "format_version", Line: fv.Line}, "format_version %q: want 0.1, 0.2 or 1.x (the layouts walls reads; a later major version may move what it reads)", fv.Str)
	}
	s := &showLoader{file: file, ids: map[string]string{}, unknownAt: map[string]*iac.Node{}, config: map[string]*iac.Node{},
		calls: map[string]*moduleCall{}, instances: map[string][]string{}, folders: map[string]*tfFolder{}}
	s.oneLine = bytes.Count(bytes.TrimSpace(data), []byte("\n")) == 0
	if file != "" && file != "-" {
		s.dir = filepath.Dir(file)
	}
	values, path := root.Get("planned_values"), "planned_values"
	if values.IsNull() {
		values, path = root.Get("values"), "values"
	}
	if values.IsNull() {
		if root.Get("resource_changes") != nil || root.Get("prior_state") != nil {
			return nil // a plan with nothing planned
		}
		return iac.Errorf(vpc.Location{File: file, Line: root.Line}, "want planned_values (plan) or values (state)")
	}
	s.indexChanges(root.Get("resource_changes"))
	if cfg := root.Get("configuration").Get("root_module"); cfg != nil {
		s.indexConfig(cfg, "")
	}
	if err := s.collect(values.Get("root_module"), path+".root_module", 0); err != nil {
		return err
	}
	for i := range s.res {
		a := s.res[i].Addr
		s.ids[a] = idOf(&s.res[i])
		base := a
		if strings.HasSuffix(a, "]") {
			if j := strings.LastIndex(a, "["); j > 0 {
				base = a[:j]
			}
		}
		s.instances[base] = append(s.instances[base], a)
	}
	for i := range s.res {
		s.locate(&s.res[i])
	}
	for i := range s.res {
		s.resolve(&s.res[i])
	}
	b := &builder{inv: inv, why: "unknown at plan time", plan: true, unit: filepath.ToSlash(file)}
	return b.build(s.res)
}

type showLoader struct {
	file      string
	res       []resource
	ids       map[string]string    // address -> model id
	unknownAt map[string]*iac.Node // address -> change.after_unknown
	config    map[string]*iac.Node // config address (no index) -> expressions
	// calls are the module blocks by config prefix ("module.net.").
	calls map[string]*moduleCall
	// instances lists the instance addresses of each resource address
	// without its own index ("module.m[0].aws_security_group.x").
	instances map[string][]string
	// dir is the plan file's folder, where the root module's .tf files
	// may be; folders caches what was read of them, by config prefix.
	dir     string
	folders map[string]*tfFolder
	// manifest: modules terraform init installed (installedModules).
	manifest map[string]string
	// oneLine: the document is one line (as terraform show -json writes
	// it), so a line number says nothing: locations name the resource
	// address instead.
	oneLine bool
	// cur and key: the resource being resolved and its instance key.
	cur *resource
	key string
}

// readableFormat: the format versions whose layout walls reads. 0.1
// (Terraform 0.12) and 0.2 (0.15–1.0) differ from 1.x in what walls does
// not read (1.0 added the output changes' sensitivity, 1.1+ checks and
// relevant_attributes); planned_values, resource_changes and
// configuration are laid out the same.
func readableFormat(v string) bool {
	major, minor, _ := strings.Cut(v, ".")
	return major == "1" || major == "0" && (minor == "1" || minor == "2")
}

func (s *showLoader) indexChanges(rc *iac.Node) {
	if rc == nil || rc.Kind != iac.Array {
		return
	}
	for _, c := range rc.Items {
		addr := c.Get("address")
		au := c.Get("change").Get("after_unknown")
		if addr != nil && addr.Kind == iac.String && au != nil && c.Get("deposed").IsNull() {
			s.unknownAt[addr.Str] = au
		}
	}
}

func (s *showLoader) indexConfig(mod *iac.Node, prefix string) {
	if rs := mod.Get("resources"); rs != nil && rs.Kind == iac.Array {
		for _, r := range rs.Items {
			if a := r.Get("address"); a != nil && a.Kind == iac.String {
				s.config[prefix+a.Str] = r.Get("expressions")
			}
		}
	}
	if calls := mod.Get("module_calls"); calls != nil && calls.Kind == iac.Object {
		for _, name := range calls.Keys {
			c := calls.Map[name]
			call := &moduleCall{args: c.Get("expressions"), outputs: c.Get("module").Get("outputs")}
			if src := c.Get("source"); src != nil && src.Kind == iac.String {
				call.source = src.Str
			}
			s.calls[prefix+"module."+name+"."] = call
			if m := c.Get("module"); m != nil {
				s.indexConfig(m, prefix+"module."+name+".")
			}
		}
	}
}

// collect reads a module's resources and its child modules.
func (s *showLoader) collect(mod *iac.Node, path string, depth int) error {
	if mod.IsNull() {
		return nil
	}
	if mod.Kind != iac.Object || depth > 64 {
		return iac.Errorf(vpc.Location{File: s.file, Path: path, Line: mod.Line}, "want a module object with resources and child_modules")
	}
	if rs := mod.Get("resources"); !rs.IsNull() {
		if rs.Kind != iac.Array {
			return iac.Errorf(vpc.Location{File: s.file, Path: path + ".resources", Line: rs.Line}, "want a list of resources")
		}
		for i, r := range rs.Items {
			if err := s.resource(r, fmt.Sprintf("%s.resources[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	if cm := mod.Get("child_modules"); !cm.IsNull() {
		if cm.Kind != iac.Array {
			return iac.Errorf(vpc.Location{File: s.file, Path: path + ".child_modules", Line: cm.Line}, "want a list of modules")
		}
		for i, c := range cm.Items {
			if err := s.collect(c, fmt.Sprintf("%s.child_modules[%d]", path, i), depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *showLoader) resource(r *iac.Node, path string) error {
	loc := vpc.Location{File: s.file, Path: path, Line: r.Line}
	if r.Kind != iac.Object {
		return iac.Errorf(loc, "want a resource object")
	}
	if m := r.Get("mode"); m != nil && m.Str != "managed" {
		return nil // data sources describe, they do not create
	}
	if !r.Get("deposed_key").IsNull() {
		return nil // an object replaced and awaiting deletion
	}
	typ, addr := r.Get("type"), r.Get("address")
	if typ == nil || typ.Kind != iac.String || addr == nil || addr.Kind != iac.String {
		return iac.Errorf(loc, "want a resource with string address and type")
	}
	if !Supported(typ.Str) {
		return nil
	}
	vals := r.Get("values")
	if vals.IsNull() {
		// Read as an empty body, a security group would have no rules: a
		// quiet wrong answer. Terraform always writes the values of a
		// managed resource; null or absent is a damaged document.
		what := "null"
		if vals == nil {
			vals, what = r, "absent"
		}
		return iac.Errorf(vpc.Location{File: s.file, Path: path + ".values", Line: vals.Line},
			"%s: values is %s; want an object of attribute values (without them the %s's attributes, rules included, are unknown)", addr.Str, what, typ.Str)
	}
	if vals.Kind != iac.Object {
		return iac.Errorf(vpc.Location{File: s.file, Path: path + ".values", Line: vals.Line}, "want an object of attribute values")
	}
	vpath := path + ".values"
	if s.oneLine {
		vpath = addr.Str
		loc = vpc.Location{File: s.file, Path: addr.Str}
	}
	body, _ := s.value(vals, vpath, r.Line).(*object)
	body.Loc = loc
	if au := s.unknownAt[addr.Str]; au != nil {
		markUnknown(body, au, 0)
	}
	s.res = append(s.res, resource{Addr: addr.Str, Type: typ.Str, Body: body})
	return nil
}

// value converts a JSON node into the value tree; objects remember their
// path and line, members their lines.
func (s *showLoader) value(n *iac.Node, path string, line int) any {
	switch n.Kind {
	case iac.Bool:
		return n.Bool
	case iac.Number:
		f, err := strconv.ParseFloat(n.Str, 64)
		if err != nil {
			return n.Str
		}
		return f
	case iac.String:
		return n.Str
	case iac.Array:
		out := make([]any, len(n.Items))
		for i, it := range n.Items {
			out[i] = s.value(it, fmt.Sprintf("%s[%d]", path, i), it.Line)
		}
		return out
	case iac.Object:
		o := newObject(s.loc(path, line))
		for _, k := range n.Keys {
			c := n.Map[k]
			o.Fields[k] = s.value(c, path+"."+k, c.Line)
			o.AttrLoc[k] = s.loc(path+"."+k, c.Line)
		}
		return o
	}
	return nil
}

func (s *showLoader) loc(path string, line int) vpc.Location {
	if s.oneLine {
		line = 0
	}
	return vpc.Location{File: s.file, Path: path, Line: line}
}

// locate points a resource and its attributes at the .tf block that
// declares it, when the module's .tf files are at hand.
func (s *showLoader) locate(r *resource) {
	mod := modOf(r)
	f := s.folder(mod)
	if f == nil {
		return
	}
	cfg := strings.TrimPrefix(indexRE.ReplaceAllString(r.Addr, ""), cfgPrefix(mod))
	at, ok := f.blocks[cfg]
	if !ok {
		return
	}
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		switch t := v.(type) {
		case *object:
			t.Loc = at
			for k := range t.AttrLoc {
				t.AttrLoc[k] = at
			}
			for _, c := range t.Fields {
				walk(c, depth+1)
			}
		case []any:
			for _, c := range t {
				walk(c, depth+1)
			}
		}
	}
	walk(r.Body, 0)
	for k, l := range f.attrs[cfg] {
		if _, ok := r.Body.Fields[k]; ok {
			r.Body.AttrLoc[k] = l
		}
	}
}

// modOf is the module instance prefix of a resource address
// ("module.net[0]."), "" in the root module.
func modOf(r *resource) string {
	if i := strings.LastIndex(r.Addr, "."+r.Type+"."); i > 0 {
		return r.Addr[:i+1]
	}
	return ""
}

// markUnknown replaces the values that after_unknown marks true.
func markUnknown(v any, au *iac.Node, depth int) any {
	if au == nil || depth > 64 {
		return v
	}
	switch au.Kind {
	case iac.Bool:
		if au.Bool {
			return unknown{}
		}
	case iac.Object:
		if o, ok := v.(*object); ok {
			for _, k := range au.Keys {
				o.Fields[k] = markUnknown(o.Fields[k], au.Map[k], depth+1)
			}
		}
	case iac.Array:
		l, _ := v.([]any)
		for i, it := range au.Items {
			if i >= len(l) {
				if it.Kind == iac.Bool && it.Bool {
					l = append(l, unknown{})
				}
				continue
			}
			l[i] = markUnknown(l[i], it, depth+1)
		}
		if l != nil {
			return l
		}
	}
	return v
}

var indexRE = regexp.MustCompile(`\[[^\]]*\]`)

// resolve replaces unknown values that are references to resources of the
// same plan by the referenced resource's model id.
func (s *showLoader) resolve(r *resource) {
	cfgAddr := indexRE.ReplaceAllString(r.Addr, "")
	exprs := s.config[cfgAddr]
	if exprs == nil {
		return
	}
	// References inside a module are relative to its instance
	// (module.net[0].), which the resource's own address starts with.
	mod := modOf(r)
	s.cur, s.key = r, "" // the resource and its own instance key: [0] or ["ssh"]
	if rest := strings.TrimPrefix(r.Addr, mod+r.Type+"."); strings.Contains(rest, "[") {
		s.key = rest[strings.Index(rest, "["):]
	}
	s.resolveObject(r.Body, exprs, mod, 0)
	// A rule's peer group: the same references, left unknown when they
	// do not lead to exactly one group of the plan.
	for _, k := range []string{"source_security_group_id", "referenced_security_group_id"} {
		if _, u := r.Body.Fields[k].(unknown); u && exprs.Get(k) != nil {
			if id, ok := s.groupFor(exprs.Get(k), mod, s.key); ok {
				r.Body.Fields[k] = id
			}
		}
	}
	if _, u := r.Body.Fields["security_group_id"].(unknown); u && exprs.Get("security_group_id") != nil {
		e := exprs.Get("security_group_id")
		if id, ok := s.groupFor(e, mod, s.key); ok {
			r.Body.Fields["security_group_id"] = id
		} else {
			r.Body.Fields["security_group_id"] = unknown{ref: refText(e, mod)}
		}
	}
	// An unknown attribute the configuration does not set is computed by
	// the provider. For the rule blocks of a group or NACL that means "none
	// declared inline" (standalone rule resources add the rules, docs/semantics.md#inputs);
	// for addresses, AWS assigns none unless asked. The exception is an
	// instance's primary private IP, which AWS always assigns.
	for k, v := range r.Body.Fields {
		if _, u := v.(unknown); u && exprs.Get(k) == nil && !(r.Type == "aws_instance" && k == "private_ip") {
			r.Body.Fields[k] = nil
		}
	}
}

func (s *showLoader) resolveObject(o *object, exprs *iac.Node, mod string, depth int) {
	if exprs == nil || exprs.Kind != iac.Object || depth > 8 {
		return
	}
	for k, v := range o.Fields {
		e := exprs.Get(k)
		if e == nil {
			continue
		}
		switch t := v.(type) {
		case unknown:
			if e.Kind == iac.Array { // nested blocks, all unknown: rebuild from configuration
				if blocks := s.blocksFromConfig(e, o.Loc, mod); blocks != nil {
					o.Fields[k] = blocks
				}
				continue
			}
			if r := s.fromExpr(e, k, mod); r != nil {
				o.Fields[k] = r
			} else if depth == 0 && listAttrs[k] {
				if ids, ok := s.splatIDs(s.cur, mod, k); ok {
					o.Fields[k] = ids
				}
			}
		case []any:
			if e.Kind == iac.Array { // nested blocks
				for _, it := range t {
					if blk, ok := it.(*object); ok {
						s.resolveObject(blk, matchBlock(blk, e), mod, depth+1)
					}
				}
				continue
			}
			if countUnknown(t) == 0 {
				continue
			}
			ids, ok := s.refIDs(e, mod)
			if !ok {
				continue
			}
			var missing []any
			for _, id := range ids {
				if !containsValue(t, id) {
					missing = append(missing, id)
				}
			}
			if len(missing) == countUnknown(t) {
				out := make([]any, 0, len(t))
				for _, it := range t {
					if _, u := it.(unknown); !u {
						out = append(out, it)
					}
				}
				o.Fields[k] = append(out, missing...)
			}
		}
	}
}

// blocksFromConfig rebuilds nested blocks that the plan marks unknown as a
// whole (a set with an unknown element) from the configuration: constants
// stay, references to the plan's resources resolve, anything else is
// unknown. It gives up on dynamic blocks, which the configuration does not
// expand.
func (s *showLoader) blocksFromConfig(cfg *iac.Node, loc vpc.Location, mod string) []any {
	out := make([]any, 0, len(cfg.Items))
	for _, c := range cfg.Items {
		if c.Kind != iac.Object {
			return nil
		}
		o := newObject(loc)
		for _, k := range c.Keys {
			e := c.Map[k]
			if cv := e.Get("constant_value"); cv != nil {
				o.Fields[k] = s.value(cv, loc.Path, loc.Line)
				continue
			}
			if r := s.fromExpr(e, k, mod); r != nil {
				o.Fields[k] = r
			} else {
				o.Fields[k] = unknown{}
			}
		}
		out = append(out, o)
	}
	return out
}

// matchBlock picks the configuration block that a planned nested block came
// from: the only one, or the one whose constant ports and protocol match.
func matchBlock(blk *object, cfg *iac.Node) *iac.Node {
	if len(cfg.Items) == 1 {
		return cfg.Items[0]
	}
	var found *iac.Node
	for _, c := range cfg.Items {
		same := true
		for _, k := range []string{"from_port", "to_port", "protocol", "rule_no", "action", "description"} {
			cv := c.Get(k).Get("constant_value")
			if cv == nil {
				continue
			}
			if fmt.Sprint(jsonScalar(cv)) != fmt.Sprint(blk.Fields[k]) {
				same = false
				break
			}
		}
		if same {
			if found != nil {
				return nil // ambiguous: leave unknown
			}
			found = c
		}
	}
	return found
}

func jsonScalar(n *iac.Node) any {
	switch n.Kind {
	case iac.Number:
		f, _ := strconv.ParseFloat(n.Str, 64)
		return f
	case iac.String:
		return n.Str
	case iac.Bool:
		return n.Bool
	}
	return nil
}

func countUnknown(l []any) int {
	n := 0
	for _, v := range l {
		if _, ok := v.(unknown); ok {
			n++
		}
	}
	return n
}

func containsValue(l []any, s string) bool {
	for _, v := range l {
		if v == any(s) {
			return true
		}
	}
	return false
}

// listAttrs are the attributes that hold lists of ids.
var listAttrs = map[string]bool{
	"security_groups": true, "vpc_security_group_ids": true, "subnet_ids": true,
	"prefix_list_ids": true, "cidr_blocks": true, "ipv6_cidr_blocks": true,
}

// fromExpr rebuilds an unknown value from its configuration expression,
// when every reference in it is to a resource of the plan.
func (s *showLoader) fromExpr(e *iac.Node, name, mod string) any {
	if cv := e.Get("constant_value"); cv != nil {
		return nil // a constant is never unknown; do not second-guess the plan
	}
	ids, ok := s.refIDs(e, mod)
	if !ok {
		return nil
	}
	if listAttrs[name] {
		out := make([]any, len(ids))
		for i, id := range ids {
			out[i] = id
		}
		return out
	}
	if len(ids) == 1 {
		return ids[0]
	}
	return nil
}

// refIDs resolves an expression's references. It succeeds only when every
// reference leads to a resource of this plan (type.name[.attr]), through
// module outputs, module inputs and locals (see showrefs.go), and at least
// one names its id (or a default NACL/SG of a VPC). A bare resource
// reference next to count.index or each.key is the rule's own instance
// (aws_security_group.x[count.index].id is listed that way).
func (s *showLoader) refIDs(e *iac.Node, mod string) ([]string, bool) {
	return s.refIDsFrom(refsOf(e), mod, s.key, 0)
}

func (s *showLoader) refIDsFrom(refs []string, mod, key string, depth int) ([]string, bool) {
	if len(refs) == 0 || depth > 16 {
		return nil, false
	}
	byKey, withAttr := false, map[string]bool{}
	for _, r := range refs {
		switch r {
		case "count.index", "each.key":
			byKey = true
		}
		if t, a, ok := splitRef(r); ok && a != "" {
			withAttr[t] = true
		}
	}
	var ids []string
	for _, r := range refs {
		var sub []string
		ok := true
		switch {
		case r == "count.index" || r == "each.key":
			continue
		case strings.HasPrefix(r, "module."):
			name, idx, out, okm := splitModuleRef(r)
			if !okm {
				return nil, false
			}
			if out == "" {
				continue // the bare module reference accompanying module.x.out
			}
			call := s.calls[cfgPrefix(mod)+"module."+name+"."]
			child := mod + "module." + name + idx + "."
			if idx == "" {
				child = s.onlyInstance(mod + "module." + name)
			}
			if call == nil || child == "" {
				return nil, false
			}
			sub, ok = s.refIDsFrom(refsOf(call.outputs.Get(out).Get("expression")), child, "", depth+1)
		case strings.HasPrefix(r, "var.") && mod != "":
			parent, name := parentOf(mod)
			call := s.calls[cfgPrefix(parent)+"module."+name+"."]
			if call == nil {
				return nil, false
			}
			sub, ok = s.refIDsFrom(refsOf(call.args.Get(firstName(strings.TrimPrefix(r, "var.")))), parent, "", depth+1)
		case strings.HasPrefix(r, "local."):
			f := s.folder(mod)
			if f == nil {
				return nil, false
			}
			sub, ok = s.refIDsFrom(f.locals[firstName(strings.TrimPrefix(r, "local."))], mod, "", depth+1)
		default:
			target, attr, okr := splitRef(r)
			if !okr {
				return nil, false
			}
			if attr == "" {
				if withAttr[target] {
					continue // the bare resource reference accompanying target.attr
				}
				if !byKey || key == "" || strings.HasSuffix(target, "]") {
					continue
				}
				target, attr = target+key, "id"
			}
			id, found := s.ids[mod+target]
			if !found {
				return nil, false
			}
			switch attr {
			case "id":
				sub = []string{id}
			case "default_network_acl_id", "default_security_group_id":
				sub = []string{id + "." + attr}
			default:
				return nil, false
			}
		}
		if !ok {
			return nil, false
		}
		ids = append(ids, sub...)
	}
	return ids, len(ids) > 0
}

func firstName(s string) string {
	if i := strings.IndexAny(s, ".["); i >= 0 {
		return s[:i]
	}
	return s
}

// splatIDs resolves a list attribute written as a splat of one resource's
// ids (aws_subnet.private[*].id, aws_subnet.private.*.id), which the
// configuration section lists only as "aws_subnet.private": the .tf file,
// when at hand, says it is that splat; then it is the ids of every
// instance of the resource.
func (s *showLoader) splatIDs(r *resource, mod, attr string) ([]any, bool) {
	f := s.folder(mod)
	if f == nil {
		return nil, false
	}
	cfg := strings.TrimPrefix(indexRE.ReplaceAllString(r.Addr, ""), cfgPrefix(mod))
	target := f.splats[cfg][attr]
	if target == "" {
		return nil, false
	}
	addrs := s.instances[mod+target]
	if len(addrs) == 0 {
		return nil, false
	}
	out := make([]any, len(addrs))
	for i, a := range addrs {
		out[i] = s.ids[a]
	}
	return out, true
}

// splitRef splits "aws_security_group.web[0].id" into the resource address
// "aws_security_group.web[0]" and the attribute "id".
func splitRef(ref string) (target, attr string, ok bool) {
	if !strings.HasPrefix(ref, "aws_") {
		return "", "", false
	}
	typ, rest, ok := strings.Cut(ref, ".")
	if !ok {
		return "", "", false
	}
	name := rest
	if i := strings.IndexAny(rest, ".["); i >= 0 {
		name = rest[:i]
		rest = rest[i:]
	} else {
		rest = ""
	}
	idx := ""
	if strings.HasPrefix(rest, "[") {
		j := strings.Index(rest, "]")
		if j < 0 {
			return "", "", false
		}
		idx, rest = rest[:j+1], rest[j+1:]
	}
	attr = strings.TrimPrefix(rest, ".")
	if i := strings.IndexAny(attr, ".["); i >= 0 {
		return "", "", false // a nested attribute: not an id
	}
	return typ + "." + name + idx, attr, true
}
