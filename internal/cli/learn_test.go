package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var (
	learnInv   = filepath.Join("testdata", "learn", "inventory")
	learnFlows = filepath.Join("testdata", "learn", "workers-v5.log")
)

// learnPlan runs walls learn on the seed scenario and returns the plan path.
func learnPlan(t *testing.T, extra ...string) (string, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plan.json")
	out, errOut, code := run(t, append([]string{"learn", learnInv, "--flows", learnFlows, "-o", path}, extra...)...)
	if code != 0 {
		t.Fatalf("learn exit %d: %s", code, errOut)
	}
	return path, out
}

func TestLearnGolden(t *testing.T) {
	path, out := learnPlan(t)
	golden(t, "learn/seed.txt", out)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "learn/seed-plan.json", string(data))
	js, _, code := run(t, "learn", learnInv, "--flows", learnFlows, "--format", "json")
	if code != 0 || js != string(data) {
		t.Errorf("learn --format json (exit %d) differs from the plan file", code)
	}
}

func TestLearnPinHoldoutGolden(t *testing.T) {
	flows := learnFlows + "," + filepath.Join("testdata", "replay", "next-week-v5.log")
	out, errOut, code := run(t, "learn", learnInv, "--flows", flows, "--pin", "--holdout", "30")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	golden(t, "learn/pin-holdout.txt", out)
}

func TestDiffGolden(t *testing.T) {
	path, _ := learnPlan(t)
	out, errOut, code := run(t, "diff", learnInv, "--plan", path)
	if code != 0 {
		t.Fatalf("diff exit %d: %s", code, errOut)
	}
	golden(t, "diff/seed.txt", out)
	out, _, code = run(t, "diff", "--plan", path, "--format", "json")
	if code != 0 {
		t.Fatalf("diff --format json exit %d", code)
	}
	golden(t, "diff/seed.json", out)
}

func TestReplayGolden(t *testing.T) {
	path, _ := learnPlan(t)
	// The learning window itself: nothing blocked.
	if out, errOut, code := run(t, "replay", learnInv, "--plan", path, "--flows", learnFlows); code != 0 {
		t.Fatalf("replay of the learning window exit %d: %s%s", code, out, errOut)
	}
	// Next week a worker opens MySQL on the database: the plan blocks it.
	next := filepath.Join("testdata", "replay", "next-week-v5.log")
	out, _, code := run(t, "replay", learnInv, "--plan", path, "--flows", next)
	if code != 1 {
		t.Fatalf("replay exit %d, want 1:\n%s", code, out)
	}
	golden(t, "replay/next-week.txt", out)
	out, _, code = run(t, "replay", learnInv, "--plan", path, "--flows", next, "--format", "json")
	if code != 1 {
		t.Fatalf("replay --format json exit %d, want 1", code)
	}
	golden(t, "replay/next-week.json", out)
}

func TestLearnDiffReplayBadInput(t *testing.T) {
	path, _ := learnPlan(t)
	stale := filepath.Join(t.TempDir(), "stale.json")
	data, _ := os.ReadFile(path)
	if err := os.WriteFile(stale, []byte(strings.Replace(string(data), `"CidrIpv4": "0.0.0.0/0"`, `"CidrIpv4": "10.0.0.0/8"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(t.TempDir(), "broken.json")
	if err := os.WriteFile(broken, []byte(`{"version": 1, "securityGroups": [{"GroupId": "sg-1", "status": "proposed",
 "proposedEgress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 80, "CidrIpv4": "0.0.0.0/0", "IsEgress": true}]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"learn without flows", []string{"learn", learnInv}, "needs --flows"},
		{"learn without inventory", []string{"learn", "--flows", learnFlows}, "needs the inventory"},
		{"learn bad max-rules", []string{"learn", learnInv, "--flows", learnFlows, "--max-rules", "0"}, "--max-rules"},
		{"learn bad holdout", []string{"learn", learnInv, "--flows", learnFlows, "--holdout", "100"}, "--holdout"},
		{"learn bad format", []string{"learn", learnInv, "--flows", learnFlows, "--format", "xml"}, "--format"},
		{"diff without plan", []string{"diff", learnInv}, "--plan is required"},
		{"diff missing plan", []string{"diff", "--plan", "nope.json"}, "nope.json"},
		{"diff broken plan", []string{"diff", "--plan", broken}, "securityGroups[0].proposedEgress[0]"},
		{"diff stale plan", []string{"diff", learnInv, "--plan", stale}, "plan is stale"},
		{"replay stale plan", []string{"replay", learnInv, "--plan", stale, "--flows", learnFlows}, "plan is stale"},
		{"replay without inventory", []string{"replay", "--plan", path, "--flows", learnFlows}, "needs the inventory"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, errOut, code := run(t, c.args...)
			if code != 2 || !strings.Contains(errOut, c.want) {
				t.Fatalf("exit %d, stderr %q; want exit 2 mentioning %q", code, errOut, c.want)
			}
		})
	}
}

func TestApplyPlanFile(t *testing.T) {
	path, _ := learnPlan(t)
	inv, err := loadInventory(&IOStreams{ErrOut: &strings.Builder{}}, []string{learnInv})
	if err != nil {
		t.Fatal(err)
	}
	out, err := ApplyPlanFile(inv, path)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(out.Groups["sg-0a1b2c3d4e5f60021"].Egress); n != 3 {
		t.Errorf("workers have %d egress rules under the plan, want 3", n)
	}
}

// Without the inventory, references and prefix lists resolve to no
// addresses: diff says so, proves what CIDRs alone prove (a prefix list
// under tcp 443 to both whole families), and does not claim that an
// unproved reference is more than the current rules allow.
func TestDiffWithoutInventory(t *testing.T) {
	p := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(p, []byte(`{"version": 1, "securityGroups": [{"GroupId": "sg-app", "status": "proposed",
 "currentEgress": [{"IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535, "CidrIpv4": "0.0.0.0/0", "IsEgress": true},
                   {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIpv6": "::/0", "IsEgress": true}],
 "proposedEgress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "PrefixListId": "pl-63a5400a", "IsEgress": true},
                    {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "ReferencedGroupInfo": {"GroupId": "sg-db"}, "IsEgress": true}]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := run(t, "diff", "--plan", p)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "without the inventory") {
		t.Errorf("stderr does not say the peers were not resolved:\n%s", errOut)
	}
	if strings.Contains(out, "pl-63a5400a") {
		t.Errorf("the prefix list is within tcp 443 to 0.0.0.0/0 and ::/0, yet diff lists it:\n%s", out)
	}
	if strings.Contains(out, "allows more") || !strings.Contains(out, "not proved within the current rules") || !strings.Contains(out, "tcp 5432 to sg-db") {
		t.Errorf("the unproved reference should be listed as not proved, not as allowing more:\n%s", out)
	}
}

// -o naming a folder is bad usage, said plainly, and leaves no temporary
// file behind.
func TestLearnOutputIsAFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "plans")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := run(t, "learn", learnInv, "--flows", learnFlows, "-o", dir)
	if code != 2 || !strings.Contains(errOut, "-o "+dir+": is a folder") {
		t.Errorf("exit %d, stderr %q; want exit 2 saying -o is a folder", code, errOut)
	}
	if _, err := os.Stat(dir + ".tmp"); err == nil {
		t.Errorf("%s.tmp left behind", dir)
	}
}
