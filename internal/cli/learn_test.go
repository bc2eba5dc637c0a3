package cli

import (
	"encoding/json"
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
	path := filepath.Join(t.TempDir(), "plan.json")
	out, errOut, code := run(t, "learn", learnInv, "--flows", flows, "--pin", "--holdout", "30", "-o", path)
	// The holdout finds blocked traffic: the plan is written for review,
	// but learn exits 1 and says why.
	if code != 1 || !strings.Contains(errOut, "for review, but it does not hold") ||
		!strings.Contains(errOut, "holdout replay: [sg-0a1b2c3d4e5f60021] tcp 3306 to 10.0.2.20: 3 flow records blocked") {
		t.Fatalf("exit %d, want 1 naming the blocked holdout traffic: %s", code, errOut)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the plan was not written: %v", err)
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
	inv, err := loadInputs(&IOStreams{ErrOut: &strings.Builder{}}, []string{learnInv}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, failures, err := ApplyPlanFile(inv, path)
	if err != nil || len(failures) > 0 {
		t.Fatal(err, failures)
	}
	if n := len(out.Groups["sg-0a1b2c3d4e5f60021"].Egress); n != 3 {
		t.Errorf("workers have %d egress rules under the plan, want 3", n)
	}
}

// Without the inventory, references and prefix lists resolve to no
// addresses: diff says so, proves what CIDRs alone prove (a prefix list
// under tcp 443 to both whole families), and does not claim that an
// unproved reference is more than the current rules allow; but an unproved
// reference is not proved within the current rules, so the plan does not
// hold as far as diff can tell, and it exits 1.
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
	if code != 1 || !strings.Contains(out, "THE PLAN DOES NOT HOLD") || !strings.Contains(out, "sg-app: proposedEgress[1] egress tcp 5432 to sg-db") {
		t.Fatalf("exit %d, want 1 naming the unproved rule: %s%s", code, out, errOut)
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

// writeFlows writes the seed flow log's header and first two records (an
// outbound connection and its reply) with the interface id replaced.
func writeFlows(t *testing.T, eni string, records bool) string {
	t.Helper()
	data, err := os.ReadFile(learnFlows)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(data), "\n", 4)
	body := lines[0] + "\n"
	if records {
		body += strings.ReplaceAll(lines[1]+"\n"+lines[2]+"\n", "eni-0a1b2c3d4e5f60101", eni)
	}
	path := filepath.Join(t.TempDir(), "flows.log")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// replay does not pass on what it could not check: an interface missing
// from the inventory is named, with the instance and subnet its records
// name, and fails the replay unless
// --allow-unattributed; a replay of nothing fails too.
func TestReplayUnattributed(t *testing.T) {
	path, _ := learnPlan(t)
	gone := writeFlows(t, "eni-0ffffffffffffffff", true)
	out, errOut, code := run(t, "replay", learnInv, "--plan", path, "--flows", gone)
	// The v5 records name its instance and subnet: how to find it.
	if code != 1 || !strings.Contains(flat(out), "eni-0ffffffffffffffff (i-0a1b2c3d4e5f60101, subnet-0a1b2c3d4e5f60011, not in the inventory, 2 flow records)") ||
		!strings.Contains(out, "--allow-unattributed") {
		t.Fatalf("exit %d, want 1 naming the unattributed interface:\n%s%s", code, out, errOut)
	}
	out, errOut, code = run(t, "replay", learnInv, "--plan", path, "--flows", gone, "--allow-unattributed")
	// Accepted knowingly, still printed; but with only that interface,
	// nothing was evaluated.
	if code != 1 || !strings.Contains(out, "accepted with --allow-unattributed: 2 flow records of 1 interfaces") ||
		!strings.Contains(out, "nothing was evaluated") {
		t.Fatalf("exit %d:\n%s%s", code, out, errOut)
	}
	both := gone + "," + learnFlows
	if out, errOut, code = run(t, "replay", learnInv, "--plan", path, "--flows", both, "--allow-unattributed"); code != 0 ||
		!strings.Contains(out, "accepted with --allow-unattributed") {
		t.Fatalf("exit %d, want 0 with the unattributed traffic still shown:\n%s%s", code, out, errOut)
	}
	if _, _, code = run(t, "replay", learnInv, "--plan", path, "--flows", both); code != 1 {
		t.Errorf("exit %d without --allow-unattributed, want 1", code)
	}
}

// learn exits 1, naming the group, when a group stays over --max-rules:
// here the current rules allow only the three pinned addresses, so no
// merge stays within them.
func TestLearnOverBudgetExits1(t *testing.T) {
	dir := t.TempDir()
	entries, err := os.ReadDir(learnInv)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(learnInv, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == "security-groups.json" {
			var doc map[string]any
			if err := json.Unmarshal(data, &doc); err != nil {
				t.Fatal(err)
			}
			perm := func(port int, cidr string) map[string]any {
				return map[string]any{"IpProtocol": "tcp", "FromPort": port, "ToPort": port,
					"IpRanges": []any{map[string]any{"CidrIp": cidr}}}
			}
			sg := doc["SecurityGroups"].([]any)[0].(map[string]any)
			sg["IpPermissionsEgress"] = []any{perm(21, "192.0.2.21/32"), perm(80, "192.0.2.10/32"), perm(443, "192.0.2.10/31")}
			if data, err = json.Marshal(doc); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "plan.json")
	_, errOut, code := run(t, "learn", dir, "--flows", learnFlows, "--pin", "--max-rules", "2", "-o", path)
	if code != 1 || !strings.Contains(errOut, "sg-0a1b2c3d4e5f60021: 3 egress rules") || !strings.Contains(errOut, "over --max-rules 2") {
		t.Fatalf("exit %d, want 1 naming the group over budget: %s", code, errOut)
	}
	if _, _, code := run(t, "learn", dir, "--flows", learnFlows, "--pin", "--max-rules", "3"); code != 0 {
		t.Errorf("within budget: exit %d, want 0", code)
	}
}
