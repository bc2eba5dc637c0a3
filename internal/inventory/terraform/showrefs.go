package terraform

// How a plan ties a standalone rule to a group it creates. The planned
// security_group_id of such a rule is unknown; the plan's configuration
// section holds the references its expression makes, which this file
// follows: resources of the plan (aws_security_group.x.id), the rule's own
// count.index or each.key (aws_security_group.x[count.index].id lists only
// "aws_security_group.x" and "count.index"), module outputs
// (module.m.security_group_id, through the module's outputs expression),
// a module's input variables (through the module call's argument) and
// locals. The configuration section does not hold locals: they are read
// from the .tf files when the folder is at hand (the plan file's folder,
// and module sources relative to it).

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/walls-dev/walls/internal/inventory/internal/iac"
	"github.com/walls-dev/walls/internal/readfile"
	"github.com/walls-dev/walls/internal/vpc"
)

// moduleCall is one module block of the configuration, by the config
// prefix of its body ("module.net." or "module.a.module.b.").
type moduleCall struct {
	args    *iac.Node // expressions of the module block's arguments
	outputs *iac.Node // the module's outputs: name -> {expression}
	source  string
}

// tfFolder is what the plan reads from a module's .tf files when they are
// at hand: locals' references and where resources are declared.
type tfFolder struct {
	locals map[string][]string
	blocks map[string]vpc.Location            // resource address in the module -> block
	attrs  map[string]map[string]vpc.Location // resource address -> attribute -> line
	// splats: resource address -> attribute -> the resource whose ids the
	// attribute is a splat of (subnet_ids = aws_subnet.private[*].id).
	splats map[string]map[string]string
}

// splitModuleRef splits "module.net[0].sg_id" into "net", "[0]" and
// "sg_id" (empty for the bare "module.net").
func splitModuleRef(ref string) (name, idx, out string, ok bool) {
	rest, ok := strings.CutPrefix(ref, "module.")
	if !ok {
		return "", "", "", false
	}
	i := strings.IndexAny(rest, ".[")
	if i < 0 {
		return rest, "", "", rest != ""
	}
	name, rest = rest[:i], rest[i:]
	if strings.HasPrefix(rest, "[") {
		j := strings.Index(rest, "]")
		if j < 0 {
			return "", "", "", false
		}
		idx, rest = rest[:j+1], rest[j+1:]
	}
	out = strings.TrimPrefix(rest, ".")
	if k := strings.IndexAny(out, ".["); k >= 0 {
		out = out[:k]
	}
	return name, idx, out, name != ""
}

// parentOf splits a module instance prefix "module.a.module.b[0]." into its
// parent "module.a." and the call's name "b".
func parentOf(mod string) (parent, name string) {
	t := strings.TrimSuffix(mod, ".")
	i := strings.LastIndex(t, "module.")
	if i < 0 {
		return "", ""
	}
	name = t[i+len("module."):]
	if j := strings.Index(name, "["); j >= 0 {
		name = name[:j]
	}
	return t[:i], name
}

func cfgPrefix(mod string) string { return indexRE.ReplaceAllString(mod, "") }

func refsOf(e *iac.Node) []string {
	refs := e.Get("references")
	if refs == nil || refs.Kind != iac.Array {
		return nil
	}
	out := make([]string, 0, len(refs.Items))
	for _, r := range refs.Items {
		if r.Kind == iac.String {
			out = append(out, r.Str)
		}
	}
	return out
}

// groupTypes are the resource types whose id a security_group_id names.
var groupTypes = map[string]bool{"aws_security_group": true, "aws_default_security_group": true}

// groupFor resolves the unknown security_group_id of a rule from the
// references of its expression: the plan's group instances the
// expression can lead to, followed through locals, module outputs and
// module inputs. It succeeds when exactly one group instance is reached
// (an expression that chooses, as var.create ? aws_security_group.this[0].id
// : var.id, still has one group of the plan to give). key is the rule's own
// instance key ("[0]", `["ssh"]`), which count.index and each.key stand for.
func (s *showLoader) groupFor(e *iac.Node, mod, key string) (string, bool) {
	found := map[string]bool{}
	s.collectGroups(refsOf(e), mod, key, found, 0)
	if len(found) != 1 {
		return "", false
	}
	for id := range found {
		return id, true
	}
	return "", false
}

func (s *showLoader) collectGroups(refs []string, mod, key string, found map[string]bool, depth int) {
	if depth > 16 || len(found) > 1 {
		return
	}
	byKey := false
	for _, r := range refs {
		if r == "count.index" || r == "each.key" {
			byKey = true
		}
	}
	for _, r := range refs {
		switch {
		case strings.HasPrefix(r, "module."):
			name, idx, out, ok := splitModuleRef(r)
			if !ok || out == "" {
				continue
			}
			call := s.calls[cfgPrefix(mod)+"module."+name+"."]
			if call == nil {
				continue
			}
			child := mod + "module." + name + idx + "."
			if idx == "" {
				child = s.onlyInstance(mod + "module." + name)
			}
			if child != "" {
				s.collectGroups(refsOf(call.outputs.Get(out).Get("expression")), child, "", found, depth+1)
			}
		case strings.HasPrefix(r, "var."):
			if mod == "" {
				continue
			}
			parent, name := parentOf(mod)
			call := s.calls[cfgPrefix(parent)+"module."+name+"."]
			if call == nil {
				continue
			}
			v := strings.TrimPrefix(r, "var.")
			if i := strings.IndexAny(v, ".["); i >= 0 {
				v = v[:i]
			}
			s.collectGroups(refsOf(call.args.Get(v)), parent, "", found, depth+1)
		case strings.HasPrefix(r, "local."):
			name := strings.TrimPrefix(r, "local.")
			if i := strings.IndexAny(name, ".["); i >= 0 {
				name = name[:i]
			}
			if f := s.folder(mod); f != nil {
				s.collectGroups(f.locals[name], mod, "", found, depth+1)
			}
		default:
			target, attr, ok := splitRef(r)
			if !ok || !groupTypes[strings.SplitN(target, ".", 2)[0]] || (attr != "" && attr != "id") {
				continue
			}
			switch {
			case strings.HasSuffix(target, "]"):
				if _, ok := s.ids[mod+target]; ok {
					found[s.ids[mod+target]] = true
				}
			case byKey && key != "":
				if _, ok := s.ids[mod+target+key]; ok {
					found[s.ids[mod+target+key]] = true
				}
			default:
				for _, a := range s.instances[mod+target] {
					found[s.ids[a]] = true
				}
			}
		}
	}
}

// onlyInstance is the one instance prefix of a module call ("module.m."
// or "module.m[0]."), or "" when it has none or several.
func (s *showLoader) onlyInstance(call string) string {
	seen := ""
	for _, r := range s.res {
		if !strings.HasPrefix(r.Addr, call) {
			continue
		}
		rest := r.Addr[len(call):]
		p := call + "."
		if strings.HasPrefix(rest, "[") {
			j := strings.Index(rest, "]")
			if j < 0 {
				continue
			}
			p = call + rest[:j+1] + "."
		} else if !strings.HasPrefix(rest, ".") {
			continue
		}
		if seen != "" && seen != p {
			return ""
		}
		seen = p
	}
	return seen
}

// folder reads the .tf files of the module at config prefix mod when they
// are next to the plan file (root) or at the module call's local source.
func (s *showLoader) folder(mod string) *tfFolder {
	if s.dir == "" {
		return nil
	}
	key := cfgPrefix(mod)
	if f, ok := s.folders[key]; ok {
		return f
	}
	s.folders[key] = nil
	dir := s.moduleDir(key, 0)
	if dir == "" {
		return nil
	}
	f := readTFFolder(dir)
	if f != nil && !s.matches(key, f) {
		f = nil
	}
	s.folders[key] = f
	return f
}

// matches reports whether the .tf files found declare every managed
// resource the plan's configuration holds for the module at config
// prefix key: .tf files next to a plan that are not its configuration
// must not tie or locate anything.
func (s *showLoader) matches(key string, f *tfFolder) bool {
	for addr := range s.config {
		rest, ok := strings.CutPrefix(addr, key)
		if !ok || strings.HasPrefix(rest, "module.") || strings.HasPrefix(rest, "data.") {
			continue
		}
		if _, ok := f.blocks[rest]; !ok {
			return false
		}
	}
	return true
}

func (s *showLoader) moduleDir(key string, depth int) string {
	if key == "" {
		return s.dir
	}
	if depth > 16 {
		return ""
	}
	if d, ok := s.installedModules()[manifestKey(key)]; ok {
		return d
	}
	call := s.calls[key]
	if call == nil || !isLocalSource(call.source) {
		return ""
	}
	parent, _ := parentOf(key)
	pd := s.moduleDir(parent, depth+1)
	if pd == "" {
		return ""
	}
	return filepath.Join(pd, filepath.FromSlash(call.source))
}

func isLocalSource(src string) bool {
	return strings.HasPrefix(src, "./") || strings.HasPrefix(src, "../")
}

// readTFFolder parses the .tf and .tf.json files of dir (override files
// merged in) for locals and block lines; files that do not parse are
// passed over (the plan is the input, the .tf files only help to tie and
// locate it). nil when there are none.
func readTFFolder(dir string) *tfFolder {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	f := &tfFolder{locals: map[string][]string{}, blocks: map[string]vpc.Location{}, attrs: map[string]map[string]vpc.Location{}, splats: map[string]map[string]string{}}
	var parsed []parsedFile
	for _, e := range ents {
		if e.IsDir() || !isConfigFile(e.Name()) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		data, err := readfile.Read(p)
		if err != nil {
			continue
		}
		pf, _, err := parseModuleFiles([]string{p}, map[string][]byte{p: data})
		if err != nil {
			continue
		}
		parsed = append(parsed, pf...)
	}
	if len(parsed) == 0 {
		return nil
	}
	sort.Slice(parsed, func(i, j int) bool { return parsed[i].name < parsed[j].name })
	blocks, err := moduleBlocks(parsed)
	if err != nil {
		return nil
	}
	for _, blk := range blocks {
		switch {
		case blk.Type == "locals":
			for name, a := range blk.Attrs {
				f.locals[name] = traversalRefs(a.Expr)
			}
		case blk.Type == "resource" && len(blk.Labels) == 2:
			addr := blk.Labels[0] + "." + blk.Labels[1]
			f.blocks[addr] = vpc.Location{File: blk.File, Line: blk.Line}
			al, sp := map[string]vpc.Location{}, map[string]string{}
			for name, a := range blk.Attrs {
				al[name] = vpc.Location{File: fileOf(a.Range, blk.File), Line: a.Range.Start.Line}
				if t := idSplat(a.Expr); t != "" {
					sp[name] = t
				}
			}
			f.attrs[addr], f.splats[addr] = al, sp
		}
	}
	return f
}

// traversalRefs renders the references an expression makes as Terraform's
// configuration section writes them: "aws_security_group.x.id",
// "aws_security_group.x" and "count.index" for an index it cannot render.
func traversalRefs(e hcl.Expression) []string {
	var out []string
	for _, t := range e.Variables() {
		out = append(out, renderTraversal(t))
	}
	return out
}

func renderTraversal(t hcl.Traversal) string {
	var b strings.Builder
	for _, step := range t {
		switch st := step.(type) {
		case hcl.TraverseRoot:
			b.WriteString(st.Name)
		case hcl.TraverseAttr:
			b.WriteString("." + st.Name)
		case hcl.TraverseIndex:
			k := st.Key
			if !k.IsKnown() || k.IsNull() {
				return b.String()
			}
			switch {
			case k.Type().FriendlyName() == "string":
				b.WriteString(`["` + k.AsString() + `"]`)
			case k.Type().FriendlyName() == "number":
				b.WriteString("[" + k.AsBigFloat().Text('f', -1) + "]")
			default:
				return b.String()
			}
		default:
			return b.String()
		}
	}
	return b.String()
}

// refText names an unresolved reference for the placeholder of an
// undeclared group: the first reference of the expression that is not an
// index ("local.sg", "data.aws_security_group.db.id"), prefixed by the
// module instance.
func refText(e *iac.Node, mod string) string {
	refs := refsOf(e)
	for _, r := range refs {
		if r == "count.index" || r == "each.key" || r == "each.value" {
			continue
		}
		return mod + r
	}
	return ""
}

// idSplat returns "aws_subnet.private" for the expressions
// aws_subnet.private[*].id and aws_subnet.private.*.id, else "".
func idSplat(e hcl.Expression) string {
	sp, ok := e.(*hclsyntax.SplatExpr)
	if !ok {
		return ""
	}
	src, ok := sp.Source.(*hclsyntax.ScopeTraversalExpr)
	if !ok || len(src.Traversal) != 2 {
		return ""
	}
	each, ok := sp.Each.(*hclsyntax.RelativeTraversalExpr)
	if !ok || len(each.Traversal) != 1 {
		return ""
	}
	if a, ok := each.Traversal[0].(hcl.TraverseAttr); !ok || a.Name != "id" {
		return ""
	}
	if _, ok := each.Source.(*hclsyntax.AnonSymbolExpr); !ok {
		return ""
	}
	return renderTraversal(src.Traversal)
}

// installedModules reads .terraform/modules/modules.json next to the plan,
// where `terraform init` records the folder of every module it installed
// (registry and repository sources included): module key ("net",
// "net.sg") -> folder.
func (s *showLoader) installedModules() map[string]string {
	if s.manifest == nil {
		s.manifest = readModuleManifest(s.dir)
	}
	return s.manifest
}

// readModuleManifest reads dir/.terraform/modules/modules.json: module key
// -> folder; empty when there is none.
func readModuleManifest(dir string) map[string]string {
	out := map[string]string{}
	data, err := readfile.Read(filepath.Join(dir, ".terraform", "modules", "modules.json"))
	if err != nil {
		return out
	}
	var m struct {
		Modules []struct{ Key, Dir string }
	}
	if json.Unmarshal(data, &m) != nil {
		return out
	}
	for _, e := range m.Modules {
		if e.Key == "" || e.Dir == "" {
			continue
		}
		d := filepath.FromSlash(e.Dir)
		if !filepath.IsAbs(d) {
			d = filepath.Join(dir, d)
		}
		out[e.Key] = d
	}
	return out
}

// manifestKey turns a config prefix "module.a.module.b." into the
// modules.json key "a.b".
func manifestKey(prefix string) string {
	parts := strings.Split(strings.TrimSuffix(prefix, "."), "module.")
	var names []string
	for _, p := range parts {
		if p = strings.Trim(p, "."); p != "" {
			names = append(names, p)
		}
	}
	return strings.Join(names, ".")
}
