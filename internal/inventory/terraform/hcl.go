package terraform

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/dynblock"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/walls-dev/walls/internal/readfile"
	"github.com/walls-dev/walls/internal/vpc"
)

// LoadHCLDir adds the network resources declared in the .tf files of dir
// (not its subfolders) to inv, and their inline suppressions to
// inv.Suppressions. See LoadHCLDirWithSuppressions.
func LoadHCLDir(dir string, inv *vpc.Inventory) error {
	sups, err := LoadHCLDirWithSuppressions(dir, inv)
	inv.Suppressions = append(inv.Suppressions, sups...)
	return err
}

// LoadHCLDirWithSuppressions reads the .tf and .tf.json files of dir
// (override files merged in as Terraform does, see blocks.go) with the HCL
// parser and evaluates what can be known without running Terraform:
// literals, variable defaults, locals, references between the folder's
// resources (aws_security_group.web.id is the group's model id, its address
// "aws_security_group.web"), lists, string templates of known parts, the
// common functions (concat, format, join, lookup, merge, cidrsubnet, …),
// count and for_each over known values, and dynamic blocks over known
// collections. Whatever cannot be resolved (data sources, module outputs,
// variables without default, unknown attributes) is reported as a
// vpc.Warning at its file:line and the rule or field is skipped, never
// guessed. Every model object carries the file and line of its block.
//
// It also returns the folder's inline suppressions, `# walls:ignore
// WALLS-XXX reason` comments (see Suppression). Syntax errors are returned
// as *vpc.InputError.
func LoadHCLDirWithSuppressions(dir string, inv *vpc.Inventory) ([]Suppression, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, &vpc.InputError{Loc: vpc.Location{File: dir}, Msg: fmt.Sprintf("want a folder of .tf files: %v", err)}
	}
	files := map[string][]byte{}
	for _, e := range ents {
		n := e.Name()
		autoVars := isVarFile(n)
		if e.IsDir() || !isConfigFile(n) && !autoVars {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if !e.Type().IsRegular() {
			if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
				what := "a symbolic link that leads nowhere"
				if err == nil {
					what = readfile.NotRegular(st.Mode())
				}
				inv.Warn(vpc.Warning{Code: "skipped-file", Source: vpc.Location{File: p}, Message: readfile.Refusal(what) + "; skipped"})
				continue
			}
		}
		data, err := readfile.Read(p)
		if err != nil {
			return nil, err
		}
		files[p] = data
	}
	return LoadHCLFiles(files, inv)
}

// LoadHCLFiles is LoadHCLDirWithSuppressions over files given as name →
// content, all of one Terraform module. Names are used in locations.
// Variable files are read as Terraform loads them without being asked, in
// its order, a later file overriding an earlier one: terraform.tfvars,
// terraform.tfvars.json, then the *.auto.tfvars and *.auto.tfvars.json in
// lexical order of their names (other -var-file files are not read).
// Modules with a local source ("./net") are read from the folder next to
// the files (see hclCall).
func LoadHCLFiles(files map[string][]byte, inv *vpc.Inventory) ([]Suppression, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	dir := "."
	if len(names) > 0 {
		dir = filepath.Dir(names[0])
	}
	parsed, tfvars, err := parseModuleFiles(names, files)
	if err != nil {
		return nil, err
	}
	budget := maxModuleInstances
	m := newModule("", dir, 0, &budget)
	m.installed = readModuleManifest(dir)
	if err := m.readFiles(parsed); err != nil {
		return nil, err
	}
	for n, v := range tfvars {
		if _, declared := m.defaults[n]; declared {
			m.defaults[n] = v
		}
	}
	res, sups, err := m.evaluateAll(inv)
	if err != nil {
		return nil, err
	}
	b := &builder{inv: inv, why: "unknown: not resolvable statically"}
	if len(names) > 0 {
		b.unit, b.unitDir = filepath.ToSlash(dir), true
	}
	if err := b.build(res); err != nil {
		return nil, err
	}
	if b.again {
		return nil, nil
	}
	if b.qualified != "" {
		for i := range sups {
			sups[i].Resource = b.qualified + sups[i].Resource
		}
	}
	return sups, nil
}

// parsedFile is one parsed .tf or .tf.json file of a module.
type parsedFile struct {
	name string
	src  []byte
	body hcl.Body
	// syn is the native syntax body, nil for JSON.
	syn *hclsyntax.Body
}

// isVarFile reports whether Terraform reads a variables file of this name
// without being asked.
func isVarFile(n string) bool {
	return n == "terraform.tfvars" || n == "terraform.tfvars.json" ||
		strings.HasSuffix(n, ".auto.tfvars") || strings.HasSuffix(n, ".auto.tfvars.json")
}

// varFileRank orders variable files as Terraform applies them.
func varFileRank(n string) int {
	switch filepath.Base(n) {
	case "terraform.tfvars":
		return 0
	case "terraform.tfvars.json":
		return 1
	}
	return 2
}

// parseModuleFiles parses a module's .tf files and reads its variable
// files into one set of values.
func parseModuleFiles(names []string, files map[string][]byte) ([]parsedFile, map[string]cty.Value, error) {
	parser := hclparse.NewParser()
	var varFiles []string
	var out []parsedFile
	for _, name := range names {
		if isVarFile(filepath.Base(name)) {
			varFiles = append(varFiles, name)
			continue
		}
		if strings.HasSuffix(name, ".tfvars") || strings.HasSuffix(name, ".tfvars.json") {
			continue // read only when named with -var-file
		}
		if line := deepNesting(files[name], MaxNesting); line > 0 {
			return nil, nil, &vpc.InputError{Loc: vpc.Location{File: name, Line: line},
				Msg: fmt.Sprintf("nested more than %d levels deep (brackets, parentheses, braces, template interpolations and operators in one expression); refused before parsing, as the HCL parser recurses once per level", MaxNesting)}
		}
		if strings.HasSuffix(name, ".json") {
			f, diags := parser.ParseJSON(files[name], name)
			if diags.HasErrors() {
				return nil, nil, diagError(name, diags)
			}
			out = append(out, parsedFile{name: name, src: files[name], body: f.Body})
			continue
		}
		f, diags := parser.ParseHCL(files[name], name)
		if diags.HasErrors() {
			return nil, nil, diagError(name, diags)
		}
		if body, ok := f.Body.(*hclsyntax.Body); ok {
			out = append(out, parsedFile{name: name, src: files[name], body: body, syn: body})
		}
	}
	sort.SliceStable(varFiles, func(i, j int) bool {
		ri, rj := varFileRank(varFiles[i]), varFileRank(varFiles[j])
		if ri != rj {
			return ri < rj
		}
		return filepath.Base(varFiles[i]) < filepath.Base(varFiles[j])
	})
	tfvars := map[string]cty.Value{}
	for _, name := range varFiles {
		var f *hcl.File
		var diags hcl.Diagnostics
		if strings.HasSuffix(name, ".json") {
			f, diags = parser.ParseJSON(files[name], name)
		} else {
			if line := deepNesting(files[name], MaxNesting); line > 0 {
				return nil, nil, &vpc.InputError{Loc: vpc.Location{File: name, Line: line},
					Msg: fmt.Sprintf("nested more than %d levels deep; refused before parsing", MaxNesting)}
			}
			f, diags = parser.ParseHCL(files[name], name)
		}
		if diags.HasErrors() {
			return nil, nil, diagError(name, diags)
		}
		attrs, _ := f.Body.JustAttributes()
		for n, a := range attrs {
			if v, diags := a.Expr.Value(nil); !diags.HasErrors() && !tooBig(v) {
				tfvars[n] = v
			}
		}
	}
	return out, tfvars, nil
}

func diagError(file string, diags hcl.Diagnostics) error {
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		loc := vpc.Location{File: file}
		if d.Subject != nil {
			loc.Line = d.Subject.Start.Line
		}
		msg := d.Summary
		if d.Detail != "" {
			msg += ": " + d.Detail
		}
		return &vpc.InputError{Loc: loc, Msg: "invalid Terraform (" + syntaxName(file) + "): " + msg}
	}
	return &vpc.InputError{Loc: vpc.Location{File: file}, Msg: "invalid Terraform (" + syntaxName(file) + ")"}
}

// syntaxName names a file's Terraform syntax for messages.
func syntaxName(file string) string {
	if strings.HasSuffix(file, ".json") {
		return "JSON"
	}
	return "HCL"
}

// hclModule is one instance of a module: the root folder, or a local
// module called by a module block (one per count/for_each instance).
type hclModule struct {
	// prefix is the instance's address prefix: "" for the root,
	// "module.net." or "module.net[0]." for a call.
	prefix string
	dir    string
	depth  int
	files  []parsedFile
	// defaults are the declared variables' defaults (tfvars applied for
	// the root); vars adds the module block's arguments.
	defaults  map[string]cty.Value
	vars      map[string]cty.Value
	locals    map[string]hcl.Expression
	localVals map[string]cty.Value
	outputs   map[string]hcl.Expression
	resources []*hclResource
	calls     []*hclCall
	// unread are the module calls not read (not local): references to
	// their outputs are unknown, not errors.
	unread []string
	notes  []vpc.Warning
	ctx    *hcl.EvalContext
	// budget counts the module instances the whole tree may still make,
	// shared by every module of one load.
	budget *int
	// installed: the modules terraform init installed for the root
	// folder (.terraform/modules/modules.json), by module key.
	installed map[string]string
}

func newModule(prefix, dir string, depth int, budget *int) *hclModule {
	return &hclModule{prefix: prefix, dir: dir, depth: depth, budget: budget, defaults: map[string]cty.Value{}, vars: map[string]cty.Value{},
		locals: map[string]hcl.Expression{}, localVals: map[string]cty.Value{}, outputs: map[string]hcl.Expression{}}
}

type hclResource struct {
	typ, name string
	file      string
	block     *tfBlock
	// instances are filled by evaluate: one per count/for_each element.
	instances []hclInstance
	// counted: count or for_each was known, so no instances means none
	// (count = 0), not unknown.
	counted bool
	// value is what references to the resource see in the EvalContext.
	value cty.Value
}

type hclInstance struct {
	addr string
	key  cty.Value // count index or each key, cty.NilVal when single
	each cty.Value
	// rep: count or for_each is unknown; this one instance stands for
	// every instance, with count.index, each.key and each.value unknown.
	rep bool
}

// readFiles reads the module's declarations.
func (m *hclModule) readFiles(files []parsedFile) error {
	m.files = files
	blocks, err := moduleBlocks(files)
	if err != nil {
		return err
	}
	return m.read(blocks)
}

func (m *hclModule) read(blocks []*tfBlock) error {
	for _, blk := range blocks {
		file := blk.File
		switch blk.Type {
		case "variable":
			if len(blk.Labels) != 1 {
				continue
			}
			v := cty.DynamicVal
			if a := blk.Attrs["default"]; a != nil {
				if val, diags := a.Expr.Value(nil); !diags.HasErrors() && !tooBig(val) {
					v = val
				}
			}
			m.defaults[blk.Labels[0]] = v
		case "locals":
			for name, a := range blk.Attrs {
				m.locals[name] = a.Expr
			}
		case "output":
			if a := blk.Attrs["value"]; a != nil && len(blk.Labels) == 1 {
				m.outputs[blk.Labels[0]] = a.Expr
			}
		case "module":
			name := ""
			if len(blk.Labels) > 0 {
				name = blk.Labels[0]
			}
			if c := m.call(file, name, blk); c != nil {
				m.calls = append(m.calls, c)
			} else {
				m.unread = append(m.unread, name)
			}
		case "resource":
			if len(blk.Labels) != 2 {
				return &vpc.InputError{Loc: vpc.Location{File: file, Line: blk.Line}, Msg: "resource block: want two labels, type and name"}
			}
			m.resources = append(m.resources, &hclResource{typ: blk.Labels[0], name: blk.Labels[1], file: file, block: blk})
		}
	}
	return nil
}

// evaluateAll evaluates the module tree and returns its resources, its
// suppressions and the notes of every module instance as warnings.
func (m *hclModule) evaluateAll(inv *vpc.Inventory) ([]resource, []Suppression, error) {
	if err := m.loadCalls(); err != nil {
		return nil, nil, err
	}
	m.initAll()
	var prev cty.Value
	for pass := 0; pass < maxPasses; pass++ {
		cur := m.step()
		// Stop once a pass changes nothing: every reference is as
		// resolved as it will get.
		if prev != cty.NilVal && prev.RawEquals(cur) {
			break
		}
		prev = cur
	}
	var res []resource
	var sups []Suppression
	m.collect(inv, &res, &sups)
	return res, sups, nil
}

// maxPasses bounds the evaluation passes: references may point forward,
// through locals and modules, each pass resolving one more step.
const maxPasses = 16

// initAll sets up the evaluation contexts of m (children are set up when
// they are made).
func (m *hclModule) initAll() {
	m.ctx = &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: functions()}
	for _, k := range []string{"data", "module", "count", "each", "self", "terraform"} {
		m.ctx.Variables[k] = cty.DynamicVal
	}
	rel := "."
	if m.depth > 0 {
		rel = filepath.ToSlash(m.dir)
	}
	m.ctx.Variables["path"] = cty.ObjectVal(map[string]cty.Value{
		"module": cty.StringVal(rel), "root": cty.StringVal("."), "cwd": cty.StringVal("."),
	})
	for n, v := range m.defaults {
		if _, set := m.vars[n]; !set {
			m.vars[n] = v
		}
	}
	for n := range m.locals {
		m.localVals[n] = cty.DynamicVal
	}
	for _, r := range m.resources {
		r.value = cty.DynamicVal
	}
}

// step is one evaluation pass over the module and its children; it
// returns what the pass resolved, to see when a pass changes nothing.
func (m *hclModule) step() cty.Value {
	ctx := m.ctx
	ctx.Variables["var"] = objectOf(m.vars)
	ctx.Variables["local"] = objectOf(m.localVals)
	for n, e := range m.locals {
		if v, diags := e.Value(ctx); !diags.HasErrors() && !tooBig(v) {
			m.localVals[n] = v
		}
	}
	ctx.Variables["local"] = objectOf(m.localVals)
	snapshot := map[string]cty.Value{"local": ctx.Variables["local"]}
	if len(m.calls)+len(m.unread) > 0 {
		mods := map[string]cty.Value{}
		for _, n := range m.unread {
			mods[n] = cty.DynamicVal
		}
		var children []cty.Value
		for _, c := range m.calls {
			v, snap := m.stepCall(c)
			mods[c.name] = v
			children = append(children, snap...)
		}
		ctx.Variables["module"] = objectOf(mods)
		snapshot["module"] = ctx.Variables["module"]
		if len(children) > 0 {
			snapshot["children"] = cty.TupleVal(children)
		}
	}
	types := map[string]map[string]cty.Value{}
	for _, r := range m.resources {
		m.expand(r, ctx)
		r.value = m.refValue(r, ctx)
		if types[r.typ] == nil {
			types[r.typ] = map[string]cty.Value{}
		}
		types[r.typ][r.name] = r.value
	}
	for t, byName := range types {
		ctx.Variables[t] = objectOf(byName)
		snapshot["resource "+t] = ctx.Variables[t]
	}
	return cty.ObjectVal(snapshot)
}

// collect appends the module's resources (and its children's), its
// suppressions and its warnings.
func (m *hclModule) collect(inv *vpc.Inventory, out *[]resource, sups *[]Suppression) {
	for _, w := range m.notes {
		inv.Warn(w)
	}
	for _, f := range m.files {
		if f.syn == nil {
			continue // JSON has no comments to hold walls:ignore
		}
		for _, s := range m.suppressions(f.name, f.src, f.syn, inv) {
			s.Resource = m.prefix + s.Resource
			*sups = append(*sups, s)
		}
	}
	for _, r := range m.resources {
		if !Supported(r.typ) {
			continue
		}
		if len(r.instances) == 0 && r.counted {
			continue // count = 0 or an empty for_each: known to be none
		}
		for _, in := range r.instances {
			if in.rep {
				what := "count"
				if r.block.Attrs["for_each"] != nil {
					what = "for_each"
				}
				inv.Warn(vpc.Warning{Code: "unknown-value", Resource: in.addr,
					Message: fmt.Sprintf("%s: %s is unknown: not resolvable statically; audited once as a representative of every instance (what it allows, each instance allows; values that depend on the instance are unknown)", in.addr, what),
					Source:  vpc.Location{File: r.file, Line: r.block.Line}})
			}
			*out = append(*out, resource{Addr: in.addr, Type: r.typ, Body: bodyObject(r.file, r.block, instanceCtx(m.ctx, in), m.prefix)})
		}
	}
	for _, c := range m.calls {
		for _, child := range c.instances {
			child.collect(inv, out, sups)
		}
	}
}

// expand decides the resource's instances from count or for_each; an
// unknown count or for_each gives one representative instance.
func (m *hclModule) expand(r *hclResource, ctx *hcl.EvalContext) {
	base := m.prefix + r.typ + "." + r.name
	keys, ok, isCount := instanceKeys(r.block.Attrs, ctx)
	r.instances, r.counted = nil, false
	switch {
	case !ok:
		r.instances = []hclInstance{{addr: base, key: cty.UnknownVal(cty.Number), rep: true}}
		if !isCount {
			r.instances[0].key, r.instances[0].each = cty.UnknownVal(cty.String), cty.DynamicVal
		}
	case keys == nil:
		r.instances = []hclInstance{{addr: base}}
	default:
		r.counted = true
		for _, k := range keys {
			r.instances = append(r.instances, hclInstance{addr: base + k.suffix, key: k.key, each: k.each})
		}
	}
}

type instanceKey struct {
	suffix    string // [0] or ["k"]
	key, each cty.Value
}

// instanceKeys evaluates a body's count or for_each: keys nil and ok for
// neither (a single instance), ok false when the value is unknown.
func instanceKeys(attrs map[string]*hcl.Attribute, ctx *hcl.EvalContext) (keys []instanceKey, ok, isCount bool) {
	if a := attrs["count"]; a != nil {
		v, diags := a.Expr.Value(ctx)
		if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() || !v.Type().Equals(cty.Number) {
			return nil, false, true
		}
		n, acc := v.AsBigFloat().Int64()
		if acc != 0 || n < 0 || n > 1000 {
			return nil, false, true
		}
		keys = []instanceKey{}
		for i := int64(0); i < n; i++ {
			keys = append(keys, instanceKey{suffix: fmt.Sprintf("[%d]", i), key: cty.NumberIntVal(i)})
		}
		return keys, true, true
	}
	if a := attrs["for_each"]; a != nil {
		v, diags := a.Expr.Value(ctx)
		if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() || !(v.Type().IsMapType() || v.Type().IsObjectType() || v.Type().IsSetType()) || v.LengthInt() > 1000 {
			return nil, false, false
		}
		keys = []instanceKey{}
		for it := v.ElementIterator(); it.Next(); {
			k, val := it.Element()
			if v.Type().IsSetType() {
				k = val
			}
			k, _ = k.Unmark()
			if k.Type() != cty.String || k.IsNull() {
				return nil, false, false
			}
			keys = append(keys, instanceKey{suffix: fmt.Sprintf("[%q]", k.AsString()), key: k, each: val})
		}
		return keys, true, false
	}
	return nil, true, false
}

// instanceCtx adds count.index or each.key/each.value for one instance.
func instanceCtx(ctx *hcl.EvalContext, in hclInstance) *hcl.EvalContext {
	if in.key == cty.NilVal {
		return ctx
	}
	c := ctx.NewChild()
	c.Variables = map[string]cty.Value{}
	if in.each == cty.NilVal {
		c.Variables["count"] = cty.ObjectVal(map[string]cty.Value{"index": in.key})
	} else {
		c.Variables["each"] = cty.ObjectVal(map[string]cty.Value{"key": in.key, "value": in.each})
	}
	return c
}

// refValue is what a reference to the resource sees: its literal top-level
// attributes, id = the instance address, and the computed attributes walls
// knows of as unknown. A representative instance (unknown count or
// for_each) is unknown to references.
func (m *hclModule) refValue(r *hclResource, ctx *hcl.EvalContext) cty.Value {
	if len(r.instances) == 0 && r.counted {
		// count = 0 or an empty for_each: known to be none, so
		// concat(aws_x.y.*.id, …) and aws_x.y[*].id stay known.
		if r.block.Attrs["for_each"] != nil {
			return cty.EmptyObjectVal
		}
		return cty.EmptyTupleVal
	}
	if len(r.instances) == 0 || r.instances[0].rep {
		return cty.DynamicVal
	}
	one := func(in hclInstance) cty.Value {
		ictx := instanceCtx(ctx, in)
		attrs := map[string]cty.Value{}
		for name, a := range r.block.Attrs {
			if name == "count" || name == "for_each" || name == "depends_on" || name == "provider" {
				continue
			}
			v, diags := a.Expr.Value(ictx)
			if diags.HasErrors() || tooBig(v) {
				v = cty.DynamicVal
			}
			attrs[name] = v
		}
		for _, k := range []string{"arn", "owner_id", "tags_all"} {
			if _, ok := attrs[k]; !ok {
				attrs[k] = cty.DynamicVal
			}
		}
		attrs["id"] = cty.StringVal(in.addr)
		switch r.typ {
		case "aws_vpc":
			attrs["default_network_acl_id"] = cty.StringVal(in.addr + ".default_network_acl_id")
			attrs["default_security_group_id"] = cty.StringVal(in.addr + ".default_security_group_id")
			attrs["main_route_table_id"] = cty.DynamicVal
			if _, ok := attrs["ipv6_cidr_block"]; !ok {
				attrs["ipv6_cidr_block"] = cty.DynamicVal
			}
		case "aws_instance":
			for _, k := range []string{"private_ip", "public_ip", "primary_network_interface_id", "ipv6_addresses"} {
				if _, ok := attrs[k]; !ok {
					attrs[k] = cty.DynamicVal
				}
			}
		case "aws_security_group":
			if _, ok := attrs["name"]; !ok {
				attrs["name"] = cty.DynamicVal
			}
		}
		return cty.ObjectVal(attrs)
	}
	if len(r.instances) == 1 && r.instances[0].key == cty.NilVal {
		return one(r.instances[0])
	}
	if r.instances[0].each == cty.NilVal {
		vals := make([]cty.Value, len(r.instances))
		for i, in := range r.instances {
			vals[i] = one(in)
		}
		return cty.TupleVal(vals)
	}
	byKey := map[string]cty.Value{}
	for _, in := range r.instances {
		byKey[in.key.AsString()] = one(in)
	}
	return cty.ObjectVal(byKey)
}
func objectOf(m map[string]cty.Value) cty.Value {
	if len(m) == 0 {
		return cty.EmptyObjectVal
	}
	return cty.ObjectVal(m)
}

// nestedBlocks are the block types walls reads inside resources.
var nestedBlocks = []hcl.BlockHeaderSchema{
	{Type: "ingress"}, {Type: "egress"}, {Type: "entry"}, {Type: "attachment"}, {Type: "network_interface"},
}

// bodyObject evaluates a resource or nested block body into an object.
// An unknown top-level attribute remembers the reference it comes from,
// prefixed with the module instance (prefix).
func bodyObject(file string, blk *tfBlock, ctx *hcl.EvalContext, prefix string) *object {
	o := newObject(vpc.Location{File: file, Line: blk.Line})
	body := blk.Body
	for name, a := range blk.Attrs {
		loc := vpc.Location{File: fileOf(a.Range, file), Line: a.Range.Start.Line}
		o.AttrLoc[name] = loc
		v, diags := a.Expr.Value(ctx)
		if diags.HasErrors() || !v.IsKnown() {
			o.Fields[name] = unknown{ref: exprRef(a.Expr, prefix)}
			continue
		}
		o.Fields[name] = fromCty(v, loc, 0)
	}
	// Nested blocks, with dynamic blocks expanded over known collections.
	content, _, _ := dynblock.Expand(body, ctx).PartialContent(&hcl.BodySchema{Blocks: nestedBlocks})
	if content == nil {
		return o
	}
	for _, blk := range content.Blocks {
		loc := vpc.Location{File: fileOf(blk.DefRange, file), Line: nestedLine(blk)}
		var v any
		if u, ok := blk.Body.(interface{ Unknown() bool }); ok && u.Unknown() {
			v = unknown{}
		} else {
			v = expandedBlock(blk, loc, ctx)
		}
		l, _ := o.Fields[blk.Type].([]any)
		o.Fields[blk.Type] = append(l, v)
		if _, ok := o.AttrLoc[blk.Type]; !ok {
			o.AttrLoc[blk.Type] = loc
		}
	}
	return o
}

// nestedLine is the line of a nested block. A JSON array of blocks
// ("ingress": [{…}, {…}]) gives every element the array's range, so a
// JSON block is placed at its first argument instead.
func nestedLine(blk *hcl.Block) int {
	line := blk.DefRange.Start.Line
	if !strings.HasSuffix(blk.DefRange.Filename, ".json") {
		return line
	}
	attrs, diags := blk.Body.JustAttributes()
	if diags.HasErrors() || len(attrs) == 0 {
		return line
	}
	first := 0
	for _, a := range attrs {
		if l := a.NameRange.Start.Line; first == 0 || l < first {
			first = l
		}
	}
	return first
}

// fileOf is the file a range is in (an override file's argument is in
// that file), else the block's.
func fileOf(r hcl.Range, file string) string {
	if r.Filename != "" {
		return r.Filename
	}
	return file
}

// blockAttrs are the attributes walls reads in nested blocks. Asking for
// them by name (rather than JustAttributes) is what makes a dynamic block's
// iterator visible to their expressions.
var blockAttrs = func() []hcl.AttributeSchema {
	var out []hcl.AttributeSchema
	for _, n := range []string{"from_port", "to_port", "protocol", "cidr_blocks", "ipv6_cidr_blocks",
		"prefix_list_ids", "security_groups", "self", "description", "rule_no", "action", "cidr_block",
		"ipv6_cidr_block", "icmp_type", "icmp_code", "cidr", "instance", "device_index", "network_interface_id"} {
		out = append(out, hcl.AttributeSchema{Name: n})
	}
	return out
}()

func expandedBlock(blk *hcl.Block, loc vpc.Location, ctx *hcl.EvalContext) *object {
	o := newObject(loc)
	content, _, _ := blk.Body.PartialContent(&hcl.BodySchema{Attributes: blockAttrs})
	if content == nil {
		return o
	}
	for name, a := range content.Attributes {
		aloc := vpc.Location{File: loc.File, Line: a.Range.Start.Line}
		o.AttrLoc[name] = aloc
		v, diags := a.Expr.Value(ctx)
		if diags.HasErrors() {
			o.Fields[name] = unknown{}
			continue
		}
		o.Fields[name] = fromCty(v, aloc, 0)
	}
	return o
}

// fromCty converts an evaluated value into the value tree.
func fromCty(v cty.Value, loc vpc.Location, depth int) any {
	if depth > 32 {
		return unknown{}
	}
	if !v.IsKnown() {
		return unknown{}
	}
	if v.IsNull() {
		return nil
	}
	v, _ = v.Unmark()
	t := v.Type()
	switch {
	case t == cty.String:
		return v.AsString()
	case t == cty.Number:
		f, _ := v.AsBigFloat().Float64()
		return f
	case t == cty.Bool:
		return v.True()
	case t.IsListType() || t.IsSetType() || t.IsTupleType():
		out := make([]any, 0, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			out = append(out, fromCty(e, loc, depth+1))
		}
		return out
	case t.IsMapType() || t.IsObjectType():
		o := newObject(loc)
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			o.Fields[k.AsString()] = fromCty(e, loc, depth+1)
		}
		return o
	}
	return unknown{}
}

// functions are the Terraform functions a static reading can evaluate:
// go-cty's standard library and hcl's try/can where they behave as
// Terraform's, and the few Terraform defines itself (funcs.go).
func functions() map[string]function.Function {
	return map[string]function.Function{
		"concat": stdlib.ConcatFunc, "flatten": stdlib.FlattenFunc, "format": guardedFormat(stdlib.FormatFunc),
		"join": stdlib.JoinFunc, "lower": stdlib.LowerFunc, "upper": stdlib.UpperFunc,
		"length": stdlib.LengthFunc, "merge": stdlib.MergeFunc, "lookup": lookupFunc,
		"element": stdlib.ElementFunc, "distinct": stdlib.DistinctFunc, "coalesce": stdlib.CoalesceFunc,
		"coalescelist": stdlib.CoalesceListFunc, "zipmap": stdlib.ZipmapFunc,
		"compact": stdlib.CompactFunc, "split": stdlib.SplitFunc, "replace": stdlib.ReplaceFunc,
		"trimspace": stdlib.TrimSpaceFunc, "keys": stdlib.KeysFunc, "values": stdlib.ValuesFunc,
		"trim": stdlib.TrimFunc, "trimprefix": stdlib.TrimPrefixFunc, "trimsuffix": stdlib.TrimSuffixFunc,
		"title": stdlib.TitleFunc, "substr": stdlib.SubstrFunc, "chomp": stdlib.ChompFunc,
		"contains": stdlib.ContainsFunc, "range": stdlib.RangeFunc, "setunion": stdlib.SetUnionFunc,
		"setintersection": stdlib.SetIntersectionFunc, "setsubtract": stdlib.SetSubtractFunc,
		"setproduct": stdlib.SetProductFunc, "chunklist": stdlib.ChunklistFunc,
		"slice": stdlib.SliceFunc, "reverse": stdlib.ReverseListFunc, "sort": stdlib.SortFunc,
		"abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc, "floor": stdlib.FloorFunc,
		"signum": stdlib.SignumFunc, "parseint": stdlib.ParseIntFunc,
		"regex": stdlib.RegexFunc, "regexall": stdlib.RegexAllFunc,
		"jsonencode": stdlib.JSONEncodeFunc, "jsondecode": stdlib.JSONDecodeFunc,
		"tostring": stdlib.MakeToFunc(cty.String), "tonumber": stdlib.MakeToFunc(cty.Number),
		"tobool": stdlib.MakeToFunc(cty.Bool),
		"tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"toset":  stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
		"tomap":  stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		"min":    stdlib.MinFunc, "max": stdlib.MaxFunc, "formatlist": guardedFormat(stdlib.FormatListFunc),
		"try": tryfunc.TryFunc, "can": tryfunc.CanFunc, "one": oneFunc,
		"cidrsubnet": cidrSubnetFunc, "cidrhost": cidrHostFunc, "cidrnetmask": cidrNetmaskFunc,
	}
}

// exprRef names what an unknown expression comes from: its first reference
// that is not an instance key ("data.aws_security_group.db.id",
// "module.net.sg_id", "var.sg_id"), prefixed with the module instance; ""
// when none.
func exprRef(e hcl.Expression, prefix string) string {
	for _, t := range e.Variables() {
		switch t.RootName() {
		case "count", "each", "path", "terraform", "self":
			continue
		}
		return prefix + renderTraversal(t)
	}
	return ""
}
