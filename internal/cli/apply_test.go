package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/walls-dev/walls/internal/apply"
	"github.com/walls-dev/walls/internal/awstest"
	"github.com/walls-dev/walls/internal/live"
	"github.com/walls-dev/walls/internal/plan"
	"github.com/walls-dev/walls/internal/vpc"
)

const liveRegion = "eu-west-1"

// applyWorld is the live test endpoint, the SDK pointed at it, the EC2
// client of apply retrying without waits, and the working folder a
// temporary one (default backups land there).
func applyWorld(t *testing.T) *awstest.EC2 {
	t.Helper()
	srv := liveServer(t)
	applyClientOptions = func(o *ec2.Options) {
		o.Retryer = awstest.Retryer(5)
	}
	t.Cleanup(func() { applyClientOptions = nil })
	t.Chdir(t.TempDir())
	return srv
}

// plannedWorld is applyWorld with a plan of writeTestPlan for its first n
// groups; it returns the groups and the plan's path.
func plannedWorld(t *testing.T, n int) (*awstest.EC2, []string, string) {
	t.Helper()
	srv := applyWorld(t)
	groups := groupsOf(srv, n)
	return srv, groups, writeTestPlan(t, groups, nil)
}

// appliedWorld is plannedWorld with the plan applied and backed up in backup; it returns the groups
// and the plan's path.
func appliedWorld(t *testing.T, n int, backup string) (*awstest.EC2, []string, string) {
	t.Helper()
	srv, groups, planPath := plannedWorld(t, n)
	if _, errOut, code := run(t, "apply", "--plan", planPath, "--yes", "--backup", backup); code != 0 {
		t.Fatal(errOut)
	}
	return srv, groups, planPath
}

// groupsOf lists the first n group ids of the endpoint.
func groupsOf(srv *awstest.EC2, n int) []string {
	var out []string
	for _, g := range srv.Place(liveAccount, liveRegion).SecurityGroups[:n] {
		out = append(out, aws.ToString(g.GroupId))
	}
	return out
}

// rulesNow is every group's egress on the endpoint.
func rulesNow(srv *awstest.EC2) map[string][]string {
	out := map[string][]string{}
	for _, g := range srv.Place(liveAccount, liveRegion).SecurityGroups {
		id := aws.ToString(g.GroupId)
		out[id] = srv.EgressTexts(liveAccount, liveRegion, id)
	}
	return out
}

// writeTestPlan reads the endpoint as walls does and writes a plan for
// groups: each keeps its prefix-list rule and trades its allow-all for
// tcp 443 to the world, evidenced by a connection of one of its
// interfaces. edit may change the plan before it is written.
func writeTestPlan(t *testing.T, groups []string, edit func(*plan.Plan)) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "snap")
	if _, errOut, code := run(t, "snapshot", "--aws", "-o", dir); code != 0 {
		t.Fatalf("snapshot: %s", errOut)
	}
	inv, err := loadInputs(&IOStreams{ErrOut: io.Discard}, []string{dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &plan.Plan{Version: plan.Version, SecurityGroups: []plan.Group{}}
	ids := make([]string, 0, len(inv.Groups))
	for id := range inv.Groups {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	want := map[string]bool{}
	for _, g := range groups {
		want[g] = true
	}
	for _, id := range ids {
		g := inv.Groups[id]
		pg := plan.Group{GroupID: id, GroupName: g.Name, Status: plan.StatusUnchanged, CurrentEgress: []plan.Rule{}, ProposedEgress: []plan.Rule{}}
		for i := range g.Egress {
			pg.CurrentEgress = append(pg.CurrentEgress, plan.FromVPC(&g.Egress[i]))
		}
		if !want[id] {
			pg.ProposedEgress = pg.CurrentEgress
			p.SecurityGroups = append(p.SecurityGroups, pg)
			continue
		}
		pg.Status = plan.StatusProposed
		// An interface carrying this group alone, so that the
		// evidence depends on this group's rules only.
		var eni string
		for _, e := range inv.Interfaces {
			if len(e.GroupIDs) == 1 && e.GroupIDs[0] == id && (eni == "" || e.ID < eni) {
				eni = e.ID
			}
		}
		web := plan.FromVPC(&vpc.Rule{GroupID: id, Egress: true, Protocol: vpc.ProtoTCP, FromPort: 443, ToPort: 443, Description: "https",
			Peer: vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netip.MustParsePrefix("0.0.0.0/0")}})
		web.Evidence = &plan.Evidence{Observations: 1, Flows: 3, Interfaces: []string{eni}, Remotes: []string{"198.51.100.7"}, Confidence: "exact"}
		pg.ProposedEgress = []plan.Rule{web}
		for i := range g.Egress {
			if g.Egress[i].Peer.Kind == vpc.PeerPrefixList {
				pg.ProposedEgress = append(pg.ProposedEgress, plan.FromVPC(&g.Egress[i]))
			}
		}
		p.SecurityGroups = append(p.SecurityGroups, pg)
	}
	if edit != nil {
		edit(p)
	}
	path := filepath.Join(t.TempDir(), "plan.json")
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// proposedTexts is what the test plan leaves a group with.
func proposedTexts(t *testing.T, srv *awstest.EC2, group string) []string {
	var out []string
	for _, r := range srv.EgressRules(liveAccount, liveRegion, group) {
		if r.PrefixListId != nil {
			out = append(out, awstest.RuleText(r))
		}
	}
	out = append(out, `tcp 443-443 0.0.0.0/0 "https"`)
	sort.Strings(out)
	return out
}

func noSecrets(t *testing.T, texts ...string) {
	t.Helper()
	for _, s := range texts {
		for _, secret := range []string{liveSecret, liveToken} {
			if strings.Contains(s, secret) {
				t.Fatalf("a credential was printed or written: %q", s)
			}
		}
	}
}

func TestApplyChangesProvesAndBacksUp(t *testing.T) {
	srv, groups, planPath := plannedWorld(t, 3)
	before := rulesNow(srv)
	want := map[string][]string{}
	for id, rules := range before {
		want[id] = rules
	}
	for _, g := range groups {
		want[g] = proposedTexts(t, srv, g)
	}
	out, errOut, code := run(t, "apply", "--plan", planPath, "--yes", "--backup", "b.json")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	if got := rulesNow(srv); !reflect.DeepEqual(got, want) {
		t.Fatalf("rules after apply:\n%v\nwant\n%v", got, want)
	}
	if !strings.Contains(out, "+ tcp 443 to 0.0.0.0/0 \"https\" sgr-") || !strings.Contains(out, "- all to 0.0.0.0/0 sgr-") ||
		!strings.Contains(out, "changed the egress of 3 security groups") {
		t.Errorf("output does not show the change with rule ids:\n%s", out)
	}
	if !strings.Contains(errOut, "backup of the 3 groups' egress rules written to b.json") {
		t.Errorf("stderr %s", errOut)
	}
	// The backup holds exactly the rules before, of the changed groups.
	b, err := apply.ReadBackup("b.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Groups) != 3 || b.Account != liveAccount || b.Region != liveRegion {
		t.Fatalf("backup %+v", b)
	}
	for _, g := range b.Groups {
		var texts []string
		for _, r := range g.Egress {
			sr := types.SecurityGroupRule{IpProtocol: aws.String(r.IPProtocol), FromPort: aws.Int32(r.FromPort), ToPort: aws.Int32(r.ToPort)}
			if r.CidrIPv4 != "" {
				sr.CidrIpv4 = aws.String(r.CidrIPv4)
			}
			if r.PrefixListID != "" {
				sr.PrefixListId = aws.String(r.PrefixListID)
			}
			if r.Description != "" {
				sr.Description = aws.String(r.Description)
			}
			texts = append(texts, awstest.RuleText(sr))
		}
		sort.Strings(texts)
		if !reflect.DeepEqual(texts, before[g.GroupID]) {
			t.Errorf("backup of %s: %v, want %v", g.GroupID, texts, before[g.GroupID])
		}
	}
	data, _ := os.ReadFile("b.json")
	noSecrets(t, out, errOut, string(data))

	// Applying again changes nothing and says so.
	calls := srv.Calls()
	out, errOut, code = run(t, "apply", "--plan", planPath, "--yes")
	if code != 0 || !strings.Contains(out, "nothing to change") {
		t.Fatalf("second apply: exit %d: %s\n%s", code, errOut, out)
	}
	after := srv.Calls()
	if after["ec2:AuthorizeSecurityGroupEgress"] != calls["ec2:AuthorizeSecurityGroupEgress"] || after["ec2:RevokeSecurityGroupEgress"] != calls["ec2:RevokeSecurityGroupEgress"] {
		t.Errorf("second apply made changes: %v", after)
	}
	if entries, _ := filepath.Glob("walls-backup-*"); len(entries) != 0 {
		t.Errorf("second apply wrote a backup: %v", entries)
	}

	// Rollback restores the backup exactly, then has nothing to do.
	out, errOut, code = run(t, "rollback", "--backup", "b.json", "--yes", "--format", "json")
	if code != 0 {
		t.Fatalf("rollback: exit %d: %s\n%s", code, errOut, out)
	}
	if got := rulesNow(srv); !reflect.DeepEqual(got, before) {
		t.Fatalf("rules after rollback:\n%v\nwant\n%v", got, before)
	}
	var doc struct {
		Changed bool
		Groups  []apply.GroupReport
		Backup  string
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || !doc.Changed || len(doc.Groups) != 3 || doc.Backup == "" {
		t.Fatalf("rollback JSON %v: %s", err, out)
	}
	out, _, code = run(t, "rollback", "--backup", "b.json", "--yes")
	if code != 0 || !strings.Contains(out, "nothing to change") {
		t.Fatalf("second rollback: exit %d: %s", code, out)
	}
}

func TestApplyDryRunChangesNothing(t *testing.T) {
	srv, _, planPath := plannedWorld(t, 2)
	before := rulesNow(srv)
	out, errOut, code := run(t, "apply", "--plan", planPath, "--dry-run")
	if code != 0 || !strings.Contains(out, "EC2 would allow all") || !strings.Contains(out, "would succeed") {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	srv.Deny(liveAccount, "", "RevokeSecurityGroupEgress")
	out, _, code = run(t, "apply", "--plan", planPath, "--dry-run")
	if code != 1 || !strings.Contains(out, "would be denied") {
		t.Fatalf("denied dry run: exit %d: %s", code, out)
	}
	if got := rulesNow(srv); !reflect.DeepEqual(got, before) {
		t.Fatal("a dry run changed the rules")
	}
	if entries, _ := filepath.Glob("walls-backup-*"); len(entries) != 0 {
		t.Errorf("a dry run wrote a backup: %v", entries)
	}
}

func TestApplyRefusesDrift(t *testing.T) {
	srv, groups, planPath := plannedWorld(t, 2)
	c := ec2.New(ec2.Options{Region: liveRegion, BaseEndpoint: aws.String(srv.URL), Credentials: awsStatic()})
	if _, err := c.AuthorizeSecurityGroupEgress(context.Background(), &ec2.AuthorizeSecurityGroupEgressInput{GroupId: aws.String(groups[1]),
		IpPermissions: []types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(5432), ToPort: aws.Int32(5432),
			IpRanges: []types.IpRange{{CidrIp: aws.String("10.9.0.0/16")}}}}}); err != nil {
		t.Fatal(err)
	}
	before := rulesNow(srv)
	out, errOut, code := run(t, "apply", "--plan", planPath, "--yes")
	if code != 2 || !strings.Contains(errOut, "drifted") || !strings.Contains(errOut, groups[1]) ||
		!strings.Contains(errOut, "added since the plan: egress tcp 5432 to 10.9.0.0/16") {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	if got := rulesNow(srv); !reflect.DeepEqual(got, before) {
		t.Fatal("a drifted apply changed the rules")
	}
}

func TestApplyRefusesAWideningPlan(t *testing.T) {
	srv := applyWorld(t)
	groups := groupsOf(srv, 2)
	before := rulesNow(srv)
	// Edited by hand: IPv6 egress the current rules do not allow, while
	// the guarantees still say the proof holds.
	planPath := writeTestPlan(t, groups, func(p *plan.Plan) {
		g := p.Group(groups[0])
		g.ProposedEgress = append(g.ProposedEgress, plan.Rule{IsEgress: true, IPProtocol: "tcp", FromPort: 443, ToPort: 443, CidrIPv6: "::/0"})
		p.Guarantees = &plan.Guarantees{ProposedWithinCurrent: plan.Proof{Holds: true}, LearningReplay: plan.Proof{Holds: true}}
	})
	out, errOut, code := run(t, "apply", "--plan", planPath, "--yes")
	if code != 1 || !strings.Contains(out, "THE PLAN DOES NOT HOLD") || !strings.Contains(out, "tcp 443 to ::/0") ||
		!strings.Contains(out, "guarantees say it") {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	// Narrowed so its own evidence (tcp 443 to 198.51.100.7) would be
	// blocked.
	planPath = writeTestPlan(t, groups, func(p *plan.Plan) {
		g := p.Group(groups[1])
		g.ProposedEgress[0].CidrIPv4 = "10.0.0.0/8"
	})
	out, errOut, code = run(t, "apply", "--plan", planPath, "--yes")
	if code != 1 || !strings.Contains(out, "evidence") || !strings.Contains(out, "tcp 443 to 198.51.100.7") {
		t.Fatalf("evidence: exit %d: %s\n%s", code, errOut, out)
	}
	if got := rulesNow(srv); !reflect.DeepEqual(got, before) {
		t.Fatal("a refused plan changed the rules")
	}
}

func TestApplyConfirmation(t *testing.T) {
	srv, groups, planPath := plannedWorld(t, 1)
	before := rulesNow(srv)
	// No terminal, no --yes: refused.
	_, errOut, code := run(t, "apply", "--plan", planPath)
	if code != 2 || !strings.Contains(errOut, "--yes") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// A terminal that answers no, then yes.
	stdinIsTerminal = func(io.Reader) bool { return true }
	t.Cleanup(func() { stdinIsTerminal = func(io.Reader) bool { return false } })
	ask := func(answer string) (string, string, int) {
		var out, errOut bytes.Buffer
		code := Main(context.Background(), []string{"apply", "--plan", planPath}, &IOStreams{In: strings.NewReader(answer), Out: &out, ErrOut: &errOut})
		return out.String(), errOut.String(), code
	}
	_, errOut, code = ask("n\n")
	if code != 1 || !strings.Contains(errOut, "[y/N]") || !strings.Contains(errOut, "not confirmed") {
		t.Fatalf("declined: exit %d: %s", code, errOut)
	}
	if got := rulesNow(srv); !reflect.DeepEqual(got, before) {
		t.Fatal("declined, yet changed")
	}
	if _, errOut, code = ask("y\n"); code != 0 {
		t.Fatalf("confirmed: exit %d: %s", code, errOut)
	}
	if got := srv.EgressTexts(liveAccount, liveRegion, groups[0]); !reflect.DeepEqual(got, proposedTexts(t, srv, groups[0])) {
		t.Errorf("rules %v", got)
	}
	if entries, _ := filepath.Glob("walls-backup-" + liveAccount + "-" + liveRegion + "-*.json"); len(entries) != 1 {
		t.Errorf("default backup: %v", entries)
	}
}

func TestApplyNeverOverwritesABackup(t *testing.T) {
	srv, _, planPath := plannedWorld(t, 1)
	before := rulesNow(srv)
	os.WriteFile("b.json", []byte("precious"), 0o600)
	_, errOut, code := run(t, "apply", "--plan", planPath, "--yes", "--backup", "b.json")
	if code != 2 || !strings.Contains(errOut, "never overwritten") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if data, _ := os.ReadFile("b.json"); string(data) != "precious" {
		t.Error("the backup was overwritten")
	}
	if got := rulesNow(srv); !reflect.DeepEqual(got, before) {
		t.Fatal("changed without a backup")
	}
}

// A failure at any call position leaves the rules as they were, and the
// report says what failed and what was undone.
func TestApplyFailurePartWayAtEveryPosition(t *testing.T) {
	srv, groups, _ := appliedWorld(t, 2, "count.json")
	calls := srv.Calls()
	total := calls["ec2:AuthorizeSecurityGroupEgress"] + calls["ec2:RevokeSecurityGroupEgress"]
	if total < 4 {
		t.Fatalf("%d calls", total)
	}
	for n := 1; n <= total; n++ {
		srv := applyWorld(t)
		planPath := writeTestPlan(t, groups, nil)
		before := rulesNow(srv)
		srv.FailNth(n, http.StatusForbidden, "UnauthorizedOperation", "You are not authorized to perform this operation.",
			"AuthorizeSecurityGroupEgress", "RevokeSecurityGroupEgress")
		out, errOut, code := run(t, "apply", "--plan", planPath, "--yes", "--backup", "b.json")
		if code != 1 || !strings.Contains(errOut, "failed part-way") || !strings.Contains(errOut, "were undone") ||
			!strings.Contains(out, "UnauthorizedOperation") {
			t.Fatalf("call %d: exit %d: %s\n%s", n, code, errOut, out)
		}
		if n > 1 && !strings.Contains(out, "Undone:") {
			t.Errorf("call %d: the undoing is not reported:\n%s", n, out)
		}
		if got := rulesNow(srv); !reflect.DeepEqual(got, before) {
			t.Fatalf("call %d failed: rules differ from before", n)
		}
	}
}

// When undoing fails too, the report lists what is left and the backup.
func TestApplyRollbackFailureSaysWhatIsLeft(t *testing.T) {
	srv, groups, planPath := plannedWorld(t, 1)
	// Call 1 authorizes tcp 443, call 2 revokes a rule and fails, call 3
	// (undoing the authorize) fails too.
	srv.FailNth(2, http.StatusForbidden, "UnauthorizedOperation", "no", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupEgress")
	srv.FailNth(3, http.StatusForbidden, "UnauthorizedOperation", "no", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupEgress")
	out, errOut, code := run(t, "apply", "--plan", planPath, "--yes", "--backup", "b.json")
	if code != 1 || !strings.Contains(errOut, "undoing it failed too") || !strings.Contains(errOut, "walls rollback --backup b.json") ||
		!strings.Contains(out, "Left in effect:\n  "+groups[0]+" authorize tcp 443 to 0.0.0.0/0 \"https\" sgr-") {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	// The backup restores it.
	if _, errOut, code := run(t, "rollback", "--backup", "b.json", "--yes"); code != 0 {
		t.Fatal(errOut)
	}
	b, _ := apply.ReadBackup("b.json")
	if len(b.Groups) != 1 || len(srv.EgressRules(liveAccount, liveRegion, groups[0])) != len(b.Groups[0].Egress) {
		t.Errorf("after rollback: %v", srv.EgressTexts(liveAccount, liveRegion, groups[0]))
	}
}

func TestApplyWithoutCredentials(t *testing.T) {
	srv := awstest.NewEC2(t)
	awstest.Isolate(t, srv.URL, liveRegion, "", "", "")
	planPath := filepath.Join(t.TempDir(), "plan.json")
	os.WriteFile(planPath, []byte(`{"version":1,"inventory":{"fingerprint":"","groups":0,"interfaces":0},"window":{"observations":0,"outboundAccepted":0},"options":{"pin":false,"maxRules":0,"highPortRange":0},"securityGroups":[]}`), 0o644)
	backup := filepath.Join(t.TempDir(), "b.json")
	os.WriteFile(backup, []byte(`{"kind":"walls-egress-backup","version":1,"createdAt":"2026-12-01T00:00:00Z","account":"1","region":"eu-west-1","securityGroups":[]}`), 0o644)
	for _, args := range [][]string{{"apply", "--plan", planPath, "--yes"}, {"rollback", "--backup", backup, "--yes"}} {
		start := time.Now()
		_, errOut, code := run(t, args...)
		if code != 2 || !strings.Contains(errOut, "no usable AWS credentials") || time.Since(start) > 20*time.Second {
			t.Errorf("%v: exit %d after %s: %s", args, code, time.Since(start), errOut)
		}
	}
}

// awsStatic is the test principal's credentials, for changing the
// endpoint behind walls' back.
func awsStatic() aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(liveKey, liveSecret, liveToken)
}

// A plan part of which is in the account already (one group applied by
// an earlier plan) changes only the rest.
func TestApplyPartlyApplied(t *testing.T) {
	srv := applyWorld(t)
	groups := groupsOf(srv, 2)
	both := writeTestPlan(t, groups, nil)
	one := writeTestPlan(t, groups[:1], nil)
	if _, errOut, code := run(t, "apply", "--plan", one, "--yes", "--backup", "one.json"); code != 0 {
		t.Fatal(errOut)
	}
	out, errOut, code := run(t, "apply", "--plan", both, "--yes", "--backup", "both.json")
	if code != 0 || !strings.Contains(out, "1 groups already have the proposed rules") || strings.Contains(out, groups[0]+" (") {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	for _, g := range groups {
		if got := srv.EgressTexts(liveAccount, liveRegion, g); !reflect.DeepEqual(got, proposedTexts(t, srv, g)) {
			t.Errorf("%s: %v", g, got)
		}
	}
	if b, err := apply.ReadBackup("both.json"); err != nil || len(b.Groups) != 1 || b.Groups[0].GroupID != groups[1] {
		t.Errorf("backup %+v %v: want the one group changed", b, err)
	}
}

// apply --print-policy prints the change statement apart from the
// read-only policy, README holds it, and apply and rollback call nothing
// the two documents do not list.
func TestApplyPolicy(t *testing.T) {
	out, _, code := run(t, "apply", "--print-policy")
	if code != 0 || out != string(live.ApplyPolicy()) || !strings.Contains(out, `"Sid": "WallsApplyEgressChanges"`) {
		t.Fatalf("exit %d: %s", code, out)
	}
	if strings.Contains(string(live.Policy()), "Authorize") || strings.Contains(string(live.Policy()), "Revoke") {
		t.Error("the read-only policy lists a change")
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), out) {
		t.Error("README.md does not hold the statement `walls apply --print-policy` prints")
	}
	srv, _, planPath := plannedWorld(t, 2)
	for _, args := range [][]string{{"apply", "--plan", planPath, "--dry-run"}, {"apply", "--plan", planPath, "--yes", "--backup", "b.json"},
		{"rollback", "--backup", "b.json", "--yes"}} {
		if _, errOut, code := run(t, args...); code != 0 {
			t.Fatalf("%v: %s", args, errOut)
		}
	}
	allowed := map[string]bool{}
	for _, a := range append(live.PolicyActions(), live.ApplyActions()...) {
		allowed[a] = true
	}
	for _, a := range srv.Actions() {
		if !allowed[a] {
			t.Errorf("%s is called but in no policy", a)
		}
	}
	for _, a := range live.ApplyActions() {
		if srv.Calls()[a] == 0 {
			t.Errorf("%s is in the policy but never called", a)
		}
	}
}

// Ctrl-C while apply changes the account: apply stops between calls and
// undoes its changes, and Main waits for that past its grace period
// instead of abandoning the change half-made.
func TestApplyInterruptedUndoes(t *testing.T) {
	srv, _, planPath := plannedWorld(t, 3)
	before := rulesNow(srv)
	old := stopGrace
	stopGrace = time.Millisecond
	t.Cleanup(func() { stopGrace = old })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv.BeforeEach(func(action string) {
		if action == "AuthorizeSecurityGroupEgress" || action == "RevokeSecurityGroupEgress" {
			cancel()
			time.Sleep(20 * time.Millisecond)
		}
	})
	var out, errOut bytes.Buffer
	code := Main(ctx, []string{"apply", "--plan", planPath, "--yes", "--backup", "b.json"}, &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	if code != ExitInterrupted || !strings.Contains(out.String(), "Undone:") {
		t.Fatalf("exit %d: %s\n%s", code, errOut.String(), out.String())
	}
	if got := rulesNow(srv); !reflect.DeepEqual(got, before) {
		t.Fatalf("rules after the interrupted apply differ from before")
	}
}

// rollback refuses a backup of another region, one whose group is gone,
// and an unreadable one; its dry run changes nothing; a description that
// differs is named, not silently kept.
func TestRollbackRefusals(t *testing.T) {
	srv, groups, _ := appliedWorld(t, 1, "b.json")
	applied := rulesNow(srv)
	out, errOut, code := run(t, "rollback", "--backup", "b.json", "--dry-run")
	if code != 0 || !strings.Contains(out, "would succeed") {
		t.Fatalf("dry run: exit %d: %s\n%s", code, errOut, out)
	}
	if _, _, code := run(t, "rollback", "--backup", "b.json"); code != 2 {
		t.Errorf("no terminal, no --yes: exit %d", code)
	}
	if got := rulesNow(srv); !reflect.DeepEqual(got, applied) {
		t.Fatal("a dry run or a refused rollback changed the rules")
	}
	data, _ := os.ReadFile("b.json")
	other := strings.Replace(string(data), `"region": "eu-west-1"`, `"region": "us-east-1"`, 1)
	os.WriteFile("other.json", []byte(other), 0o600)
	if _, errOut, code := run(t, "rollback", "--backup", "other.json", "--region", "eu-west-1", "--yes"); code != 2 || !strings.Contains(errOut, "us-east-1") {
		t.Errorf("another region: exit %d: %s", code, errOut)
	}
	gone := strings.Replace(string(data), groups[0], "sg-0000000000gone", -1)
	os.WriteFile("gone.json", []byte(gone), 0o600)
	if _, errOut, code := run(t, "rollback", "--backup", "gone.json", "--yes"); code != 2 || !strings.Contains(errOut, "sg-0000000000gone is not in") {
		t.Errorf("a group gone: exit %d: %s", code, errOut)
	}
	os.WriteFile("bad.json", []byte(strings.Replace(string(data), `"IpProtocol": "-1"`, `"IpProtocol": "bogus"`, 1)), 0o600)
	if _, errOut, code := run(t, "rollback", "--backup", "bad.json", "--yes"); code != 2 || !strings.Contains(errOut, "IpProtocol") {
		t.Errorf("bad backup: exit %d: %s", code, errOut)
	}
	// The kept prefix-list rule with another description in the backup.
	var b apply.Backup
	json.Unmarshal(data, &b)
	for i, r := range b.Groups[0].Egress {
		if r.PrefixListID != "" {
			b.Groups[0].Egress[i].Description = "ssh to the office"
		}
	}
	if err := apply.WriteBackup("desc.json", &b); err != nil {
		t.Fatal(err)
	}
	_, errOut, code = run(t, "rollback", "--backup", "desc.json", "--yes")
	if code != 0 || !strings.Contains(errOut, `the rules wanted "ssh to the office"; rollback leaves descriptions as they are`) {
		t.Errorf("description: exit %d: %s", code, errOut)
	}
	if got := rulesNow(srv); reflect.DeepEqual(got, applied) {
		t.Error("the rollback changed nothing")
	}
	noSecrets(t, out, errOut, string(data))
}

// A rollback that fails at any call leaves the rules as it found them.
func TestRollbackFailurePartWayAtEveryPosition(t *testing.T) {
	for n := 1; ; n++ {
		srv, _, _ := appliedWorld(t, 2, "b.json")
		applied := rulesNow(srv)
		srv.FailNth(n, http.StatusForbidden, "UnauthorizedOperation", "no", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupEgress")
		out, errOut, code := run(t, "rollback", "--backup", "b.json", "--yes")
		if code == 0 {
			if n < 4 {
				t.Fatalf("rollback made only %d calls", n-1)
			}
			return // n is past the last call
		}
		if code != 1 || !strings.Contains(errOut, "rollback failed part-way") {
			t.Fatalf("call %d: exit %d: %s\n%s", n, code, errOut, out)
		}
		if got := rulesNow(srv); !reflect.DeepEqual(got, applied) {
			t.Fatalf("call %d failed: rules differ from before the rollback", n)
		}
	}
}

// A plan made against another state of the account's other parts is
// noted, and proved on the account as it is.
func TestApplyNotesAnotherInventory(t *testing.T) {
	srv := applyWorld(t)
	planPath := writeTestPlan(t, groupsOf(srv, 1), func(p *plan.Plan) { p.Inventory.Fingerprint = "sha256:another" })
	_, errOut, code := run(t, "apply", "--plan", planPath, "--dry-run")
	if code != 0 || !strings.Contains(errOut, "the account changed since the plan was made") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	planPath = writeTestPlan(t, groupsOf(srv, 1), nil)
	if _, errOut, _ := run(t, "apply", "--plan", planPath, "--dry-run"); strings.Contains(errOut, "changed since") {
		t.Errorf("noted without a fingerprint: %s", errOut)
	}
}
