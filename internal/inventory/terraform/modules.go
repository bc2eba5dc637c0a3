package terraform

// Local modules in .tf folders: a module block whose source is a folder
// ("./net", "../modules/sg") is read from that folder with the block's
// arguments as its input variables; its resources get addresses prefixed
// "module.NAME." (or "module.NAME[0].", `module.NAME["k"].` under count or
// for_each), as Terraform names them in plans, and its outputs are what
// module.NAME.OUTPUT references see. Modules from a registry or a
// repository are not read (a warning says so).

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/zclconf/go-cty/cty"

	"github.com/walls-dev/walls/internal/readfile"
	"github.com/walls-dev/walls/internal/vpc"
)

// maxModuleDepth bounds module nesting (a module calling itself through a
// chain of folders would otherwise never end).
const maxModuleDepth = 8

// maxModuleInstances bounds the module instances of one load (count and
// for_each on modules multiply).
const maxModuleInstances = 256

// hclCall is one module block.
type hclCall struct {
	name  string
	file  string
	block *tfBlock
	dir   string // the local source folder
	// files are the module's parsed files (read once), defaults its
	// variables with their defaults.
	files []parsedFile
	// instances are the module instances the block's count or for_each
	// makes (one without them, one representative when unknown).
	instances []*hclModule
	keys      string // the instances' address suffixes, to see a change
	rep       bool
	refused   bool // more instances than the load's bound
}

// call records a module block; a source that is not a local folder gives
// a note and no call.
func (m *hclModule) call(file, name string, blk *tfBlock) *hclCall {
	loc := vpc.Location{File: file, Line: blk.Line}
	addr := m.prefix + "module." + name
	src := ""
	if a := blk.Attrs["source"]; a != nil {
		if v, diags := a.Expr.Value(nil); !diags.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
			src = v.AsString()
		}
	}
	if !isLocalSource(src) {
		// terraform init installs registry and repository modules and
		// records where.
		if d, ok := m.installed[manifestKey(cfgPrefix(m.prefix)+"module."+name+".")]; ok {
			return &hclCall{name: name, file: file, block: blk, dir: d}
		}
		m.notes = append(m.notes, vpc.Warning{Code: "module-not-read", Resource: addr,
			Message: fmt.Sprintf("%s: source %q is not a local folder, and terraform init has not installed it here (.terraform/modules); its resources are not read (terraform show -json of a plan has them)", addr, src),
			Source:  loc})
		return nil
	}
	return &hclCall{name: name, file: file, block: blk, dir: filepath.Join(m.dir, filepath.FromSlash(src))}
}

// loadCalls reads the files of the module's calls, and theirs.
func (m *hclModule) loadCalls() error {
	kept := m.calls[:0]
	for _, c := range m.calls {
		loc := vpc.Location{File: c.file, Line: c.block.Line}
		addr := m.prefix + "module." + c.name
		if m.depth >= maxModuleDepth {
			m.notes = append(m.notes, vpc.Warning{Code: "module-not-read", Resource: addr,
				Message: fmt.Sprintf("%s: modules nested more than %d deep are not read", addr, maxModuleDepth), Source: loc})
			continue
		}
		names, files, err := readTFFiles(c.dir)
		if err != nil || len(names) == 0 {
			why := "it holds no .tf file"
			if err != nil {
				why = err.Error()
			}
			m.notes = append(m.notes, vpc.Warning{Code: "module-not-read", Resource: addr,
				Message: fmt.Sprintf("%s: local source %s cannot be read (%s); its resources are not read", addr, c.dir, why), Source: loc})
			continue
		}
		parsed, _, err := parseModuleFiles(names, files)
		if err != nil {
			return err
		}
		c.files = parsed
		kept = append(kept, c)
	}
	m.calls = kept
	return nil
}

// readTFFiles reads the .tf and .tf.json files of a module folder (variable files are
// the root module's only).
func readTFFiles(dir string) ([]string, map[string][]byte, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	var names []string
	files := map[string][]byte{}
	for _, e := range ents {
		if e.IsDir() || !isConfigFile(e.Name()) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		data, err := readfile.Read(p)
		if err != nil {
			return nil, nil, err
		}
		names = append(names, p)
		files[p] = data
	}
	sort.Strings(names)
	return names, files, nil
}

// stepCall evaluates one pass of a module call: its instances, their
// input variables from the block's arguments, their own pass, and their
// outputs. It returns what module.NAME references see and the instances'
// snapshots.
func (m *hclModule) stepCall(c *hclCall) (cty.Value, []cty.Value) {
	base := m.prefix + "module." + c.name
	keys, ok, isCount := instanceKeys(c.block.Attrs, m.ctx)
	var ins []hclInstance
	switch {
	case !ok:
		in := hclInstance{addr: base, key: cty.UnknownVal(cty.Number), rep: true}
		if !isCount {
			in.key, in.each = cty.UnknownVal(cty.String), cty.DynamicVal
		}
		ins = []hclInstance{in}
	case keys == nil:
		ins = []hclInstance{{addr: base}}
	default:
		for _, k := range keys {
			ins = append(ins, hclInstance{addr: base + k.suffix, key: k.key, each: k.each})
		}
	}
	sig := ""
	for _, in := range ins {
		sig += in.addr + "\x00"
	}
	if c.refused && sig == c.keys {
		return cty.DynamicVal, nil
	}
	if sig != c.keys || len(c.instances) != len(ins) {
		c.keys, c.rep, c.refused = sig, !ok, false
		*m.budget += len(c.instances) // made again below
		c.instances = nil
		if len(ins) > *m.budget {
			m.notes = append(m.notes, vpc.Warning{Code: "module-not-read", Resource: base,
				Message: fmt.Sprintf("%s: %d instances would pass the bound of %d module instances in one load; not read", base, len(ins), maxModuleInstances),
				Source:  vpc.Location{File: c.file, Line: c.block.Line}})
			c.refused = true
			return cty.DynamicVal, nil
		}
		*m.budget -= len(ins)
		for _, in := range ins {
			child := newModule(in.addr+".", c.dir, m.depth+1, m.budget)
			child.installed = m.installed
			if err := child.readFiles(c.files); err != nil {
				continue // the files parsed; read only refuses unlabeled resources, as the root does
			}
			if err := child.loadCalls(); err != nil {
				continue
			}
			child.initAll()
			c.instances = append(c.instances, child)
		}
		if c.rep && len(c.instances) > 0 {
			what := "count"
			if c.block.Attrs["for_each"] != nil {
				what = "for_each"
			}
			c.instances[0].notes = append(c.instances[0].notes, vpc.Warning{Code: "unknown-value", Resource: base,
				Message: fmt.Sprintf("%s: %s is unknown: not resolvable statically; the module is audited once as a representative of every instance", base, what),
				Source:  vpc.Location{File: c.file, Line: c.block.Line}})
		}
	}
	if len(c.instances) != len(ins) {
		return cty.DynamicVal, nil
	}
	vals := make([]cty.Value, len(ins))
	var snaps []cty.Value
	for i, child := range c.instances {
		ictx := instanceCtx(m.ctx, ins[i])
		for name, a := range c.block.Attrs {
			if _, declared := child.defaults[name]; !declared {
				continue // source, version, count, for_each, providers, depends_on, or undeclared
			}
			v, diags := a.Expr.Value(ictx)
			if diags.HasErrors() || tooBig(v) {
				v = cty.DynamicVal
			}
			child.vars[name] = v
		}
		snaps = append(snaps, child.step())
		outs := map[string]cty.Value{}
		for name, e := range child.outputs {
			v, diags := e.Value(child.ctx)
			if diags.HasErrors() || tooBig(v) {
				v = cty.DynamicVal
			}
			outs[name] = v
		}
		vals[i] = objectOf(outs)
	}
	switch {
	case c.rep:
		return cty.DynamicVal, snaps
	case keys == nil:
		return vals[0], snaps
	case isCount:
		return cty.TupleVal(vals), snaps
	}
	byKey := map[string]cty.Value{}
	for i, in := range ins {
		byKey[in.key.AsString()] = vals[i]
	}
	return cty.ObjectVal(byKey), snaps
}
