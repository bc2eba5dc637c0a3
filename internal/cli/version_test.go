package cli

import (
	"encoding/json"
	"runtime/debug"
	"strings"
	"testing"
)

// testBuild is the buildInfo every test run sees, so that golden files do
// not depend on the build.
var testBuild = buildInfo{Version: "v0.0.0-test"}

func init() { readBuild = func() buildInfo { return testBuild } }

func TestVersionCommandAndFlag(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, errOut, code := run(t, args...)
		if code != 0 || !strings.HasPrefix(out, "walls v0.0.0-test\nbuilt with go") || errOut != "" {
			t.Errorf("walls %s: exit %d, stdout %q, stderr %q", args[0], code, out, errOut)
		}
	}
	defer func(b buildInfo) { testBuild = b }(testBuild)
	testBuild = buildInfo{Version: "v1.2.3", Commit: "0123abcd", Modified: true}
	out, _, _ := run(t, "version")
	if !strings.HasPrefix(out, "walls v1.2.3\ncommit 0123abcd (modified)\n") {
		t.Errorf("walls version with a commit: %q", out)
	}
	if v := version(); v != "v1.2.3 0123abcd (modified)" {
		t.Errorf("version() = %q", v)
	}
}

// The binary's own build information: -ldflags' Version wins over the
// module version; the commit comes from the VCS stamp when there is one.
func TestBinaryBuild(t *testing.T) {
	defer func(v string) { Version = v }(Version)
	Version = "v9.9.9"
	if b := binaryBuild(); b.Version != "v9.9.9" {
		t.Errorf("with -ldflags Version: %+v", b)
	}
	Version = ""
	b := binaryBuild()
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && b.Version != bi.Main.Version {
		t.Errorf("version %q, want the module's %q", b.Version, bi.Main.Version)
	}
	if b.Version == "" {
		t.Error("empty version")
	}
}

// Every JSON output with a top-level object starts with the "walls" field.
func TestJSONOutputsNameWalls(t *testing.T) {
	plan, _ := learnPlan(t)
	for _, args := range [][]string{
		{"audit", learnInv, "--format", "json"},
		{"audit", "--list-checks", "--format", "json"},
		{"check", learnInv, "--from", "10.0.1.10", "--to", "10.0.2.20", "--port", "5432", "--format", "json"},
		{"diff", learnInv, "--plan", plan, "--format", "json"},
		{"replay", learnInv, "--plan", plan, "--flows", learnFlows, "--format", "json"},
		{"observe", "--flows", learnFlows, "--format", "json"},
		{"learn", learnInv, "--flows", learnFlows, "--format", "json"},
	} {
		out, errOut, code := run(t, args...)
		if code == ExitBadInput {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		var doc struct {
			Walls       *buildInfo `json:"walls"`
			GeneratedBy string     `json:"generatedBy"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if args[0] == "learn" { // the plan says it in generatedBy
			if doc.GeneratedBy != "walls learn, version v0.0.0-test" {
				t.Errorf("plan generatedBy %q", doc.GeneratedBy)
			}
			continue
		}
		if doc.Walls == nil || doc.Walls.Version != "v0.0.0-test" || !strings.HasPrefix(out, "{\n  \"walls\": {") {
			t.Errorf("%v: no walls field first: %.200s", args, out)
		}
	}
}
