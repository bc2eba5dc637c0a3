package inventory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/walls-dev/walls/internal/readfile"
	"github.com/walls-dev/walls/internal/vpc"
)

// ManifestFile is the name of a snapshot manifest: a folder holding one is
// one inventory snapshot, taken at the manifest's time.
const ManifestFile = "manifest.json"

const manifestName = ManifestFile

// ManifestKind is the value of a manifest's "walls" field.
const ManifestKind = "snapshot"

// Manifest is the content of manifest.json:
//
//	{"walls": "snapshot", "time": "2024-05-01T12:00:00Z", "account": "111122223333", "region": "eu-west-1",
//	 "version": "v1.2.0", "calls": {"ec2:DescribeSecurityGroups": 3},
//	 "missing": [{"kind": "network ACLs", "action": "ec2:DescribeNetworkAcls", "reason": "denied",
//	              "code": "UnauthorizedOperation", "effect": "NACL hops not evaluated"}]}
//
// walls and time are required; time is RFC 3339. The others are optional:
// account and region are reported and tell places apart; version, calls
// and missing are written by `walls snapshot` (the walls version that took
// it, the API calls made per action, the kinds it could not read and why).
// Each missing kind is reported again whenever the snapshot is loaded.
type Manifest struct {
	Walls   string         `json:"walls"`
	Time    time.Time      `json:"time"`
	Account string         `json:"account,omitempty"`
	Region  string         `json:"region,omitempty"`
	Version string         `json:"version,omitempty"`
	Calls   map[string]int `json:"calls,omitempty"`
	Missing []MissingKind  `json:"missing,omitempty"`
}

// MissingKind is one kind a live snapshot could not read.
type MissingKind struct {
	// Kind is the inventory kind (a vpc.Kind such as "network ACLs", or
	// "prefix list entries").
	Kind string `json:"kind"`
	// Action is the IAM action of the refused call, e.g.
	// "ec2:DescribeNetworkAcls".
	Action string `json:"action"`
	// Reason is "denied" for an access refusal.
	Reason string `json:"reason"`
	// Code is the API's error code (UnauthorizedOperation, AccessDenied).
	Code string `json:"code,omitempty"`
	// Effect says what walls cannot evaluate without the kind.
	Effect string `json:"effect,omitempty"`
}

// Message is the one line walls prints for a missing kind, live and when
// the snapshot is loaded later: "ec2:DescribeNetworkAcls denied in
// 123456789012/eu-west-1: NACL hops not evaluated".
func (k MissingKind) Message(account, region string) string {
	place := account + "/" + region
	if account == "" || region == "" {
		place = strings.Trim(place, "/")
	}
	msg := k.Action + " " + k.Reason
	if place != "" {
		msg += " in " + place
	}
	if k.Effect != "" {
		msg += ": " + k.Effect
	}
	return msg
}

// ParseManifest validates a manifest.json. Errors are *vpc.InputError
// values naming the file, the line and the field. Unknown keys are
// returned as warnings.
func ParseManifest(file string, data []byte) (*Manifest, []vpc.Warning, error) {
	fail := func(path, msg string) (*Manifest, []vpc.Warning, error) {
		e := &vpc.InputError{Loc: vpc.Location{File: file, Path: path}, Msg: msg}
		if path != "" {
			refineLines(data, newLineIndex(data), []error{e})
		}
		return nil, nil, e
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil || fields == nil {
		return fail("", `not a snapshot manifest: expected a JSON object such as {"walls": "snapshot", "time": "2024-05-01T12:00:00Z"}`)
	}
	str := func(key string, required bool) (string, bool, error) {
		raw, ok := fields[key]
		if !ok {
			if required {
				return "", false, &vpc.InputError{Loc: vpc.Location{File: file, Path: key}, Msg: "missing"}
			}
			return "", false, nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", true, &vpc.InputError{Loc: vpc.Location{File: file, Path: key}, Msg: fmt.Sprintf("%s is not a string", bytes.TrimSpace(raw))}
		}
		return s, true, nil
	}
	m := &Manifest{}
	for _, f := range []struct {
		key      string
		required bool
		dst      *string
	}{{"walls", true, &m.Walls}, {"account", false, &m.Account}, {"region", false, &m.Region}, {"version", false, &m.Version}} {
		s, _, err := str(f.key, f.required)
		if err != nil {
			var ie *vpc.InputError
			errors.As(err, &ie)
			if f.key == "walls" {
				return fail(f.key, ie.Msg+`; expected "snapshot"`)
			}
			return fail(f.key, ie.Msg+"; expected a string")
		}
		*f.dst = s
	}
	if m.Walls != ManifestKind {
		return fail("walls", fmt.Sprintf("%q: expected %q", m.Walls, ManifestKind))
	}
	ts, _, err := str("time", true)
	if err != nil {
		var ie *vpc.InputError
		errors.As(err, &ie)
		return fail("time", ie.Msg+"; expected an RFC 3339 time such as 2024-05-01T12:00:00Z")
	}
	t, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		return fail("time", fmt.Sprintf("%q is not an RFC 3339 time; expected a time such as 2024-05-01T12:00:00Z", ts))
	}
	m.Time = t
	if raw, ok := fields["calls"]; ok {
		var calls map[string]json.RawMessage
		if err := json.Unmarshal(raw, &calls); err != nil || calls == nil {
			return fail("calls", `expected an object of API actions and call counts such as {"ec2:DescribeVpcs": 1}`)
		}
		m.Calls = make(map[string]int, len(calls))
		for _, action := range sortedKeys(calls) {
			var n int
			if err := json.Unmarshal(calls[action], &n); err != nil || n < 0 {
				return fail("calls."+action, fmt.Sprintf("%s: expected a count of calls, a whole number 0 or more", bytes.TrimSpace(calls[action])))
			}
			m.Calls[action] = n
		}
	}
	if raw, ok := fields["missing"]; ok {
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil || items == nil {
			return fail("missing", `expected an array of missing kinds such as [{"kind": "network ACLs", "action": "ec2:DescribeNetworkAcls", "reason": "denied"}]`)
		}
		for i, item := range items {
			path := fmt.Sprintf("missing[%d]", i)
			var kf map[string]json.RawMessage
			if err := json.Unmarshal(item, &kf); err != nil || kf == nil {
				return fail(path, `expected an object with kind, action and reason`)
			}
			var k MissingKind
			for _, f := range []struct {
				key      string
				required bool
				dst      *string
			}{{"kind", true, &k.Kind}, {"action", true, &k.Action}, {"reason", true, &k.Reason}, {"code", false, &k.Code}, {"effect", false, &k.Effect}} {
				v, ok := kf[f.key]
				if !ok {
					if f.required {
						return fail(path+"."+f.key, "missing; expected a string")
					}
					continue
				}
				if err := json.Unmarshal(v, f.dst); err != nil || string(bytes.TrimSpace(v)) == "null" {
					return fail(path+"."+f.key, fmt.Sprintf("%s is not a string", bytes.TrimSpace(v)))
				}
				if f.required && *f.dst == "" {
					return fail(path+"."+f.key, "empty; expected a string")
				}
			}
			m.Missing = append(m.Missing, k)
		}
	}
	var warnings []vpc.Warning
	for _, k := range sortedKeys(fields) {
		switch k {
		case "walls", "time", "account", "region", "version", "calls", "missing":
		default:
			warnings = append(warnings, vpc.Warning{Code: "unknown-key", Source: vpc.Location{File: file, Path: k},
				Message: fmt.Sprintf("manifest key %q is unknown; ignored", k)})
		}
	}
	return m, warnings, nil
}

// WriteManifest writes m as manifest.json content, indented, with a final
// newline.
func WriteManifest(w io.Writer, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// MissingWarnings are the warnings a manifest's missing kinds give when
// the snapshot is loaded: the same lines `walls snapshot` printed.
func (m *Manifest) MissingWarnings() []vpc.Warning {
	var out []vpc.Warning
	for _, k := range m.Missing {
		out = append(out, vpc.Warning{Code: "snapshot-kind-missing", Resource: k.Kind, Message: k.Message(m.Account, m.Region)})
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// snapshot is one inventory taken at one time: the files in its folder.
type snapshot struct {
	dir       string
	time      time.Time
	fromMtime bool
	manifest  *Manifest
	files     []*parsed
	tfDirs    []string
}

func (s *snapshot) label() string {
	return fmt.Sprintf("%s (%s)", s.dir, s.time.UTC().Format(time.RFC3339))
}

// under reports whether path lies in folder dir (or is dir).
func under(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// groupSnapshots tells whether the input holds several snapshots: folders
// with a manifest.json, and, outside them, folders that directly hold
// describe-network-interfaces output (read from a folder, not named on the
// command line). With fewer than two it returns nil snapshots and the
// input loads as one inventory. Otherwise every file and Terraform folder
// belongs to the innermost snapshot folder holding it; those outside every
// snapshot folder are returned as shared (read with the newest snapshot).
func groupSnapshots(results []*parsed, tfDirs, manifests []string) ([]*snapshot, *snapshot, []vpc.Warning, []error) {
	var errs []error
	var warnings []vpc.Warning
	byDir := map[string]*snapshot{}
	for _, p := range manifests {
		data, err := readfile.Read(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		m, ws, err := ParseManifest(p, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		warnings = append(warnings, ws...)
		warnings = append(warnings, m.MissingWarnings()...)
		d := filepath.Clean(filepath.Dir(p))
		byDir[d] = &snapshot{dir: d, time: m.Time, manifest: m}
	}
	if len(errs) > 0 {
		return nil, nil, nil, errs
	}
	withManifest := make([]string, 0, len(byDir))
	for d := range byDir {
		withManifest = append(withManifest, d)
	}
	for _, r := range results {
		if r.explicit || r.aws == nil || r.aws.interfaces == nil {
			continue
		}
		d := filepath.Clean(filepath.Dir(r.file))
		if byDir[d] != nil {
			continue
		}
		inManifest := false
		for _, md := range withManifest {
			if under(d, md) {
				inManifest = true
				break
			}
		}
		if !inManifest {
			byDir[d] = &snapshot{dir: d, fromMtime: true}
		}
	}
	if len(byDir) < 2 {
		return nil, nil, warnings, nil
	}
	// innermost snapshot folder holding path, or nil
	owner := func(path string) *snapshot {
		var best *snapshot
		for d, s := range byDir {
			if under(path, d) && (best == nil || len(d) > len(best.dir)) {
				best = s
			}
		}
		return best
	}
	shared := &snapshot{dir: "(shared)"}
	for _, r := range results {
		s := owner(filepath.Clean(r.file))
		if s == nil {
			s = shared
		}
		s.files = append(s.files, r)
	}
	for _, d := range tfDirs {
		s := owner(filepath.Clean(d))
		if s == nil {
			s = shared
		}
		s.tfDirs = append(s.tfDirs, d)
	}
	snaps := make([]*snapshot, 0, len(byDir))
	for _, s := range byDir {
		if s.fromMtime {
			for _, r := range s.files {
				st, err := os.Stat(r.file)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s: %w", r.file, unwrapPathError(err)))
					continue
				}
				if st.ModTime().After(s.time) {
					s.time = st.ModTime()
				}
			}
		}
		snaps = append(snaps, s)
	}
	sort.Slice(snaps, func(i, j int) bool {
		if !snaps[i].time.Equal(snaps[j].time) {
			return snaps[i].time.Before(snaps[j].time)
		}
		return snaps[i].dir < snaps[j].dir
	})
	return snaps, shared, warnings, errs
}

// loadSnapshots builds the inventory from several snapshots, oldest first.
// Snapshots are first sorted into places: the same account and region
// where both manifests name them, else snapshots whose VPCs, groups or
// interfaces overlap (folders of different regions or accounts share none
// of them, and are all current). The newest snapshot of each place, with
// the files outside every snapshot folder, is the current inventory.
// Interfaces only older snapshots know are added, marked gone, as the
// newest snapshot knowing them recorded them; groups they carry that the
// current inventory lacks are added from the newest snapshot holding them,
// marked gone too.
func loadSnapshots(snaps []*snapshot, shared *snapshot, pre []vpc.Warning, opts Options) (*vpc.Inventory, error) {
	var errs []error
	built := make([]*vpc.Inventory, len(snaps))
	for i, s := range snaps {
		o, es := build(s.files, s.tfDirs, opts)
		errs = append(errs, es...)
		built[i] = o
	}
	if len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	place := places(snaps, built)
	newest := map[int]int{} // place -> index of its newest snapshot (snaps are oldest first)
	for i := range snaps {
		newest[place[i]] = i
	}
	curFiles, curTF := append([]*parsed(nil), shared.files...), append([]string(nil), shared.tfDirs...)
	var current []*snapshot
	var olderSnaps []*snapshot
	var olds []*vpc.Inventory
	for i, s := range snaps {
		if newest[place[i]] == i {
			current = append(current, s)
			curFiles = append(curFiles, s.files...)
			curTF = append(curTF, s.tfDirs...)
			continue
		}
		olderSnaps = append(olderSnaps, s)
		olds = append(olds, built[i])
	}
	inv, es := build(curFiles, curTF, opts)
	if len(es) > 0 {
		return nil, joinErrors(es)
	}
	if len(olds) == 0 {
		// Only places, no history: one inventory, as if read together.
		inv.Warnings = append(pre, inv.Warnings...)
		Finalize(inv)
		return inv, nil
	}
	snaps = olderSnaps
	var warnings []vpc.Warning
	for _, o := range olds {
		warnings = append(warnings, o.Warnings...)
	}
	warnings = append(warnings, inv.Warnings...)

	// Interfaces, newest older snapshot first.
	seen := map[string]*vpc.Interface{}
	for id, e := range inv.Interfaces {
		seen[id] = e
	}
	var gone, conflicts []string
	conflicted := map[string]bool{}
	for i := len(olds) - 1; i >= 0; i-- {
		s, o := snaps[i], olds[i]
		for _, id := range o.SortedInterfaceIDs() {
			e := o.Interfaces[id]
			if have, ok := seen[id]; ok {
				if !sameSet(have.GroupIDs, e.GroupIDs) && !conflicted[id] {
					conflicted[id] = true
					conflicts = append(conflicts, id)
				}
				continue
			}
			e.Gone, e.Snapshot, e.LastSnapshot = true, s.dir, s.time
			inv.Interfaces[id] = e
			seen[id] = e
			gone = append(gone, id)
		}
	}
	sort.Strings(gone)
	sort.Strings(conflicts)

	// Groups that only older snapshots hold, for the gone interfaces.
	carriers := map[string][]string{}
	for _, id := range gone {
		for _, g := range inv.Interfaces[id].GroupIDs {
			if inv.Groups[g] == nil {
				carriers[g] = append(carriers[g], id)
			}
		}
	}
	oldGroups := make([]string, 0, len(carriers))
	for g := range carriers {
		oldGroups = append(oldGroups, g)
	}
	sort.Strings(oldGroups)
	var groupWarnings []vpc.Warning
	for _, gid := range oldGroups {
		for i := len(olds) - 1; i >= 0; i-- {
			g := olds[i].Groups[gid]
			if g == nil {
				continue
			}
			g.Gone, g.Snapshot, g.LastSnapshot = true, snaps[i].dir, snaps[i].time
			inv.Groups[gid] = g
			groupWarnings = append(groupWarnings, vpc.Warning{Code: "snapshot-only-group", Resource: gid, Source: g.Source,
				Message: fmt.Sprintf("%s exists only in the older snapshot %s, not in the current inventory; it is added with the rules it had then, for the %d gone interface(s) that carried it (%s)",
					gid, snaps[i].label(), len(carriers[gid]), firstN(carriers[gid], 3))})
			break
		}
	}

	var notes []vpc.Warning
	older := make([]string, 0, len(snaps))
	for i := len(snaps) - 1; i >= 0; i-- {
		older = append(older, snaps[i].label())
	}
	curLabels := make([]string, 0, len(current))
	for _, c := range current {
		curLabels = append(curLabels, c.label())
	}
	notes = append(notes, vpc.Warning{Code: "snapshots", Note: true,
		Message: fmt.Sprintf("read %d inventory snapshots of %d account/region places; the newest of each, %s, is the current inventory (its groups, rules, NACLs, subnets, VPCs and interfaces); older: %s",
			len(snaps)+len(current), len(current), firstN(curLabels, 5), firstN(older, 5))})
	var mtimes []string
	for _, s := range append(append([]*snapshot(nil), snaps...), current...) {
		if s.fromMtime {
			mtimes = append(mtimes, s.dir)
		}
	}
	if len(mtimes) > 0 {
		notes = append(notes, vpc.Warning{Code: "snapshot-time-from-files", Note: true,
			Message: fmt.Sprintf("no %s in %s: a snapshot's time is the newest modification time of its files", ManifestFile, firstN(mtimes, 5))})
	}
	msg := fmt.Sprintf("%d interface(s) known only to older snapshots added as gone", len(gone))
	if len(gone) > 0 {
		msg += fmt.Sprintf(" (%s): their flows are attributed with the groups the snapshot recorded and today's rules of those groups; audit and check leave them out", firstN(gone, 3))
	}
	notes = append(notes, vpc.Warning{Code: "gone-interfaces", Note: true, Message: msg})
	if len(conflicts) > 0 {
		notes = append(notes, vpc.Warning{Code: "snapshot-conflicts", Note: true,
			Message: fmt.Sprintf("%d interface(s) carry different groups in different snapshots; the newest snapshot's groups are used (%s)", len(conflicts), firstN(conflicts, 3))})
	}
	inv.Warnings = append(append(append(notes, pre...), warnings...), groupWarnings...)
	Finalize(inv)
	return inv, nil
}

// places numbers the snapshots' places: the same account and region where
// both manifests name them, else overlapping VPC, group or interface ids
// (snapshots of one place share them; other regions and accounts do not).
func places(snaps []*snapshot, built []*vpc.Inventory) []int {
	parent := make([]int, len(snaps))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for i := range snaps {
		for j := i + 1; j < len(snaps); j++ {
			if samePlace(snaps[i], snaps[j], built[i], built[j]) {
				parent[find(j)] = find(i)
			}
		}
	}
	out := make([]int, len(snaps))
	for i := range snaps {
		out[i] = find(i)
	}
	return out
}

func samePlace(a, b *snapshot, x, y *vpc.Inventory) bool {
	if ma, mb := a.manifest, b.manifest; ma != nil && mb != nil && ma.Account != "" && mb.Account != "" &&
		ma.Region != "" && mb.Region != "" {
		return ma.Account == mb.Account && ma.Region == mb.Region
	}
	for id := range x.VPCs {
		if y.VPCs[id] != nil {
			return true
		}
	}
	for id := range x.Groups {
		if y.Groups[id] != nil {
			return true
		}
	}
	for id := range x.Interfaces {
		if y.Interfaces[id] != nil {
			return true
		}
	}
	return false
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	set := make(map[string]int, len(a))
	for _, x := range a {
		set[x]++
	}
	for _, x := range b {
		if set[x] == 0 {
			return false
		}
		set[x]--
	}
	return true
}
