package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const snapshotsDir = "../inventory/testdata/snapshots"

func TestAuditIgnoresGoneInterfaces(t *testing.T) {
	code, out, errs := runWalls(t, "audit", snapshotsDir, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Findings []struct {
			CheckID    string `json:"checkId"`
			ResourceID string `json:"resourceId"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	got := map[string]bool{}
	for _, f := range doc.Findings {
		got[f.CheckID+" "+f.ResourceID] = true
	}
	// sg-0idle's only member is gone: it is attached to nothing today.
	// sg-0default's only member is gone: the default group is not in use.
	if !got["WALLS-SG-008 sg-0idle"] || got["WALLS-SG-007 sg-0default"] || len(doc.Findings) != 1 {
		t.Errorf("findings = %+v", doc.Findings)
	}
	if strings.Contains(out, "eni-0old") || strings.Contains(out, "sg-0legacy") {
		t.Errorf("audit names a gone interface or group:\n%s", out)
	}
	for _, want := range []string{
		"walls: note: read 2 inventory snapshots",
		"walls: note: 3 interface(s) known only to older snapshots added as gone",
		"walls: note: 1 interface(s) carry different groups",
		"walls: warning: " + filepath.Join(snapshotsDir, "old", "inventory.json"),
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
}

func TestCheckIgnoresGoneInterfaces(t *testing.T) {
	code, _, errs := runWalls(t, "check", snapshotsDir, "--from", "eni-0old", "--to", "10.0.1.40", "--port", "443")
	if code != 2 || !strings.Contains(errs, "eni-0old is not in the inventory") {
		t.Errorf("exit %d: %s", code, errs)
	}
	// The gone interface's address is just an address to check.
	code, out, errs := runWalls(t, "check", snapshotsDir, "--from", "eni-0cur", "--to", "10.0.1.5", "--port", "443", "--format", "json")
	if code == 2 || !strings.Contains(out, "10.0.1.5") || strings.Contains(out, "eni-0old") {
		t.Errorf("exit %d: %s\n%s", code, out, errs)
	}
}

func TestBadManifestIsBadInput(t *testing.T) {
	root := t.TempDir()
	for _, snap := range []string{"old", "new"} {
		if err := os.MkdirAll(filepath.Join(root, snap), 0o755); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(snapshotsDir, snap, "inventory.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, snap, "inventory.json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bad := filepath.Join(root, "new", "manifest.json")
	if err := os.WriteFile(bad, []byte(`{"walls": "snapshot", "time": "2024-05-08"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runWalls(t, "learn", root, "--flows", root)
	if code != 2 || !strings.Contains(errs, bad+":1: time: \"2024-05-08\" is not an RFC 3339 time") {
		t.Errorf("exit %d: %s", code, errs)
	}
}
