// Package inventory loads walls' network model from files: the JSON output of
// `aws ec2 describe-*` commands (and, through its sub-packages, Terraform and
// CloudFormation). Inputs are detected by content, merged across files and
// pages, and validated strictly: malformed input is an error naming file,
// line, JSON path and the expected form. Partial inventories are normal and
// produce warnings, not errors (issue #2).
package inventory

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"

	"github.com/walls-dev/walls/internal/inventory/cloudformation"
	"github.com/walls-dev/walls/internal/inventory/internal/iac"
	"github.com/walls-dev/walls/internal/readfile"
	"github.com/walls-dev/walls/internal/safe"
	"github.com/walls-dev/walls/internal/vpc"
)

// maxErrors bounds how many input errors one load reports.
const maxErrors = 20

// Load reads the inventory from files and folders (walked recursively) and
// returns the merged, indexed model. Errors are *vpc.InputError values,
// joined when there are several.
func Load(paths []string) (*vpc.Inventory, error) { return LoadWith(paths, Options{}) }

// Options tunes a load.
type Options struct {
	// KeepGoing leaves out, with a warning, a file found in a folder that
	// cannot be read (an invalid one, one of another tool) and a resource
	// AWS would reject, and reads the rest (vpc.Inventory.KeepGoing). A
	// file named on the command line is still read or refused.
	KeepGoing bool
}

// LoadWith is Load with options.
func LoadWith(paths []string, opts Options) (*vpc.Inventory, error) {
	if len(paths) == 0 {
		return nil, errors.New("no inventory given: pass files or folders of `aws ec2 describe-*` JSON output")
	}
	files, dirs, manifests, err := collect(paths)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 && len(dirs) == 0 {
		return nil, fmt.Errorf("no inventory files in %s: expected .json output of `aws ec2 describe-*`, terraform show -json, .tf files or CloudFormation templates (.json, .yaml, .yml, .template)", strings.Join(paths, ", "))
	}
	results := make([]*parsed, len(files))
	var g safe.Group
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, f := range files {
		sem <- struct{}{}
		g.Go(func() {
			defer func() { <-sem }()
			results[i] = parseFile(f)
		})
	}
	g.Wait()

	snaps, shared, mwarnings, serrs := groupSnapshots(results, dirs, manifests)
	if len(serrs) > 0 {
		for _, r := range results {
			serrs = append(serrs, r.errs...)
		}
		return nil, joinErrors(serrs)
	}
	if snaps != nil {
		return loadSnapshots(snaps, shared, mwarnings, opts)
	}
	inv, errs := build(results, dirs, opts)
	if len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	inv.Warnings = append(mwarnings, inv.Warnings...)
	Finalize(inv)
	return inv, nil
}

// build merges parsed files and Terraform folders into one inventory.
func build(results []*parsed, dirs []string, opts Options) (*vpc.Inventory, []error) {
	inv := vpc.New()
	inv.KeepGoing = opts.KeepGoing
	m := newMerger(inv)
	var errs []error
	for _, r := range results {
		inv.Warnings = append(inv.Warnings, r.warnings...)
		if len(r.errs) > 0 {
			if r.explicit || !opts.KeepGoing {
				errs = append(errs, r.errs...)
			} else {
				skipFile(inv, r.file, r.errs...)
			}
			continue
		}
		if r.skipped {
			continue
		}
		if r.aws != nil {
			if err := m.add(r); err != nil {
				errs = append(errs, err)
			}
		}
		if r.load != nil {
			if err := r.load(inv); err != nil {
				if r.explicit || !opts.KeepGoing {
					errs = append(errs, err)
				} else {
					skipFile(inv, r.file, err)
				}
			}
		}
	}
	for _, d := range dirs {
		if err := loadTerraformDir(d, inv); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	m.finish()
	return inv, nil
}

// skipFile records a file found in a folder that walls cannot read as a
// warning naming it, where and why, and leaves it out: one bad or foreign
// file does not hide the rest of the folder (docs/semantics.md#inputs).
// A file named on the command line is read or refused, never skipped.
func skipFile(inv *vpc.Inventory, file string, errs ...error) {
	for _, err := range errs {
		var ies []error
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			ies = j.Unwrap()
		} else {
			ies = []error{err}
		}
		for _, e := range ies {
			loc, msg := vpc.Location{File: file}, e.Error()
			var ie *vpc.InputError
			if errors.As(e, &ie) {
				loc, msg = ie.Loc, ie.Msg
			}
			inv.Warn(vpc.Warning{Code: "skipped-file", Source: loc, Skipped: vpc.SkippedFile, Message: msg + "; file skipped"})
		}
	}
}

// joinErrors joins input errors, at most maxErrors of them.
func joinErrors(errs []error) error {
	if len(errs) > maxErrors {
		errs = append(errs[:maxErrors:maxErrors], fmt.Errorf("… and %d more errors", len(errs)-maxErrors))
	}
	return errors.Join(errs...)
}

// inputFile is one file to read and whether it was named explicitly (an
// explicit file that is not an inventory is an error; one found while
// walking a folder is skipped with a warning).
type inputFile struct {
	path     string
	explicit bool
	// special says what a file found while walking is when it is not a
	// regular file (a named pipe, a device, …): skipped with a warning,
	// never opened.
	special string
}

// collect expands folders into files, in a stable order, the folders that
// hold Terraform .tf or .tf.json files, and the snapshot manifests (manifest.json) found
// in folders.
func collect(paths []string) ([]inputFile, []string, []string, error) {
	var files []inputFile
	var manifests []string
	tfDirs := map[string]bool{}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("inventory %s: %w", p, unwrapPathError(err))
		}
		if !st.IsDir() {
			if what := readfile.NotRegular(st.Mode()); what != "" {
				return nil, nil, nil, &vpc.InputError{Loc: vpc.Location{File: p}, Msg: readfile.Refusal(what)}
			}
			if strings.HasSuffix(p, ".tf") || strings.HasSuffix(p, ".tf.json") {
				tfDirs[filepath.Dir(p)] = true
				continue
			}
			files = append(files, inputFile{path: p, explicit: true})
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if d.IsDir() {
				if path != p && (strings.HasPrefix(name, ".") || name == "node_modules") {
					return filepath.SkipDir // .terraform, .git and the like
				}
				return nil
			}
			ext := strings.ToLower(filepath.Ext(name))
			read := name == manifestName || ext == ".json" || ext == ".yaml" || ext == ".yml" || ext == ".template"
			lower := strings.ToLower(name)
			if strings.HasSuffix(lower, ".tfvars.json") {
				// Terraform's variable values: the Terraform loader reads
				// the ones of a .tf folder; they are not inventories.
				return nil
			}
			if ext == ".tf" || strings.HasSuffix(lower, ".tf.json") {
				// The Terraform loader reads the folder and skips what is
				// not a regular file, with a warning.
				tfDirs[filepath.Dir(path)] = true
				return nil
			}
			if !read {
				return nil
			}
			if what := special(path, d); what != "" {
				files = append(files, inputFile{path: path, special: what})
				return nil
			}
			if name == manifestName {
				manifests = append(manifests, path)
				return nil
			}
			files = append(files, inputFile{path: path})
			return nil
		})
		if err != nil {
			return nil, nil, nil, fmt.Errorf("inventory %s: %w", p, unwrapPathError(err))
		}
	}
	sort.Strings(manifests)
	sort.SliceStable(files, func(i, j int) bool { return files[i].path < files[j].path })
	dirs := make([]string, 0, len(tfDirs))
	for d := range tfDirs {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	return files, dirs, manifests, nil
}

// special says what a file found while walking is when it is not a
// regular file, or where a symbolic link leads to something else; "" for a
// regular file or a link to one.
func special(path string, d fs.DirEntry) string {
	if d.Type().IsRegular() {
		return ""
	}
	if d.Type()&fs.ModeSymlink == 0 {
		return readfile.NotRegular(d.Type())
	}
	st, err := os.Stat(path)
	if err != nil {
		return "a symbolic link that leads nowhere (" + unwrapPathError(err).Error() + ")"
	}
	if what := readfile.NotRegular(st.Mode()); what != "" {
		return "a symbolic link to " + what
	}
	return ""
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// parsed is the outcome of reading one file.
type parsed struct {
	file     string
	explicit bool // named on the command line, not found in a folder
	aws      *fileData
	conv     *converter
	load     func(*vpc.Inventory) error // IaC loaders apply directly
	skipped  bool
	errs     []error
	warnings []vpc.Warning
}

// parseFile reads, detects and decodes one file. It runs concurrently with
// the others; merging happens afterwards in file order.
func parseFile(f inputFile) *parsed {
	r := &parsed{file: f.path, explicit: f.explicit}
	if f.special != "" {
		r.skipped = true
		r.warnings = append(r.warnings, vpc.Warning{Code: "skipped-file", Source: vpc.Location{File: f.path}, Skipped: vpc.SkippedFile,
			Message: readfile.Refusal(f.special) + "; skipped"})
		return r
	}
	data, err := readfile.Read(f.path)
	if err != nil {
		r.errs = append(r.errs, err)
		return r
	}
	fm, why := detect(f.path, data)
	switch fm {
	case formatAWS:
		fd, err := decodeAWSJSON(f.path, data)
		if err != nil {
			r.errs = append(r.errs, err)
			return r
		}
		if !fd.any() {
			return r.notInventory(f, "no top-level key of `aws ec2 describe-*` output")
		}
		r.aws = fd
		r.conv = &converter{file: f.path, data: data}
		r.conv.convertAll(fd)
		if len(r.conv.errs) > 0 {
			refineLines(data, newLineIndex(data), r.conv.errs)
		}
		r.errs = append(r.errs, r.conv.errs...)
		r.warnings = append(r.warnings, r.conv.warnings...)
		for _, k := range fd.unknownKeys {
			r.warnings = append(r.warnings, vpc.Warning{Code: "unknown-key", Source: vpc.Location{File: f.path, Path: k},
				Message: fmt.Sprintf("top-level key %q is not inventory; ignored", k)})
		}
	case formatTerraformJSON:
		r.load = func(inv *vpc.Inventory) error { return loadTerraformJSON(f.path, data, inv) }
	case formatCloudFormation:
		r.load = func(inv *vpc.Inventory) error { return loadCloudFormation(f.path, data, inv) }
	default:
		if why != nil {
			return r.unreadable(f, why)
		}
		return r.notInventory(f, "not AWS CLI JSON, a `terraform show -json` document or a CloudFormation template")
	}
	return r
}

// unreadable reports a file that does not parse in the format its name
// says: an error when named explicitly, else a warning (it may be YAML
// that is no inventory at all) that still says where and why.
func (r *parsed) unreadable(f inputFile, err error) *parsed {
	if f.explicit {
		r.errs = append(r.errs, err)
		return r
	}
	var ie *vpc.InputError
	if !errors.As(err, &ie) {
		ie = &vpc.InputError{Loc: vpc.Location{File: f.path}, Msg: err.Error()}
	}
	r.skipped = true
	r.warnings = append(r.warnings, vpc.Warning{Code: "skipped-file", Source: ie.Loc, Skipped: vpc.SkippedFile, Message: ie.Msg + "; skipped"})
	return r
}

func (r *parsed) notInventory(f inputFile, why string) *parsed {
	if f.explicit {
		r.errs = append(r.errs, &vpc.InputError{Loc: vpc.Location{File: f.path},
			Msg: why + "; expected output of `aws ec2 describe-security-groups`, `describe-network-interfaces`, `describe-network-acls`, … (top-level keys SecurityGroups, SecurityGroupRules, NetworkInterfaces, NetworkAcls, Subnets, Vpcs, PrefixLists)"})
		return r
	}
	r.skipped = true
	r.warnings = append(r.warnings, vpc.Warning{Code: "skipped-file", Source: vpc.Location{File: f.path}, Skipped: vpc.SkippedFile,
		Message: why + "; skipped"})
	return r
}

type format int

const (
	formatUnknown format = iota
	formatAWS
	formatTerraformJSON
	formatCloudFormation
)

// detect tells the input format from content (and, for YAML, the name).
// JSON is told by its top-level keys, read with the fast scanner and
// stopping at the first key that decides: a 170 MB describe-network-interfaces
// file is decided by its first key, not parsed whole by every detector.
//
// A file named as YAML (.yaml, .yml, .template) that does not parse is
// formatUnknown with the parser's located error.
func detect(path string, data []byte) (format, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		ext := strings.ToLower(filepath.Ext(path))
		if ext == ".yaml" || ext == ".yml" || ext == ".template" {
			ok, err := cloudformation.Probe(path, data)
			if ok {
				return formatCloudFormation, nil
			}
			if err != nil {
				return formatUnknown, err
			}
		}
		if len(trimmed) > 0 && trimmed[0] == '[' {
			return formatUnknown, nil
		}
		if ext == ".json" {
			return formatAWS, nil // let the JSON decoder say what is wrong
		}
		return formatUnknown, nil
	}
	switch topLevelHint(trimmed) {
	case formatTerraformJSON:
		if isTerraformJSON(data) {
			return formatTerraformJSON, nil
		}
	case formatCloudFormation:
		if isCloudFormation(path, data) {
			return formatCloudFormation, nil
		}
	}
	return formatAWS, nil
}

// topLevelHint reads the top-level keys of a JSON object until one names a
// format: an AWS CLI key, Terraform's format_version, CloudFormation's
// AWSTemplateFormatVersion or Resources. Malformed JSON gives formatAWS, so
// that the strict decoder reports the problem.
func topLevelHint(data []byte) format {
	sc := &scanner{data: data, line: 1}
	if sc.expect('{') != nil {
		return formatAWS
	}
	for {
		if sc.peek() == '}' {
			return formatAWS
		}
		key, err := sc.str()
		if err != nil || sc.expect(':') != nil {
			return formatAWS
		}
		switch {
		case knownKeys[key]:
			return formatAWS
		case key == "format_version" || key == "terraform_version" || key == "planned_values" || key == "values":
			return formatTerraformJSON
		case key == "AWSTemplateFormatVersion" || key == "Resources":
			return formatCloudFormation
		}
		if sc.skip() != nil {
			return formatAWS
		}
		if sc.peek() != ',' {
			return formatAWS
		}
		sc.pos++
	}
}

// any reports whether the file held at least one inventory key.
func (fd *fileData) any() bool {
	return fd.groups != nil || fd.rules != nil || fd.interfaces != nil || fd.nacls != nil ||
		fd.subnets != nil || fd.vpcs != nil || fd.prefixLists != nil || fd.hasEntries
}

// converted holds one file's model objects before merging.
type converted struct {
	groups      []*vpc.SecurityGroup
	rules       []vpc.Rule
	interfaces  []*vpc.Interface
	nacls       []*vpc.NACL
	subnets     []*vpc.Subnet
	vpcs        []*vpc.VPC
	prefixLists []*vpc.PrefixList
}

func (c *converter) convertAll(fd *fileData) {
	c.out = &converted{
		groups:      convertEach(fd.groups, c.convertGroup),
		interfaces:  convertEach(fd.interfaces, c.convertInterface),
		nacls:       convertEach(fd.nacls, c.convertNACL),
		subnets:     convertEach(fd.subnets, c.convertSubnet),
		vpcs:        convertEach(fd.vpcs, c.convertVPC),
		prefixLists: convertEach(fd.prefixLists, c.convertPrefixList),
	}
	for _, e := range fd.rules {
		if r, ok := c.convertRule(e); ok {
			c.out.rules = append(c.out.rules, r)
		}
	}
}

// convertEach converts elements in order, dropping those that failed (the
// converter recorded why).
func convertEach[T any, M any](es []element[T], convert func(element[T]) *M) []*M {
	out := make([]*M, 0, len(es))
	for _, e := range es {
		if m := convert(e); m != nil {
			out = append(out, m)
		}
	}
	return out
}

var plFileName = regexp.MustCompile(`^(pl-[0-9a-zA-Z]+)`)

// merger combines files in order. A later definition of an id that equals
// the first (overlapping pages) is dropped silently; one that differs is an
// error naming both files.
type merger struct {
	inv        *vpc.Inventory
	rules      map[string][]vpc.Rule // modern rules by group id
	ruleIDs    map[string]vpc.Rule
	ruleOrigin map[string]vpc.Location
}

func newMerger(inv *vpc.Inventory) *merger {
	return &merger{inv: inv, rules: map[string][]vpc.Rule{}, ruleIDs: map[string]vpc.Rule{}, ruleOrigin: map[string]vpc.Location{}}
}

func (m *merger) add(r *parsed) error {
	fd, out, inv := r.aws, r.conv.out, m.inv
	mark := func(present bool, k vpc.Kind) {
		if present {
			inv.Loaded[k] = true
		}
	}
	mark(fd.groups != nil, vpc.KindSecurityGroups)
	mark(fd.rules != nil, vpc.KindSecurityGroupRules)
	mark(fd.interfaces != nil, vpc.KindNetworkInterfaces)
	mark(fd.nacls != nil, vpc.KindNetworkACLs)
	mark(fd.subnets != nil, vpc.KindSubnets)
	mark(fd.vpcs != nil, vpc.KindVPCs)
	mark(fd.prefixLists != nil || fd.hasEntries, vpc.KindPrefixLists)
	var errs []error
	errs = append(errs, addFirst(m, "security group", inv.Groups, out.groups, func(x *vpc.SecurityGroup) (string, vpc.Location) { return x.ID, x.Source })...)
	for _, rl := range out.rules {
		if rl.ID != "" {
			if prev, ok := m.ruleIDs[rl.ID]; ok {
				if !sameDefinition(prev, rl) {
					errs = append(errs, conflict("security group rule "+rl.ID+" is", prev.Source, rl.Source))
				}
				continue // the same rule on two overlapping pages
			}
			m.ruleIDs[rl.ID] = rl
		}
		m.rules[rl.GroupID] = append(m.rules[rl.GroupID], rl)
		if _, ok := m.ruleOrigin[rl.GroupID]; !ok {
			m.ruleOrigin[rl.GroupID] = rl.Source
		}
	}
	errs = append(errs, addFirst(m, "network interface", inv.Interfaces, out.interfaces, func(x *vpc.Interface) (string, vpc.Location) { return x.ID, x.Source })...)
	errs = append(errs, addFirst(m, "network ACL", inv.NACLs, out.nacls, func(x *vpc.NACL) (string, vpc.Location) { return x.ID, x.Source })...)
	errs = append(errs, addFirst(m, "subnet", inv.Subnets, out.subnets, func(x *vpc.Subnet) (string, vpc.Location) { return x.ID, x.Source })...)
	errs = append(errs, addFirst(m, "VPC", inv.VPCs, out.vpcs, func(x *vpc.VPC) (string, vpc.Location) { return x.ID, x.Source })...)
	for _, x := range out.prefixLists {
		if err := m.addPrefixList(x); err != nil {
			errs = append(errs, err)
		}
	}
	if fd.hasEntries {
		if err := m.addStandaloneEntries(r); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// addFirst adds objects by id. A later definition of an id that is the
// same as the first (overlapping pages, the same dump read twice) is
// dropped silently; one that differs is an error naming both places:
// which of the two is right is not walls' to guess, and picking by file
// order would give a quiet wrong answer.
func addFirst[T any](m *merger, kind string, dst map[string]*T, items []*T, id func(*T) (string, vpc.Location)) []error {
	var errs []error
	for _, x := range items {
		k, loc := id(x)
		if cur, ok := dst[k]; ok {
			if !sameDefinition(cur, x) {
				_, first := id(cur)
				errs = append(errs, conflict(kind+" "+k+" is", first, loc))
			}
			continue
		}
		dst[k] = x
	}
	return errs
}

// conflict is the error for two different definitions of one object.
func conflict(subject string, first, second vpc.Location) error {
	return &vpc.InputError{Loc: second, Msg: fmt.Sprintf("%s defined differently here and at %s; walls will not pick one: remove the stale copy, or keep each dump in its own snapshot folder (see `walls snapshot`)", subject, first)}
}

// addPrefixList merges list metadata and entries that may come from
// different files (describe-managed-prefix-lists, describe-prefix-lists,
// entries files).
func (m *merger) addPrefixList(x *vpc.PrefixList) error {
	cur, ok := m.inv.PrefixLists[x.ID]
	if !ok {
		m.inv.PrefixLists[x.ID] = x
		return nil
	}
	if cur.EntriesKnown && x.EntriesKnown && !samePrefixes(cur.Entries, x.Entries) {
		return conflict("the entries of prefix list "+x.ID+" are", cur.Source, x.Source)
	}
	if cur.Name == "" {
		cur.Name = x.Name
	}
	if cur.AddressFamily == "" {
		cur.AddressFamily = x.AddressFamily
	}
	if cur.OwnerID == "" {
		cur.OwnerID = x.OwnerID
	}
	if cur.MaxEntries == 0 {
		cur.MaxEntries = x.MaxEntries
	}
	if !cur.EntriesKnown && x.EntriesKnown {
		cur.Entries, cur.EntriesKnown = x.Entries, true
	}
	return nil
}

// addStandaloneEntries places a get-managed-prefix-list-entries document,
// which carries no list id, on its list: the one list in the same file, or
// the list its file name names (pl-….json). docs/semantics.md#walls-choices.
func (m *merger) addStandaloneEntries(r *parsed) error {
	fd := r.aws
	var id string
	switch {
	case len(fd.prefixLists) == 1 && fd.prefixLists[0].v.PrefixListID != nil:
		id = *fd.prefixLists[0].v.PrefixListID
	case len(fd.prefixLists) > 1:
		return &vpc.InputError{Loc: vpc.Location{File: r.file, Path: "Entries"},
			Msg: "top-level Entries with several PrefixLists in the same file: it is ambiguous which list the entries belong to; put them in PrefixLists[].Entries instead"}
	default:
		mm := plFileName.FindStringSubmatch(filepath.Base(r.file))
		if mm == nil {
			return &vpc.InputError{Loc: vpc.Location{File: r.file, Path: "Entries"},
				Msg: "prefix-list entries lack their list id (get-managed-prefix-list-entries output does not carry it); name the file after the list (pl-….json), add the list to the same file, or put the entries in PrefixLists[].Entries"}
		}
		id = mm[1]
	}
	line := 0
	if len(fd.entries) > 0 {
		line = fd.entries[0].line
	}
	raws := make([]rawPrefixListEntry, len(fd.entries))
	for i, e := range fd.entries {
		raws[i] = e.v
	}
	c := &converter{file: r.file}
	pl := &vpc.PrefixList{ID: id, Entries: c.entries(raws, line, "Entries", ""), EntriesKnown: true,
		Source: vpc.Location{File: r.file, Path: "Entries", Line: line}}
	if len(c.errs) > 0 {
		return errors.Join(c.errs...)
	}
	if cur, ok := m.inv.PrefixLists[id]; ok {
		if cur.EntriesKnown {
			// Entries given twice (in PrefixLists[].Entries and top-level
			// Entries, or in two pl-….json files): the same ones are
			// pages of one dump; different ones are a conflict.
			if !samePrefixes(cur.Entries, pl.Entries) {
				return conflict("the entries of prefix list "+id+" are", cur.Source, pl.Source)
			}
			return nil
		}
		cur.Entries, cur.EntriesKnown = pl.Entries, true
		return nil
	}
	m.inv.PrefixLists[id] = pl
	return nil
}

// finish applies modern rules: describe-security-group-rules output, which
// carries rule ids, replaces the legacy rules of the same group.
func (m *merger) finish() {
	inv := m.inv
	for gid, rules := range m.rules {
		g, ok := inv.Groups[gid]
		if !ok {
			g = &vpc.SecurityGroup{ID: gid, RulesKnown: true, Source: m.ruleOrigin[gid]}
			inv.Groups[gid] = g
		}
		g.Ingress, g.Egress = nil, nil
		for _, r := range rules {
			iac.AddRule(g, r)
		}
		g.RulesKnown = true
	}
}
