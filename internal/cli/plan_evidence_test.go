package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// restrictedScenario copies the learn inventory with the workers' egress
// narrowed to tcp 0-1023 (so MySQL on 3306 is denied today), learns a plan
// against it, and returns the inventory folder, that plan, and a copy of
// the plan with "tcp 3306 to 10.0.0.0/16" added by hand to the workers'
// proposedEgress, its guarantees still saying proposed ⊆ current holds.
func restrictedScenario(t *testing.T) (inv, learned, widened string) {
	t.Helper()
	dir := t.TempDir()
	inv = filepath.Join(dir, "inventory")
	if err := os.Mkdir(inv, 0o755); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(learnInv, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("inventory files: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s := string(data)
		if filepath.Base(f) == "security-groups.json" {
			// The first "-1" is the workers' egress.
			s = strings.Replace(s, `"IpProtocol": "-1",`, `"IpProtocol": "tcp", "FromPort": 0, "ToPort": 1023,`, 1)
		}
		if err := os.WriteFile(filepath.Join(inv, filepath.Base(f)), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	learned = filepath.Join(dir, "plan.json")
	if _, errOut, code := run(t, "learn", inv, "--flows", learnFlows, "-o", learned); code != 0 {
		t.Fatalf("learn exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(learned)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	if !strings.Contains(s, `"CidrIpv4": "0.0.0.0/0",`) || !strings.Contains(s, `"FromPort": 0,`) {
		t.Fatalf("the learned plan was not made against the narrowed rules:\n%s", s)
	}
	at := strings.Index(s, `"proposedEgress": [`) + len(`"proposedEgress": [`)
	s = s[:at] + `{"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306, "CidrIpv4": "10.0.0.0/16", "IsEgress": true},` + s[at:]
	if !strings.Contains(s, `"holds": true`) {
		t.Fatal("the learned plan's guarantees do not say it holds")
	}
	widened = filepath.Join(dir, "widened.json")
	if err := os.WriteFile(widened, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return inv, learned, widened
}

const widening = "proposedEgress[0] egress tcp 3306 to 10.0.0.0/16"

// A plan is evidence, not authority: a rule added by hand to proposedEgress
// that the current rules deny, under guarantees that still say "holds", is
// caught by every command that reads the plan, which names the group and
// the rule and exits 1.
func TestPlanIsEvidenceNotAuthority(t *testing.T) {
	inv, learned, widened := restrictedScenario(t)
	mysql := []string{"--from", "eni-0a1b2c3d4e5f60101", "--to", "10.0.2.20", "--port", "3306"}

	// Today's rules deny it, and so does the plan as learned.
	if out, errOut, code := run(t, append([]string{"check", inv}, mysql...)...); code != 1 || !strings.Contains(out, "DENIED") {
		t.Fatalf("check today: exit %d, want 1 DENIED: %s%s", code, out, errOut)
	}
	if out, errOut, code := run(t, append([]string{"check", inv, "--plan", learned}, mysql...)...); code != 1 ||
		!strings.Contains(out, "DENIED") || strings.Contains(out, "DOES NOT HOLD") {
		t.Fatalf("check --plan learned: exit %d, want 1 DENIED, the plan holding: %s%s", code, out, errOut)
	}
	if out, errOut, code := run(t, "diff", inv, "--plan", learned); code != 0 {
		t.Fatalf("diff learned: exit %d, want 0: %s%s", code, out, errOut)
	}
	if out, errOut, code := run(t, "replay", inv, "--plan", learned, "--flows", learnFlows); code != 0 {
		t.Fatalf("replay learned: exit %d, want 0: %s%s", code, out, errOut)
	}

	named := func(t *testing.T, what, out string) {
		t.Helper()
		for _, want := range []string{"sg-0a1b2c3d4e5f60021", widening, "the plan's guarantees say it holds"} {
			if !strings.Contains(flat(out), want) {
				t.Errorf("%s does not name %q:\n%s", what, want, out)
			}
		}
	}
	t.Run("check", func(t *testing.T) {
		out, errOut, code := run(t, append([]string{"check", inv, "--plan", widened}, mysql...)...)
		if code != 1 || !strings.HasPrefix(out, "THE PLAN DOES NOT HOLD ("+widened+")") {
			t.Fatalf("exit %d, want 1 with the failure first: %s%s", code, out, errOut)
		}
		// Still evaluated under the plan as written: the widening rule lets it out.
		if !strings.Contains(out, "ALLOWED") {
			t.Errorf("the verdict under the plan as written is missing:\n%s", out)
		}
		named(t, "check --plan", out)
		js, _, code := run(t, append([]string{"check", inv, "--plan", widened, "--format", "json"}, mysql...)...)
		var j struct {
			Verdict string
			Plan    *struct {
				File     string
				Holds    bool
				Failures []string
			}
		}
		if err := json.Unmarshal([]byte(js), &j); err != nil || code != 1 || j.Plan == nil || j.Plan.Holds || j.Plan.File != widened {
			t.Fatalf("json: exit %d, err %v, %+v:\n%s", code, err, j.Plan, js)
		}
		named(t, "check --plan --format json", strings.Join(j.Plan.Failures, "\n"))
	})
	t.Run("replay", func(t *testing.T) {
		out, errOut, code := run(t, "replay", inv, "--plan", widened, "--flows", learnFlows)
		if code != 1 || !strings.Contains(out, "does not pass: proposed ⊆ current does not hold") {
			t.Fatalf("exit %d, want 1: %s%s", code, out, errOut)
		}
		named(t, "replay", out)
		js, _, code := run(t, "replay", inv, "--plan", widened, "--flows", learnFlows, "--format", "json")
		if code != 1 || !strings.Contains(js, `"pass": false`) {
			t.Fatalf("json: exit %d:\n%s", code, js)
		}
	})
	t.Run("diff", func(t *testing.T) {
		out, errOut, code := run(t, "diff", inv, "--plan", widened)
		if code != 1 || !strings.Contains(out, "+ tcp 3306 to 10.0.0.0/16") || !strings.Contains(out, "THE PLAN DOES NOT HOLD") {
			t.Fatalf("exit %d, want 1 listing the widening: %s%s", code, out, errOut)
		}
		named(t, "diff", out)
		js, _, code := run(t, "diff", inv, "--plan", widened, "--format", "json")
		if code != 1 || !strings.Contains(js, `"holds": false`) || !strings.Contains(js, widening) {
			t.Fatalf("json: exit %d:\n%s", code, js)
		}
	})
}
