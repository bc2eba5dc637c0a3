package terraform

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/dynblock"
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

// LoadHCLDirWithSuppressions reads the .tf files of dir with the HCL
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
	var skipped []string
	for _, e := range ents {
		n := e.Name()
		if !e.IsDir() && strings.HasSuffix(n, ".tf.json") {
			skipped = append(skipped, n)
		}
		autoVars := n == "terraform.tfvars" || strings.HasSuffix(n, ".auto.tfvars")
		if e.IsDir() || !strings.HasSuffix(n, ".tf") && !autoVars {
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
	for _, n := range skipped {
		inv.Warn(vpc.Warning{Code: "file-not-read", Message: n + ": Terraform JSON syntax (.tf.json) is not read", Source: vpc.Location{File: filepath.Join(dir, n)}})
	}
	return LoadHCLFiles(files, inv)
}

// LoadHCLFiles is LoadHCLDirWithSuppressions over files given as name →
// content, all of one Terraform module. Names are used in locations.
// Files named terraform.tfvars or *.auto.tfvars set variables, as
// Terraform loads them without being asked (other -var-file files are not
// read).
func LoadHCLFiles(files map[string][]byte, inv *vpc.Inventory) ([]Suppression, error) {
	m := &hclModule{vars: map[string]cty.Value{}, locals: map[string]hcl.Expression{}}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	parser := hclparse.NewParser()
	var sups []Suppression
	sort.SliceStable(names, func(i, j int) bool { // terraform.tfvars before *.auto.tfvars
		return filepath.Base(names[i]) == "terraform.tfvars" && filepath.Base(names[j]) != "terraform.tfvars"
	})
	tfvars := map[string]cty.Value{}
	for _, name := range names {
		if line := deepNesting(files[name], MaxNesting); line > 0 {
			return nil, &vpc.InputError{Loc: vpc.Location{File: name, Line: line},
				Msg: fmt.Sprintf("nested more than %d levels deep (brackets, parentheses, braces, template interpolations and operators in one expression); refused before parsing, as the HCL parser recurses once per level", MaxNesting)}
		}
		f, diags := parser.ParseHCL(files[name], name)
		if diags.HasErrors() {
			return nil, diagError(name, diags)
		}
		if strings.HasSuffix(name, ".tfvars") {
			attrs, _ := f.Body.JustAttributes()
			for n, a := range attrs {
				if v, diags := a.Expr.Value(nil); !diags.HasErrors() && !tooBig(v) {
					tfvars[n] = v
				}
			}
			continue
		}
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			continue
		}
		if err := m.read(name, body); err != nil {
			return nil, err
		}
		sups = append(sups, m.suppressions(name, files[name], body, inv)...)
	}
	for n, v := range tfvars {
		if _, declared := m.vars[n]; declared {
			m.vars[n] = v
		}
	}
	for _, w := range m.notes {
		inv.Warn(w)
	}
	res := m.evaluate(inv)
	b := &builder{inv: inv, why: "unknown: not resolvable statically"}
	if len(names) > 0 {
		b.unit, b.unitDir = filepath.ToSlash(filepath.Dir(names[0])), true
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
		return &vpc.InputError{Loc: loc, Msg: "invalid Terraform (HCL): " + msg}
	}
	return &vpc.InputError{Loc: vpc.Location{File: file}, Msg: "invalid Terraform (HCL)"}
}

// hclModule is one folder's declarations.
type hclModule struct {
	vars      map[string]cty.Value
	locals    map[string]hcl.Expression
	resources []*hclResource
	notes     []vpc.Warning
}

type hclResource struct {
	typ, name string
	file      string
	block     *hclsyntax.Block
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
}

func (m *hclModule) read(file string, body *hclsyntax.Body) error {
	for _, blk := range body.Blocks {
		switch blk.Type {
		case "variable":
			if len(blk.Labels) != 1 {
				continue
			}
			v := cty.DynamicVal
			if a := blk.Body.Attributes["default"]; a != nil {
				if val, diags := a.Expr.Value(nil); !diags.HasErrors() && !tooBig(val) {
					v = val
				}
			}
			m.vars[blk.Labels[0]] = v
		case "locals":
			for name, a := range blk.Body.Attributes {
				m.locals[name] = a.Expr
			}
		case "module":
			name := ""
			if len(blk.Labels) > 0 {
				name = blk.Labels[0]
			}
			m.notes = append(m.notes, vpc.Warning{Code: "module-not-read", Resource: "module." + name,
				Message: fmt.Sprintf("module.%s: resources of modules are not read from .tf folders; use terraform show -json of a plan for them", name),
				Source:  vpc.Location{File: file, Line: blk.DefRange().Start.Line}})
		case "resource":
			if len(blk.Labels) != 2 {
				return &vpc.InputError{Loc: vpc.Location{File: file, Line: blk.DefRange().Start.Line}, Msg: "resource block: want two labels, type and name"}
			}
			m.resources = append(m.resources, &hclResource{typ: blk.Labels[0], name: blk.Labels[1], file: file, block: blk})
		}
	}
	return nil
}

// evaluate resolves locals and resources in a few passes (references may
// point forward) and returns the resources walls reads.
func (m *hclModule) evaluate(inv *vpc.Inventory) []resource {
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: functions()}
	ctx.Variables["var"] = objectOf(m.vars)
	for _, k := range []string{"data", "module", "count", "each", "self", "terraform"} {
		ctx.Variables[k] = cty.DynamicVal
	}
	ctx.Variables["path"] = cty.ObjectVal(map[string]cty.Value{
		"module": cty.StringVal("."), "root": cty.StringVal("."), "cwd": cty.StringVal("."),
	})
	locals := map[string]cty.Value{}
	for n := range m.locals {
		locals[n] = cty.DynamicVal
	}
	for _, r := range m.resources {
		r.value = cty.DynamicVal
	}
	passes := len(m.locals) + 3
	if passes > 12 {
		passes = 12
	}
	var prev cty.Value
	for pass := 0; pass < passes; pass++ {
		ctx.Variables["local"] = objectOf(locals)
		for n, e := range m.locals {
			if v, diags := e.Value(ctx); !diags.HasErrors() && !tooBig(v) {
				locals[n] = v
			}
		}
		ctx.Variables["local"] = objectOf(locals)
		types := map[string]map[string]cty.Value{}
		for _, r := range m.resources {
			m.expand(r, ctx)
			r.value = m.refValue(r, ctx)
			if types[r.typ] == nil {
				types[r.typ] = map[string]cty.Value{}
			}
			types[r.typ][r.name] = r.value
		}
		snapshot := map[string]cty.Value{"local": ctx.Variables["local"]}
		for t, byName := range types {
			ctx.Variables[t] = objectOf(byName)
			snapshot[t] = ctx.Variables[t]
		}
		// Stop once a pass changes nothing: every reference is as resolved
		// as it will get.
		cur := cty.ObjectVal(snapshot)
		if prev != cty.NilVal && prev.RawEquals(cur) {
			break
		}
		prev = cur
	}
	var out []resource
	for _, r := range m.resources {
		if !Supported(r.typ) {
			continue
		}
		if len(r.instances) == 0 && r.counted {
			continue // count = 0 or an empty for_each: known to be none
		}
		if len(r.instances) == 0 {
			what := "count"
			if r.block.Body.Attributes["for_each"] != nil {
				what = "for_each"
			}
			inv.Warn(vpc.Warning{Code: "unknown-value", Resource: r.typ + "." + r.name,
				Message: fmt.Sprintf("%s.%s: %s is unknown: not resolvable statically; resource skipped", r.typ, r.name, what),
				Source:  vpc.Location{File: r.file, Line: r.block.DefRange().Start.Line}})
			continue
		}
		for _, in := range r.instances {
			out = append(out, resource{Addr: in.addr, Type: r.typ, Body: bodyObject(r.file, r.block.Body, r.block.DefRange().Start.Line, instanceCtx(ctx, in))})
		}
	}
	return out
}

// expand decides the resource's instances from count or for_each.
func (m *hclModule) expand(r *hclResource, ctx *hcl.EvalContext) {
	base := r.typ + "." + r.name
	r.instances, r.counted = nil, false
	if a := r.block.Body.Attributes["count"]; a != nil {
		v, diags := a.Expr.Value(ctx)
		if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() || !v.Type().Equals(cty.Number) {
			return
		}
		n, acc := v.AsBigFloat().Int64()
		if acc != 0 || n < 0 || n > 1000 {
			return
		}
		for i := int64(0); i < n; i++ {
			r.instances = append(r.instances, hclInstance{addr: fmt.Sprintf("%s[%d]", base, i), key: cty.NumberIntVal(i)})
		}
		r.counted = true
		return
	}
	if a := r.block.Body.Attributes["for_each"]; a != nil {
		v, diags := a.Expr.Value(ctx)
		if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() || !(v.Type().IsMapType() || v.Type().IsObjectType() || v.Type().IsSetType()) || v.LengthInt() > 1000 {
			return
		}
		for it := v.ElementIterator(); it.Next(); {
			k, val := it.Element()
			if v.Type().IsSetType() {
				k = val
			}
			if k.Type() != cty.String {
				return
			}
			r.instances = append(r.instances, hclInstance{addr: fmt.Sprintf("%s[%q]", base, k.AsString()), key: k, each: val})
		}
		r.counted = true
		return
	}
	r.instances = []hclInstance{{addr: base}}
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
// knows of as unknown.
func (m *hclModule) refValue(r *hclResource, ctx *hcl.EvalContext) cty.Value {
	if len(r.instances) == 0 {
		return cty.DynamicVal
	}
	one := func(in hclInstance) cty.Value {
		ictx := instanceCtx(ctx, in)
		attrs := map[string]cty.Value{}
		for name, a := range r.block.Body.Attributes {
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
func bodyObject(file string, body *hclsyntax.Body, line int, ctx *hcl.EvalContext) *object {
	o := newObject(vpc.Location{File: file, Line: line})
	for name, a := range body.Attributes {
		loc := vpc.Location{File: file, Line: a.SrcRange.Start.Line}
		o.AttrLoc[name] = loc
		v, diags := a.Expr.Value(ctx)
		if diags.HasErrors() {
			o.Fields[name] = unknown{}
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
		loc := vpc.Location{File: file, Line: blk.DefRange.Start.Line}
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

// functions are the Terraform functions a static reading can evaluate.
func functions() map[string]function.Function {
	return map[string]function.Function{
		"concat": stdlib.ConcatFunc, "flatten": stdlib.FlattenFunc, "format": guardedFormat(stdlib.FormatFunc),
		"join": stdlib.JoinFunc, "lower": stdlib.LowerFunc, "upper": stdlib.UpperFunc,
		"length": stdlib.LengthFunc, "merge": stdlib.MergeFunc, "lookup": stdlib.LookupFunc,
		"element": stdlib.ElementFunc, "distinct": stdlib.DistinctFunc, "coalesce": stdlib.CoalesceFunc,
		"compact": stdlib.CompactFunc, "split": stdlib.SplitFunc, "replace": stdlib.ReplaceFunc,
		"trimspace": stdlib.TrimSpaceFunc, "keys": stdlib.KeysFunc, "values": stdlib.ValuesFunc,
		"contains": stdlib.ContainsFunc, "range": stdlib.RangeFunc, "setunion": stdlib.SetUnionFunc,
		"tostring": stdlib.MakeToFunc(cty.String), "tonumber": stdlib.MakeToFunc(cty.Number),
		"tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"toset":  stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
		"tomap":  stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		"min":    stdlib.MinFunc, "max": stdlib.MaxFunc, "formatlist": guardedFormat(stdlib.FormatListFunc),
		"cidrsubnet": cidrSubnetFunc,
	}
}
