package inventory

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/walls-dev/walls/internal/vpc"
)

// copySnapshots copies testdata/snapshots to a temporary folder, without
// the manifests when keepManifests is false, and dates each snapshot's
// files with the given modification times.
func copySnapshots(t *testing.T, keepManifests bool, mtimes map[string]time.Time) string {
	t.Helper()
	root := t.TempDir()
	for _, snap := range []string{"old", "new"} {
		if err := os.MkdirAll(filepath.Join(root, snap), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"inventory.json", ManifestFile} {
			if name == ManifestFile && !keepManifests {
				continue
			}
			data, err := os.ReadFile(filepath.Join("testdata/snapshots", snap, name))
			if err != nil {
				t.Fatal(err)
			}
			dst := filepath.Join(root, snap, name)
			if err := os.WriteFile(dst, data, 0o644); err != nil {
				t.Fatal(err)
			}
			if mt, ok := mtimes[snap]; ok {
				if err := os.Chtimes(dst, mt, mt); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return root
}

func warningsWith(inv *vpc.Inventory, code string) []vpc.Warning {
	var out []vpc.Warning
	for _, w := range inv.Warnings {
		if w.Code == code {
			out = append(out, w)
		}
	}
	return out
}

// checkMerged checks the merge of testdata/snapshots, old before new.
func checkMerged(t *testing.T, inv *vpc.Inventory, oldDir string, oldTime time.Time) {
	t.Helper()
	old := inv.Interfaces["eni-0old"]
	if old == nil || !old.Gone || old.Snapshot != oldDir || !old.LastSnapshot.Equal(oldTime) {
		t.Fatalf("eni-0old = %+v, want gone from %s at %s", old, oldDir, oldTime)
	}
	if got := strings.Join(old.GroupIDs, ","); got != "sg-0web,sg-0legacy,sg-0idle" || old.SubnetID != "subnet-0a" || old.PrimaryIP() != netip.MustParseAddr("10.0.1.5") {
		t.Errorf("eni-0old keeps what the old snapshot recorded: groups %s subnet %s ip %s", got, old.SubnetID, old.PrimaryIP())
	}
	for _, id := range []string{"eni-0new", "eni-0cur", "eni-0both"} {
		if e := inv.Interfaces[id]; e == nil || e.Gone {
			t.Errorf("%s must be current: %+v", id, e)
		}
	}
	if g := inv.Interfaces["eni-0both"].GroupIDs; len(g) != 1 || g[0] != "sg-0db" {
		t.Errorf("eni-0both groups %v: the newest snapshot must win", g)
	}
	// Today's rules win for groups both snapshots hold.
	web := inv.Groups["sg-0web"]
	if web.Gone || len(web.Egress) != 1 || web.Egress[0].FromPort != 5432 {
		t.Errorf("sg-0web egress = %+v, want today's tcp 5432 only", web.Egress)
	}
	// A group only the old snapshot holds comes with its old rules.
	legacy := inv.Groups["sg-0legacy"]
	if legacy == nil || !legacy.Gone || len(legacy.Egress) != 1 || legacy.Egress[0].FromPort != 8080 {
		t.Fatalf("sg-0legacy = %+v", legacy)
	}
	if ws := warningsWith(inv, "snapshot-only-group"); len(ws) != 1 || ws[0].Resource != "sg-0legacy" || ws[0].Note {
		t.Errorf("snapshot-only-group warnings = %+v", ws)
	}
	if ws := warningsWith(inv, "gone-interfaces"); len(ws) != 1 || !ws[0].Note || !strings.HasPrefix(ws[0].Message, "3 interface(s)") {
		t.Errorf("gone note = %+v", ws)
	}
	if ws := warningsWith(inv, "snapshot-conflicts"); len(ws) != 1 || !strings.Contains(ws[0].Message, "1 interface(s)") || !strings.Contains(ws[0].Message, "eni-0both") {
		t.Errorf("conflict note = %+v", ws)
	}
	if ws := warningsWith(inv, "snapshots"); len(ws) != 1 || !strings.Contains(ws[0].Message, "read 2 inventory snapshots") ||
		!strings.Contains(ws[0].Message, oldTime.UTC().Format(time.RFC3339)) {
		t.Errorf("snapshots note = %+v", ws)
	}

	ix := inv.Index()
	// The reused address belongs to today's interface; the gone one keeps
	// the addresses nobody holds.
	if e := ix.ByPrivateIP[netip.MustParseAddr("10.0.1.9")]; e == nil || e.ID != "eni-0new" {
		t.Errorf("10.0.1.9 -> %v, want the current eni-0new", e)
	}
	if e := ix.ByPrivateIP[netip.MustParseAddr("10.0.1.5")]; e != old {
		t.Errorf("10.0.1.5 -> %v, want the gone eni-0old", e)
	}
	if !ix.GroupHasMemberAddr("sg-0web", netip.MustParseAddr("10.0.1.5")) || ix.GroupHasMemberAddr("sg-0web", netip.MustParseAddr("10.0.1.9")) {
		t.Error("sg-0web must match the gone member's own address but not the reused one")
	}
	if m := ix.Members["sg-0web"]; len(m) != 1 || m[0].ID != "eni-0cur" {
		t.Errorf("members of sg-0web = %v, want only the current eni-0cur", m)
	}
	ps, _ := inv.PeerPrefixes(vpc.Peer{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: "sg-0web"}})
	got := map[string]bool{}
	for _, p := range ps {
		got[p.String()] = true
	}
	if len(ps) != 2 || !got["10.0.1.40/32"] || !got["10.0.1.5/32"] {
		t.Errorf("sg-0web prefixes = %v, want 10.0.1.40 and 10.0.1.5", ps)
	}

	cur := inv.Current()
	if cur.Interfaces["eni-0old"] != nil || cur.Interfaces["eni-0reused"] != nil || cur.Groups["sg-0legacy"] != nil {
		t.Error("Current must leave gone interfaces and groups out")
	}
	if len(cur.Interfaces) != 3 || cur.Groups["sg-0web"] != web || len(cur.Index().Members["sg-0default"]) != 0 {
		t.Errorf("Current: %d interfaces", len(cur.Interfaces))
	}
}

func TestSnapshotsWithManifests(t *testing.T) {
	inv, err := Load([]string{"testdata/snapshots"})
	if err != nil {
		t.Fatal(err)
	}
	checkMerged(t, inv, filepath.Join("testdata", "snapshots", "old"), time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC))
	if ws := warningsWith(inv, "snapshot-time-from-files"); len(ws) != 0 {
		t.Errorf("manifests give the times: %+v", ws)
	}
}

func TestSnapshotsByModificationTime(t *testing.T) {
	t1 := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	t2 := time.Date(2024, 5, 8, 0, 0, 0, 0, time.UTC)
	root := copySnapshots(t, false, map[string]time.Time{"old": t1, "new": t2})
	inv, err := Load([]string{root})
	if err != nil {
		t.Fatal(err)
	}
	checkMerged(t, inv, filepath.Join(root, "old"), t1)
	if ws := warningsWith(inv, "snapshot-time-from-files"); len(ws) != 1 || !ws[0].Note {
		t.Errorf("the note must say times come from the files: %+v", ws)
	}

	// Swapped times swap which snapshot is current.
	root = copySnapshots(t, false, map[string]time.Time{"old": t2, "new": t1})
	inv, err = Load([]string{root})
	if err != nil {
		t.Fatal(err)
	}
	if e := inv.Interfaces["eni-0old"]; e == nil || e.Gone {
		t.Errorf("old/ is newest now: eni-0old must be current: %+v", e)
	}
	if e := inv.Interfaces["eni-0new"]; e == nil || !e.Gone || !e.LastSnapshot.Equal(t1) {
		t.Errorf("eni-0new must be gone: %+v", e)
	}
	if g := inv.Groups["sg-0web"]; g.Egress[0].FromPort != 443 {
		t.Errorf("sg-0web must have old/'s rules now: %+v", g.Egress)
	}
}

func TestSingleFolderIsNoSnapshotSeries(t *testing.T) {
	for name, paths := range map[string][]string{
		"folder with a manifest":     {"testdata/snapshots/new"},
		"plain file":                 {"testdata/snapshots/old/inventory.json"},
		"one folder with interfaces": {"testdata/spec", "testdata/prefixlists"},
	} {
		inv, err := Load(paths)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, w := range inv.Warnings {
			if w.Note || strings.HasPrefix(w.Code, "snapshot") || w.Code == "gone-interfaces" {
				t.Errorf("%s: unexpected %+v", name, w)
			}
		}
		for id, e := range inv.Interfaces {
			if e.Gone {
				t.Errorf("%s: %s is gone", name, id)
			}
		}
		if inv.Current() != inv {
			t.Errorf("%s: Current must be the inventory itself", name)
		}
	}
	// Two explicit files are no snapshot series: they are merged, and an
	// object the two define differently is an error naming both, never a
	// choice by path order.
	_, err := Load([]string{"testdata/snapshots/old/inventory.json", "testdata/snapshots/new/inventory.json"})
	for _, want := range []string{
		"testdata/snapshots/old/inventory.json:20: SecurityGroups[0]: security group sg-0web is defined differently here and at testdata/snapshots/new/inventory.json:20",
		"network interface eni-0both is defined differently",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("two plain files: err = %v, want %q", err, want)
		}
	}
}

func TestBadManifest(t *testing.T) {
	for _, c := range []struct{ body, field, msg string }{
		{`{"walls":"snapshot",
"time":"last tuesday"}`, "2: time", "not an RFC 3339 time"},
		{`{"walls":"snapshot"}`, " time", "missing"},
		{`{"walls":"snapshot","time":20240501}`, "1: time", "not a string"},
		{`{"time":"2024-05-01T00:00:00Z"}`, " walls", `missing; expected "snapshot"`},
		{`{"walls":"inventory","time":"2024-05-01T00:00:00Z"}`, "1: walls", `expected "snapshot"`},
		{`{"walls":"snapshot","time":"2024-05-01T00:00:00Z","region":7}`, "1: region", "not a string"},
		{`["snapshot"]`, "", "not a snapshot manifest"},
	} {
		root := copySnapshots(t, true, nil)
		bad := filepath.Join(root, "old", ManifestFile)
		if err := os.WriteFile(bad, []byte(c.body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load([]string{root})
		if err == nil {
			t.Errorf("%s: no error", c.body)
			continue
		}
		want := bad + ":"
		if c.field != "" {
			want = ":" + c.field + ": "
		}
		if !strings.HasPrefix(err.Error(), bad+":") || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: error %q, want %q … %q", c.body, err, want, c.msg)
		}
	}
}

func TestManifestUnknownKeyWarns(t *testing.T) {
	m, ws, err := ParseManifest("m.json", []byte(`{"walls":"snapshot","time":"2024-05-01T12:30:00+02:00","account":"1","region":"eu-west-1","by":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	if !m.Time.Equal(time.Date(2024, 5, 1, 10, 30, 0, 0, time.UTC)) || m.Account != "1" || m.Region != "eu-west-1" {
		t.Errorf("manifest = %+v", m)
	}
	if len(ws) != 1 || ws[0].Source.Path != "by" {
		t.Errorf("warnings = %+v", ws)
	}
}

// TestSnapshotPlaces: snapshots of different accounts or regions are all
// current. With manifests naming account and region, and without manifests
// (where disjoint VPC, group and interface ids tell them apart), a second
// region loads as today's inventory beside the first one's history.
func TestSnapshotPlaces(t *testing.T) {
	for _, manifests := range []bool{true, false} {
		root := copySnapshots(t, manifests, map[string]time.Time{
			"old": time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), "new": time.Date(2024, 5, 8, 0, 0, 0, 0, time.UTC)})
		// Another region: every id differs, and it is older than both.
		other := filepath.Join(root, "us-east-1")
		if err := os.MkdirAll(other, 0o755); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile("testdata/snapshots/old/inventory.json")
		if err != nil {
			t.Fatal(err)
		}
		renamed := strings.NewReplacer("vpc-0", "vpc-9", "sg-0", "sg-9", "eni-0", "eni-9", "subnet-0", "subnet-9", "i-0", "i-9",
			"eu-west-1", "us-east-1").Replace(string(data))
		if err := os.WriteFile(filepath.Join(other, "inventory.json"), []byte(renamed), 0o644); err != nil {
			t.Fatal(err)
		}
		if manifests {
			m := `{"walls":"snapshot","time":"2024-04-01T00:00:00Z","account":"111122223333","region":"us-east-1"}`
			if err := os.WriteFile(filepath.Join(other, ManifestFile), []byte(m), 0o644); err != nil {
				t.Fatal(err)
			}
		} else {
			at := time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)
			if err := os.Chtimes(filepath.Join(other, "inventory.json"), at, at); err != nil {
				t.Fatal(err)
			}
		}
		inv, err := Load([]string{root})
		if err != nil {
			t.Fatal(err)
		}
		if e := inv.Interfaces["eni-9old"]; e == nil || e.Gone {
			t.Errorf("manifests %v: the other region's interface must be current: %+v", manifests, e)
		}
		if g := inv.Groups["sg-9web"]; g == nil || g.Gone {
			t.Errorf("manifests %v: the other region's group must be current: %+v", manifests, g)
		}
		// The first region still has its history.
		if e := inv.Interfaces["eni-0old"]; e == nil || !e.Gone {
			t.Errorf("manifests %v: eni-0old must be gone: %+v", manifests, e)
		}
		if e := inv.Interfaces["eni-0new"]; e == nil || e.Gone {
			t.Errorf("manifests %v: eni-0new must be current: %+v", manifests, e)
		}
	}
}

func TestManifestLiveFields(t *testing.T) {
	m, ws, err := ParseManifest("manifest.json", []byte(`{"walls":"snapshot","time":"2024-05-01T12:00:00Z","account":"111122223333","region":"eu-west-1",
		"version":"v1.2.0","calls":{"ec2:DescribeVpcs":2},
		"missing":[{"kind":"network ACLs","action":"ec2:DescribeNetworkAcls","reason":"denied","code":"UnauthorizedOperation","effect":"NACL hops not evaluated"}]}`))
	if err != nil || len(ws) != 0 {
		t.Fatalf("%v %v", err, ws)
	}
	if m.Version != "v1.2.0" || m.Calls["ec2:DescribeVpcs"] != 2 || len(m.Missing) != 1 {
		t.Fatalf("%+v", m)
	}
	want := "ec2:DescribeNetworkAcls denied in 111122223333/eu-west-1: NACL hops not evaluated"
	if got := m.MissingWarnings(); len(got) != 1 || got[0].Message != want {
		t.Errorf("warnings %+v, want %q", got, want)
	}
	var b strings.Builder
	if err := WriteManifest(&b, m); err != nil {
		t.Fatal(err)
	}
	back, _, err := ParseManifest("manifest.json", []byte(b.String()))
	if err != nil || !reflect.DeepEqual(back, m) {
		t.Errorf("round trip: %+v, %v", back, err)
	}
	for _, c := range []struct{ doc, path string }{
		{`{"walls":"snapshot","time":"2024-05-01T12:00:00Z","calls":{"ec2:X":-1}}`, "calls.ec2:X"},
		{`{"walls":"snapshot","time":"2024-05-01T12:00:00Z","calls":[1]}`, "calls"},
		{`{"walls":"snapshot","time":"2024-05-01T12:00:00Z","missing":{}}`, "missing"},
		{`{"walls":"snapshot","time":"2024-05-01T12:00:00Z","missing":[{"kind":"x","reason":"denied"}]}`, "missing[0].action"},
		{`{"walls":"snapshot","time":"2024-05-01T12:00:00Z","missing":[{"kind":"x","action":"a","reason":7}]}`, "missing[0].reason"},
		{`{"walls":"snapshot","time":"2024-05-01T12:00:00Z","version":3}`, "version"},
	} {
		_, _, err := ParseManifest("manifest.json", []byte(c.doc))
		var ie *vpc.InputError
		if !errors.As(err, &ie) || ie.Loc.Path != c.path {
			t.Errorf("%s: error %v, want one at %s", c.doc, err, c.path)
		}
	}
}
