package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyReplacing copies the files of src into dst, replacing text.
func copyReplacing(t *testing.T, src, dst string, r *strings.Replacer) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), []byte(r.Replace(string(b))), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLearnChurnedInterface: an Auto Scaling group replaced a worker during
// the window. Its flow logs name an interface today's inventory lacks: learn
// fails and names it with the instance and subnet its records name; given
// the older snapshot too, its traffic is attributed to its groups and the
// plan holds.
func TestLearnChurnedInterface(t *testing.T) {
	dir := t.TempDir()
	manifest := func(at string) string {
		return `{"walls":"snapshot","time":"` + at + `","account":"111122223333","region":"us-east-1"}`
	}
	same := strings.NewReplacer()
	churn := strings.NewReplacer("eni-0a1b2c3d4e5f60101", "eni-0ffffffffffffff01", "i-0a1b2c3d4e5f60101", "i-0ffffffffffffff01",
		"10.0.1.10", "10.0.1.99")
	today, old := filepath.Join(dir, "today"), filepath.Join(dir, "last-week")
	copyReplacing(t, learnInv, today, same)
	copyReplacing(t, learnInv, old, churn)
	for p, at := range map[string]string{today: "2026-11-30T00:00:00Z", old: "2026-11-20T00:00:00Z"} {
		if err := os.WriteFile(filepath.Join(p, "manifest.json"), []byte(manifest(at)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	flows := filepath.Join(dir, "flows")
	if err := os.MkdirAll(flows, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(learnFlows)
	if err != nil {
		t.Fatal(err)
	}
	// Only the replaced instance logged in the window.
	if err := os.WriteFile(filepath.Join(flows, "old.log"), []byte(churn.Replace(string(data))), 0o644); err != nil {
		t.Fatal(err)
	}

	out, errOut, code := run(t, "learn", today, "--flows", flows)
	if code != 1 || !strings.Contains(out+errOut, "eni-0ffffffffffffff01 (i-0ffffffffffffff01, subnet-0a1b2c3d4e5f60011") {
		t.Fatalf("today's inventory alone: exit %d, want 1 naming the replaced interface with its instance:\n%s%s", code, out, errOut)
	}

	out, errOut, code = run(t, "learn", today, old, "--flows", flows, "--format", "json")
	if code != 0 {
		t.Fatalf("both snapshots: exit %d, want 0:\n%s%s", code, out, errOut)
	}
	for _, want := range []string{`"FromPort": 443`, `"FromPort": 80`, `"FromPort": 21`, "former members known only to older snapshots",
		"eni-0ffffffffffffff01"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "snapshot") {
		t.Errorf("stderr does not say snapshots were merged:\n%s", errOut)
	}
}

// TestLearnOpenVPCAmbiguous: the workers admit everything from inside the
// VPC, and two of them talk between high ports in a v2 log (no flags).
// Neither the rules nor the ports tell who started it: observe reports both
// directions as ambiguous, learn keeps what each would need, lists those
// rules apart with their share of the plan, and the plan still holds.
func TestLearnOpenVPCAmbiguous(t *testing.T) {
	dir := t.TempDir()
	inv := filepath.Join(dir, "inventory")
	copyReplacing(t, learnInv, inv, strings.NewReplacer())
	path := filepath.Join(inv, "security-groups.json")
	var doc map[string][]map[string]any
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, g := range doc["SecurityGroups"] {
		if g["GroupId"] == "sg-0a1b2c3d4e5f60021" {
			g["IpPermissions"] = []map[string]any{{"IpProtocol": "-1", "IpRanges": []map[string]any{{"CidrIp": "10.0.0.0/16"}}}}
		}
	}
	if b, err = json.Marshal(doc); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	rec := func(eni, src, dst string, sp, dp int) string {
		return fmt.Sprintf("2 111122223333 %s %s %s %d %d 6 5 500 1795507200 1795507260 ACCEPT OK\n", eni, src, dst, sp, dp)
	}
	var log strings.Builder
	for _, eni := range []string{"eni-0a1b2c3d4e5f60101", "eni-0a1b2c3d4e5f60102"} {
		log.WriteString(rec(eni, "10.0.1.10", "10.0.1.11", 45000, 50000))
		log.WriteString(rec(eni, "10.0.1.11", "10.0.1.10", 50000, 45000))
	}
	flows := filepath.Join(dir, "flows.log")
	if err := os.WriteFile(flows, []byte(log.String()), 0o644); err != nil {
		t.Fatal(err)
	}

	out, errOut, code := run(t, "observe", inv, "--flows", flows, "--format", "csv")
	if code != 0 || strings.Count(out, ",ambiguous,") != 4 || !strings.Contains(errOut, "left ambiguous") {
		t.Fatalf("observe: exit %d, want 4 ambiguous rows (two per interface):\n%s%s", code, out, errOut)
	}
	out, errOut, code = run(t, "learn", inv, "--flows", flows)
	if code != 0 {
		t.Fatalf("learn: exit %d, want 0 (the plan holds):\n%s%s", code, out, errOut)
	}
	head := strings.Index(out, "kept because the direction is not proven")
	if head < 0 || strings.Index(out, "tcp 50000 to sg-0a1b2c3d4e5f60021") < head ||
		strings.Index(out, "tcp 45000 to sg-0a1b2c3d4e5f60021") < head || !strings.Contains(out+errOut, "2 of 2 proposed rules (100%)") {
		t.Errorf("learn does not list both possible directions apart with their share:\n%s%s", out, errOut)
	}
}
