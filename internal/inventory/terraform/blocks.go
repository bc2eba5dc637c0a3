package terraform

// Terraform's two syntaxes and its override files. A module's files are
// native syntax (.tf) or JSON (.tf.json); both parse into an hcl.Body
// (hclparse's ParseHCL and ParseJSON), and the top-level blocks are read
// from either through one schema into tfBlock, so evaluation is the same.
// Override files (override.tf, *_override.tf and their .tf.json forms) are
// merged into the blocks they name after every other file is read, as
// Terraform does: an override's arguments replace the block's, and a
// nested block type the override writes (static or dynamic) replaces every
// nested block of that type.

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/walls-dev/walls/internal/vpc"
)

// tfBlock is one top-level block of a module, in either syntax.
type tfBlock struct {
	Type   string
	Labels []string
	// File and Line are where the block is declared (its first file
	// when overridden).
	File string
	Line int
	// Attrs are the block's arguments; each carries its own range, in
	// the file that wrote it.
	Attrs map[string]*hcl.Attribute
	// Body holds the nested blocks (Attrs are read from it too).
	Body hcl.Body
}

// topSchema are the top-level blocks of a Terraform module.
var topSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "resource", LabelNames: []string{"type", "name"}},
	{Type: "data", LabelNames: []string{"type", "name"}},
	{Type: "variable", LabelNames: []string{"name"}},
	{Type: "output", LabelNames: []string{"name"}},
	{Type: "module", LabelNames: []string{"name"}},
	{Type: "locals"},
}}

// innerBlocks are the nested block types of the top-level blocks walls
// reads: in JSON a nested block looks like an argument, so the schema
// tells them apart, as the provider's schema does for Terraform.
var innerBlocks = func() *hcl.BodySchema {
	s := &hcl.BodySchema{Blocks: append([]hcl.BlockHeaderSchema{}, nestedBlocks...)}
	for _, t := range []string{"lifecycle", "timeouts", "connection", "provisioner", "validation", "precondition", "postcondition"} {
		s.Blocks = append(s.Blocks, hcl.BlockHeaderSchema{Type: t})
	}
	s.Blocks = append(s.Blocks, hcl.BlockHeaderSchema{Type: "dynamic", LabelNames: []string{"type"}})
	return s
}()

// isOverride reports whether Terraform reads a file as an override file.
func isOverride(name string) bool {
	b := filepath.Base(name)
	stem := strings.TrimSuffix(strings.TrimSuffix(b, ".json"), ".tf")
	return stem == "override" || strings.HasSuffix(stem, "_override")
}

// isConfigFile reports whether a file name is a Terraform configuration
// file, in either syntax.
func isConfigFile(name string) bool {
	return strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tf.json")
}

// blocksOf reads a parsed file's top-level blocks.
func blocksOf(f parsedFile) ([]*tfBlock, error) {
	if f.syn != nil {
		var out []*tfBlock
		for _, blk := range f.syn.Blocks {
			attrs := make(map[string]*hcl.Attribute, len(blk.Body.Attributes))
			for n, a := range blk.Body.Attributes {
				attrs[n] = a.AsHCLAttribute()
			}
			out = append(out, &tfBlock{Type: blk.Type, Labels: blk.Labels, File: f.name, Line: blk.DefRange().Start.Line, Attrs: attrs, Body: blk.Body})
		}
		return out, nil
	}
	content, _, diags := f.body.PartialContent(topSchema)
	if diags.HasErrors() {
		return nil, diagError(f.name, diags)
	}
	var out []*tfBlock
	for _, blk := range content.Blocks {
		b := &tfBlock{Type: blk.Type, Labels: blk.Labels, File: f.name, Line: blk.DefRange.Start.Line, Body: blk.Body}
		var attrs hcl.Attributes
		if blk.Type == "locals" {
			attrs, diags = blk.Body.JustAttributes()
		} else {
			_, rest, d := blk.Body.PartialContent(innerBlocks)
			diags = d
			if !d.HasErrors() {
				attrs, diags = rest.JustAttributes()
			}
		}
		if diags.HasErrors() {
			return nil, diagError(f.name, diags)
		}
		b.Attrs = attrs
		out = append(out, b)
	}
	// JSON objects have no order; declaration order is the file's.
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out, nil
}

// moduleBlocks reads the blocks of a module's files and merges its
// override files into them.
func moduleBlocks(files []parsedFile) ([]*tfBlock, error) {
	var primary []*tfBlock
	var overrides []parsedFile
	for _, f := range files {
		if isOverride(f.name) {
			overrides = append(overrides, f)
			continue
		}
		bs, err := blocksOf(f)
		if err != nil {
			return nil, err
		}
		primary = append(primary, bs...)
	}
	sort.SliceStable(overrides, func(i, j int) bool { return filepath.Base(overrides[i].name) < filepath.Base(overrides[j].name) })
	for _, f := range overrides {
		bs, err := blocksOf(f)
		if err != nil {
			return nil, err
		}
		for _, o := range bs {
			if err := mergeOverride(primary, o); err != nil {
				return nil, err
			}
		}
	}
	return primary, nil
}

// mergeOverride merges one override block into the block it names.
func mergeOverride(primary []*tfBlock, o *tfBlock) error {
	if o.Type == "locals" {
		for n, a := range o.Attrs {
			found := false
			for _, b := range primary {
				if b.Type == "locals" && b.Attrs[n] != nil {
					b.Attrs[n], found = a, true
				}
			}
			if !found {
				return &vpc.InputError{Loc: vpc.Location{File: o.File, Line: a.Range.Start.Line},
					Msg: fmt.Sprintf("override of local.%s: no local value of that name is declared in the module's other files", n)}
			}
		}
		return nil
	}
	for _, b := range primary {
		if b.Type != o.Type || strings.Join(b.Labels, "\x00") != strings.Join(o.Labels, "\x00") {
			continue
		}
		for n, a := range o.Attrs {
			b.Attrs[n] = a
		}
		// count and for_each exclude each other: the override's wins.
		if o.Attrs["count"] != nil {
			delete(b.Attrs, "for_each")
		}
		if o.Attrs["for_each"] != nil {
			delete(b.Attrs, "count")
		}
		b.Body = mergeBody{base: b.Body, over: o.Body}
		return nil
	}
	return &vpc.InputError{Loc: vpc.Location{File: o.File, Line: o.Line},
		Msg: fmt.Sprintf("override of %s %s: no such block is declared in the module's other files", o.Type, strings.Join(o.Labels, "."))}
}

// mergeBody is a block body with an override's body merged in, for its
// nested blocks: a type the override writes replaces the base's blocks of
// that type (and dynamic blocks making it); arguments are merged in
// tfBlock.Attrs.
type mergeBody struct{ base, over hcl.Body }

func (b mergeBody) Content(s *hcl.BodySchema) (*hcl.BodyContent, hcl.Diagnostics) {
	c, _, d := b.PartialContent(s)
	return c, d
}

func (b mergeBody) PartialContent(s *hcl.BodySchema) (*hcl.BodyContent, hcl.Body, hcl.Diagnostics) {
	bc, brest, d1 := b.base.PartialContent(s)
	oc, orest, d2 := b.over.PartialContent(s)
	diags := append(d1, d2...)
	out := &hcl.BodyContent{Attributes: hcl.Attributes{}, MissingItemRange: bc.MissingItemRange}
	for n, a := range bc.Attributes {
		out.Attributes[n] = a
	}
	for n, a := range oc.Attributes {
		out.Attributes[n] = a
	}
	replaced := map[string]bool{}
	for _, blk := range oc.Blocks {
		if blk.Type == "dynamic" && len(blk.Labels) > 0 {
			replaced[blk.Labels[0]] = true
		} else {
			replaced[blk.Type] = true
		}
	}
	for _, blk := range bc.Blocks {
		t := blk.Type
		if t == "dynamic" && len(blk.Labels) > 0 {
			t = blk.Labels[0]
		}
		if !replaced[t] {
			out.Blocks = append(out.Blocks, blk)
		}
	}
	out.Blocks = append(out.Blocks, oc.Blocks...)
	return out, mergeBody{base: brest, over: orest}, diags
}

func (b mergeBody) JustAttributes() (hcl.Attributes, hcl.Diagnostics) {
	ba, d1 := b.base.JustAttributes()
	oa, d2 := b.over.JustAttributes()
	out := hcl.Attributes{}
	for n, a := range ba {
		out[n] = a
	}
	for n, a := range oa {
		out[n] = a
	}
	return out, append(d1, d2...)
}

func (b mergeBody) MissingItemRange() hcl.Range { return b.base.MissingItemRange() }

var _ hcl.Body = mergeBody{}
