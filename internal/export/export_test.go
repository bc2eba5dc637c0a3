package export_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"gopkg.in/yaml.v3"

	"github.com/walls-dev/walls/internal/export"
	"github.com/walls-dev/walls/internal/inventory"
	"github.com/walls-dev/walls/internal/plan"
	"github.com/walls-dev/walls/internal/vpc"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var header = []string{"walls export test"}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/export -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

var seen = time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)

// ev is evidence for a proposed rule.
func ev(remote string) *plan.Evidence {
	last := seen.Add(time.Hour)
	return &plan.Evidence{Observations: 3, Flows: 12, Interfaces: []string{"eni-0aaa", "eni-0bbb"}, Remotes: []string{remote},
		Ports: []uint16{443}, FirstSeen: &seen, LastSeen: &last, Confidence: "exact", Why: []string{"test evidence"}}
}

// makePlan builds a plan against inv: every group unchanged but those
// with a proposal. It goes through the plan file's writer and reader.
func makePlan(t *testing.T, inv *vpc.Inventory, proposals map[string][]plan.Rule) *plan.Plan {
	t.Helper()
	p := &plan.Plan{Version: plan.Version, Inventory: plan.InventoryInfo{Fingerprint: plan.Fingerprint(inv)}}
	ids := make([]string, 0, len(inv.Groups))
	for id := range inv.Groups {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		g := inv.Groups[id]
		pg := plan.Group{GroupID: id, GroupName: g.Name, Status: plan.StatusUnchanged, CurrentEgress: []plan.Rule{}}
		for i := range g.Egress {
			pg.CurrentEgress = append(pg.CurrentEgress, plan.FromVPC(&g.Egress[i]))
		}
		pg.ProposedEgress = pg.CurrentEgress
		if prop, ok := proposals[id]; ok {
			pg.Status = plan.StatusProposed
			pg.ProposedEgress = prop
		}
		p.SecurityGroups = append(p.SecurityGroups, pg)
	}
	return roundTrip(t, p)
}

func roundTrip(t *testing.T, p *plan.Plan) *plan.Plan {
	t.Helper()
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		t.Fatal(err)
	}
	out, err := plan.Parse("plan.json", b.Bytes())
	if err != nil {
		t.Fatalf("the test's plan does not parse: %v\n%s", err, b.String())
	}
	return out
}

// r is a proposed rule; peer is a CIDR, pl-…, or a group id.
func r(proto string, from, to int32, peer, desc string) plan.Rule {
	out := plan.Rule{IPProtocol: proto, FromPort: from, ToPort: to, Description: desc, IsEgress: true, Evidence: ev(peer)}
	switch {
	case strings.HasPrefix(peer, "pl-"):
		out.PrefixListID = peer
	case strings.Contains(peer, "/") && strings.Contains(peer, ":"):
		out.CidrIPv6 = peer
	case strings.Contains(peer, "/") && !strings.HasPrefix(peer, "aws_") && !strings.Contains(peer, "sg-"):
		out.CidrIPv4 = peer
	default:
		user, id, ok := strings.Cut(peer, "/")
		if !ok {
			user, id = "", peer
		}
		out.ReferencedGroupInfo = &plan.GroupInfo{GroupID: id, UserID: user}
	}
	return out
}

// A description that needs escaping in every format.
const fancy = `app "tier" ${var.x} %{if} 'q' é → ✓ $HOME \ back`

func load(t *testing.T, paths ...string) *vpc.Inventory {
	t.Helper()
	inv, err := inventory.Load(paths)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// changesOf fails unless the plan holds against inv, as export requires,
// and returns its changes.
func changesOf(t *testing.T, inv *vpc.Inventory, p *plan.Plan) []export.Change {
	t.Helper()
	if err := plan.CheckDrift(inv, p); err != nil {
		t.Fatal(err)
	}
	if _, failures := plan.Recheck(inv, p); len(failures) > 0 {
		t.Fatalf("the test's plan does not hold: %v", failures)
	}
	changes, err := export.Changes(p, inv)
	if err != nil {
		t.Fatal(err)
	}
	return changes
}

// sameRules fails unless got is exactly the proposed rules of group id:
// the same rules as a multiset (protocol, ports, peer, description) and
// the same packets as a netspace set with peers resolved against inv.
func sameRules(t *testing.T, inv *vpc.Inventory, p *plan.Plan, id string, got []vpc.Rule) {
	t.Helper()
	want, err := plan.Rules(id, p.Group(id).ProposedEgress)
	if err != nil {
		t.Fatal(err)
	}
	key := func(rs []vpc.Rule) []string {
		var out []string
		for i := range rs {
			out = append(out, plan.Key(&rs[i])+" "+rs[i].Description)
		}
		sort.Strings(out)
		return out
	}
	if g, w := strings.Join(key(got), "\n"), strings.Join(key(want), "\n"); g != w {
		t.Errorf("%s read back:\n%s\nwant the proposal:\n%s", id, g, w)
	}
	if d := plan.CompareRules(inv, id, got, want); d.Changed() {
		t.Errorf("%s read back differs from the proposal as a set: removed %v added %v %v %v", id, d.RemovedSummary, d.AddedSummary, d.RemovedPeers, d.AddedPeers)
	}
}

// checkHCL: the output parses, hclwrite.Format leaves it, and so does
// terraform fmt when terraform is on PATH.
func checkHCL(t *testing.T, out []byte) {
	t.Helper()
	if _, diags := hclparse.NewParser().ParseHCL(out, "out.tf"); diags.HasErrors() {
		t.Fatalf("the Terraform output does not parse: %v\n%s", diags, out)
	}
	if f := hclwrite.Format(out); !bytes.Equal(f, out) {
		t.Errorf("hclwrite.Format changes the output:\n%s", f)
	}
	tf, err := exec.LookPath("terraform")
	if err != nil {
		t.Log("terraform is not on PATH: terraform fmt not checked")
		return
	}
	cmd := exec.Command(tf, "fmt", "-")
	cmd.Stdin = bytes.NewReader(out)
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE=/dev/null", "CHECKPOINT_DISABLE=1")
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("terraform fmt: %v", err)
	}
	if !bytes.Equal(got, out) {
		t.Errorf("terraform fmt changes the output:\n%s", got)
	}
}

func bashN(t *testing.T, script []byte) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not on PATH")
	}
	cmd := exec.Command(bash, "-n")
	cmd.Stdin = bytes.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v: %s\n%s", err, out, script)
	}
}

// uncomment returns the commented lines that follow the line containing
// marker, without their "# ", up to the first line that is not a comment
// (or, with indented, not an indented comment after the first).
func uncomment(t *testing.T, out []byte, marker string, indented bool) []string {
	t.Helper()
	lines := strings.Split(string(out), "\n")
	for i, l := range lines {
		if !strings.Contains(l, marker) {
			continue
		}
		var got []string
		for j, m := range lines[i+1:] {
			if !strings.HasPrefix(m, "#") || indented && j > 0 && !strings.HasPrefix(m, "#   ") {
				break
			}
			got = append(got, strings.TrimPrefix(strings.TrimPrefix(m, "#"), " "))
		}
		return got
	}
	t.Fatalf("%q not in the output:\n%s", marker, out)
	return nil
}

func fileBlocks(f *hclwrite.File, typ string) map[string]*hclwrite.Block {
	out := map[string]*hclwrite.Block{}
	for _, b := range f.Body().Blocks() {
		if b.Type() == "resource" && len(b.Labels()) == 2 {
			out[strings.Join(b.Labels(), ".")] = b
		} else if b.Type() == typ {
			out[fmt.Sprint(len(out))] = b
		}
	}
	return out
}

// overlayTerraform applies the exported file to the module in dir as a
// person following its comments would, and returns the new module's
// folder: resource blocks the output declares or removes are deleted from
// the module, the output's replacement egress blocks replace those of
// inline groups, and the output is added as walls_egress.tf.
func overlayTerraform(t *testing.T, dir string, out []byte, changes []export.Change) string {
	t.Helper()
	outFile, diags := hclwrite.ParseConfig(out, "walls_egress.tf", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	drop := map[string]bool{}
	for _, b := range outFile.Body().Blocks() {
		switch b.Type() {
		case "resource":
			drop[strings.Join(b.Labels(), ".")] = true
		case "removed":
			from := strings.TrimSpace(string(b.Body().GetAttribute("from").Expr().BuildTokens(nil).Bytes()))
			drop[from] = true
		}
	}
	inline := map[string][]string{}
	for _, c := range changes {
		if c.Inline(vpc.ToolTerraform) {
			inline[c.Group.Declared.Address] = uncomment(t, out, c.Group.Declared.Address+" (", false)
		}
	}
	newDir := t.TempDir()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		f, diags := hclwrite.ParseConfig(data, e.Name(), hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		for addr, b := range fileBlocks(f, "") {
			if drop[addr] {
				f.Body().RemoveBlock(b)
				continue
			}
			if blocks, ok := inline[addr]; ok {
				for _, eb := range b.Body().Blocks() {
					if eb.Type() == "egress" {
						b.Body().RemoveBlock(eb)
					}
				}
				// The comment is "… writes its egress rules …": the blocks
				// follow the "Replace its egress blocks" line.
				text := strings.Join(blocks, "\n")
				_, rest, _ := strings.Cut(text, "Replace its egress blocks with these")
				_, rest, _ = strings.Cut(rest, "\n")
				repl, diags := hclwrite.ParseConfig([]byte(rest+"\n"), "inline.tf", hcl.InitialPos)
				if diags.HasErrors() {
					t.Fatalf("the replacement egress blocks do not parse: %v\n%s", diags, rest)
				}
				for _, eb := range repl.Body().Blocks() {
					b.Body().AppendBlock(eb)
				}
			}
		}
		os.WriteFile(filepath.Join(newDir, e.Name()), f.Bytes(), 0o644)
	}
	os.WriteFile(filepath.Join(newDir, "walls_egress.tf"), out, 0o644)
	return newDir
}

var commentedRE = regexp.MustCompile(`(?m)^#`)

func TestThreeTierTerraform(t *testing.T) {
	dir := filepath.Join("testdata", "threetier-tf")
	inv := load(t, dir)
	web, app, db := "aws_security_group.web", "aws_security_group.app", "aws_security_group.db"
	p := makePlan(t, inv, map[string][]plan.Rule{
		web: {
			r("tcp", 8080, 8090, "10.0.1.0/24", fancy),
			r("tcp", 443, 443, "::/0", "https v6"),
			r("icmpv6", -1, -1, "2001:db8::/32", ""),
			r("47", -1, -1, "10.0.9.0/24", "gre"),
			r("tcp", 8080, 8080, app, "to app"),
		},
		app: {
			r("udp", 53, 53, "10.0.0.2/32", "VPC resolver"),
			r("tcp", 5432, 5432, db, ""),
			r("tcp", 443, 443, "pl-63a5400a", "s3"),
			r("-1", -1, -1, "10.0.0.0/16", "whole vpc"),
			r("icmp", 8, -1, "10.0.0.0/16", "ping"),
		},
		db: {
			r("tcp", 443, 443, "0.0.0.0/0", fancy),
			r("icmp", 3, 4, "10.0.0.0/8", "fragmentation needed"),
		},
	})
	changes := changesOf(t, inv, p)
	out := export.Terraform(changes, inv, header)
	golden(t, "threetier.tf", out)
	checkHCL(t, out)
	for _, want := range []string{`security_group_id = aws_security_group.app.id`, `referenced_security_group_id = aws_security_group.db.id`,
		`resource "aws_vpc_security_group_egress_rule" "app_dns"`, "removed {\n  from = aws_vpc_security_group_egress_rule.app_all4",
		"from = aws_security_group_rule.app_db\n  lifecycle {\n    destroy = false",
		"from = aws_vpc_security_group_egress_rule.web_ssh\n  lifecycle {\n    destroy = false"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if !commentedRE.Match(out) || strings.Contains(string(out), "\negress {") {
		t.Errorf("the inline group's egress blocks must be comments, not top-level blocks")
	}
	// Read back: the module as the output says to change it holds exactly
	// the proposed rules.
	back := load(t, overlayTerraform(t, dir, out, changes))
	for _, id := range []string{web, app, db} {
		sameRules(t, back, p, id, back.Groups[id].Egress)
	}
}

func TestThreeTierCloudFormation(t *testing.T) {
	path := filepath.Join("testdata", "threetier-cfn", "template.yaml")
	inv := load(t, path)
	p := makePlan(t, inv, map[string][]plan.Rule{
		"Web": {
			r("tcp", 8080, 8090, "10.0.1.0/24", fancy),
			r("tcp", 443, 443, "::/0", "https v6"),
			r("icmpv6", 128, 0, "2001:db8::/32", ""),
			r("47", -1, -1, "10.0.9.0/24", "gre"),
			r("tcp", 8080, 8080, "App", "to app"),
		},
		"App": {
			r("udp", 53, 53, "10.0.0.2/32", "VPC resolver"),
			r("tcp", 5432, 5432, "Db", ""),
			r("tcp", 443, 443, "0.0.0.0/0", "https"),
			r("icmp", 8, -1, "10.0.0.0/16", "ping"),
		},
		"Db": {
			r("-1", -1, -1, "10.0.0.0/16", "whole vpc"),
		},
	})
	changes := changesOf(t, inv, p)
	out, err := export.CloudFormation(changes, inv, header)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "threetier-cfn.yaml", out)
	for _, want := range []string{"GroupId: !GetAtt App.GroupId", "DestinationSecurityGroupId: !GetAtt Db.GroupId", "  AppDb:\n", "delete resource AppDns", "delete resource AppAll6"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	back := load(t, overlayCloudFormation(t, path, out, changes))
	for _, id := range []string{"Web", "App", "Db"} {
		sameRules(t, back, p, id, back.Groups[id].Egress)
	}
}

var deleteRE = regexp.MustCompile(`delete resource (\w+) \(`)

// overlayCloudFormation applies the exported template to the input
// template as its comments say: inline groups get the replacement
// SecurityGroupEgress, the resources it names are deleted, and its
// resources are added.
func overlayCloudFormation(t *testing.T, path string, out []byte, changes []export.Change) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var in, exp yaml.Node
	if err := yaml.Unmarshal(data, &in); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(out, &exp); err != nil {
		t.Fatalf("the CloudFormation output is not YAML: %v", err)
	}
	res := get(in.Content[0], "Resources")
	for _, m := range deleteRE.FindAllSubmatch(out, -1) {
		del(res, string(m[1]))
	}
	for _, c := range changes {
		if !c.Inline(vpc.ToolCloudFormation) {
			continue
		}
		rest := strings.Join(uncomment(t, out, "Set the SecurityGroupEgress of "+c.Group.Declared.Address+" to:", true), "\n")
		var repl yaml.Node
		if err := yaml.Unmarshal([]byte(rest), &repl); err != nil {
			t.Fatalf("the replacement items are not YAML: %v\n%s", err, rest)
		}
		props := get(get(res, c.Group.Declared.Address), "Properties")
		del(props, "SecurityGroupEgress")
		props.Content = append(props.Content, repl.Content[0].Content...)
	}
	expRes := get(exp.Content[0], "Resources")
	for i := 0; i < len(expRes.Content); i += 2 {
		del(res, expRes.Content[i].Value)
		res.Content = append(res.Content, expRes.Content[i], expRes.Content[i+1])
	}
	b, err := yaml.Marshal(&in)
	if err != nil {
		t.Fatal(err)
	}
	newPath := filepath.Join(t.TempDir(), "template.yaml")
	os.WriteFile(newPath, b, 0o644)
	return newPath
}

func get(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func del(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}

// idsPlan is a three-tier plan with real ids, exported without its
// inventory: the plan's recorded rules and rule ids are all there is.
func idsPlan(t *testing.T) *plan.Plan {
	cur := func(id, proto string, from, to int32, peer string) plan.Rule {
		x := r(proto, from, to, peer, "")
		x.Evidence, x.SecurityGroupRuleID = nil, id
		return x
	}
	web, app, db := "sg-0a0000000000000a1", "sg-0a0000000000000a2", "sg-0a0000000000000a3"
	p := &plan.Plan{Version: plan.Version, SecurityGroups: []plan.Group{
		{GroupID: web, GroupName: "web tier", Status: plan.StatusProposed,
			CurrentEgress: []plan.Rule{cur("sgr-0000000000000a101", "-1", -1, -1, "0.0.0.0/0"), cur("sgr-0000000000000a102", "-1", -1, -1, "::/0"),
				cur("sgr-0000000000000a103", "-1", -1, -1, app)},
			ProposedEgress: []plan.Rule{r("tcp", 443, 443, "0.0.0.0/0", fancy), r("tcp", 0, 65535, app, "app, all ports"),
				r("icmpv6", -1, -1, "::/0", ""), r("udp", 1024, 65535, "2001:db8::/32", "it's")}},
		{GroupID: app, GroupName: "app", Status: plan.StatusProposed,
			CurrentEgress: []plan.Rule{cur("sgr-0000000000000a201", "tcp", 0, 65535, "0.0.0.0/0"), cur("sgr-0000000000000a202", "tcp", 5432, 5432, db),
				cur("sgr-0000000000000a203", "-1", -1, -1, "pl-0123456789abcdef0"), cur("sgr-0000000000000a204", "-1", -1, -1, "111122223333/sg-0b00000000000000b"),
				cur("sgr-0000000000000a205", "icmp", -1, -1, "10.0.0.0/8")},
			ProposedEgress: []plan.Rule{r("tcp", 5432, 5432, db, ""), r("tcp", 443, 443, "pl-0123456789abcdef0", "s3"),
				r("132", -1, -1, "pl-0123456789abcdef0", "sctp"), r("tcp", 8443, 8443, "111122223333/sg-0b00000000000000b", "peer"),
				r("icmp", 3, 4, "10.0.0.0/8", "")}},
		{GroupID: db, GroupName: "db", Status: plan.StatusProposed,
			CurrentEgress:  []plan.Rule{cur("", "-1", -1, -1, "0.0.0.0/0")},
			ProposedEgress: []plan.Rule{}},
	}}
	return roundTrip(t, p)
}

func TestIDsPlanAllFormats(t *testing.T) {
	p := idsPlan(t)
	if _, failures := plan.Recheck(vpc.New(), p); len(failures) > 0 {
		t.Fatalf("the test's plan does not hold: %v", failures)
	}
	changes, err := export.Changes(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	tf := export.Terraform(changes, nil, header)
	golden(t, "ids.tf", tf)
	checkHCL(t, tf)
	for _, want := range []string{"import {\n  to = aws_vpc_security_group_egress_rule.app_egress_1\n  id = \"sgr-0000000000000a202\"",
		`referenced_security_group_id = "111122223333/sg-0b00000000000000b"`, "revoke them once"} {
		if !strings.Contains(string(tf), want) {
			t.Errorf("terraform output lacks %q", want)
		}
	}
	// Read back alone: the resources (new and imported) are exactly the
	// proposal of each group.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "walls_egress.tf"), tf, 0o644)
	back := load(t, dir)
	for _, g := range p.SecurityGroups {
		var got []vpc.Rule
		if bg := back.Groups[g.GroupID]; bg != nil {
			got = bg.Egress
		}
		sameRules(t, back, p, g.GroupID, got)
	}

	cfn, err := export.CloudFormation(changes, nil, header)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "ids-cfn.yaml", cfn)
	cpath := filepath.Join(t.TempDir(), "egress.yaml")
	os.WriteFile(cpath, cfn, 0o644)
	cback := load(t, cpath)
	for i, c := range changes {
		// The template declares the new rules; those that stay exist
		// already and are left to the account.
		var got []vpc.Rule
		if bg := cback.Groups[c.GroupID]; bg != nil {
			got = bg.Egress
		}
		for _, k := range c.Keep {
			got = append(got, k.Existing)
		}
		// CloudFormation names no account of a referenced group (the
		// output says so): compare without it.
		for j := range got {
			if got[j].Peer.Kind == vpc.PeerGroup && got[j].Peer.Group.GroupID == "sg-0b00000000000000b" {
				got[j].Peer.Group.UserID = "111122223333"
			}
		}
		sameRules(t, cback, p, changes[i].GroupID, got)
	}

	sh, err := export.AWSCLI(changes, header)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "ids.sh", sh)
	bashN(t, sh)
	s := string(sh)
	if a, rv := strings.LastIndex(s, "authorize-security-group-egress"), strings.Index(s, "revoke-security-group-egress"); a < 0 || rv < 0 || a > rv {
		t.Errorf("every authorize must come before the first revoke")
	}
	for _, want := range []string{"set -euo pipefail\n", "--security-group-rule-ids sgr-0000000000000a101",
		`'[{"IpProtocol":"tcp","FromPort":443,"ToPort":443,"IpRanges":[{"CidrIp":"0.0.0.0/0","Description":"app \"tier\" ${var.x} %{if} '\''q'\'' é → ✓ $HOME \\ back"}]}]'`,
		`revoke-security-group-egress --group-id sg-0a0000000000000a3 \` + "\n" + `  --ip-permissions '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]'`} {
		if !strings.Contains(s, want) {
			t.Errorf("script lacks %q", want)
		}
	}
}

// TestAWSCLIQuoting: the script's JSON reaches the aws command exactly,
// whatever the description holds: a stub aws prints its --ip-permissions
// argument.
func TestAWSCLIQuoting(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not on PATH")
	}
	p := idsPlan(t)
	changes, _ := export.Changes(p, nil)
	sh, err := export.AWSCLI(changes, header)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	stub := "#!/bin/sh\nwhile [ $# -gt 0 ]; do if [ \"$1\" = --ip-permissions ]; then printf '%s\\n' \"$2\"; fi; shift; done\n"
	os.WriteFile(filepath.Join(dir, "aws"), []byte(stub), 0o755)
	cmd := exec.Command(bash, "-c", string(sh))
	cmd.Env = append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want, err := export.Permission(&changes[0].Add[0].Rule, true)
	if err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(string(out), "\n"); first != string(want) {
		t.Errorf("aws got %s\nwant %s", first, want)
	}
}

// TestAWSCLINeedsIDs: a group known only by its Terraform address cannot
// be written as AWS CLI commands.
func TestAWSCLINeedsIDs(t *testing.T) {
	inv := load(t, filepath.Join("testdata", "threetier-tf"))
	p := makePlan(t, inv, map[string][]plan.Rule{"aws_security_group.db": {r("tcp", 443, 443, "0.0.0.0/0", "")}})
	changes, _ := export.Changes(p, inv)
	if _, err := export.AWSCLI(changes, header); err == nil || !strings.Contains(err.Error(), "aws_security_group.db has no security group id") {
		t.Errorf("got %v, want a refusal naming the group", err)
	}
}

// TestChangesMatchOnce: two equal proposed rules match one current rule
// once; the second is added.
func TestChangesMatchOnce(t *testing.T) {
	p := &plan.Plan{Version: plan.Version, SecurityGroups: []plan.Group{{GroupID: "sg-1", Status: plan.StatusProposed,
		CurrentEgress:  []plan.Rule{r("tcp", 443, 443, "10.0.0.0/8", "a"), r("tcp", 22, 22, "10.0.0.0/8", "")},
		ProposedEgress: []plan.Rule{r("tcp", 443, 443, "10.0.0.0/8", "b"), r("tcp", 443, 443, "10.0.0.0/8", "c")}}}}
	for i := range p.SecurityGroups[0].CurrentEgress {
		p.SecurityGroups[0].CurrentEgress[i].Evidence = nil
	}
	cs, err := export.Changes(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := cs[0]
	if len(c.Keep) != 1 || len(c.Add) != 1 || len(c.Remove) != 1 || c.Keep[0].Index != 0 || c.Add[0].Index != 1 || c.Remove[0].FromPort != 22 {
		t.Errorf("got keep %d add %d remove %d", len(c.Keep), len(c.Add), len(c.Remove))
	}
}

// TestTerraformState: from terraform show -json of a state, the group is
// referenced by its root address, a rule that stays and lives in a module
// is forgotten there and imported by its id, and the root rule resource
// that goes is destroyed by a removed block. Read back with a stub of the
// group, the resources are exactly the proposal.
func TestTerraformState(t *testing.T) {
	inv := load(t, filepath.Join("testdata", "state", "state.json"))
	p := makePlan(t, inv, map[string][]plan.Rule{"sg-0aaa": {
		r("tcp", 8080, 8080, "sg-0ccc", ""),
		r("tcp", 443, 443, "0.0.0.0/0", "https"),
	}})
	changes := changesOf(t, inv, p)
	out := export.Terraform(changes, inv, header)
	golden(t, "state.tf", out)
	checkHCL(t, out)
	for _, want := range []string{"security_group_id            = aws_security_group.web.id",
		"removed {\n  from = module.net.aws_vpc_security_group_egress_rule.out\n  lifecycle {\n    destroy = false",
		"import {\n  to = aws_vpc_security_group_egress_rule.web_egress_1\n  id = \"sgr-0bbb\"",
		"removed {\n  from = aws_vpc_security_group_egress_rule.all\n  lifecycle {\n    destroy = true"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "stub.tf"), []byte("resource \"aws_security_group\" \"web\" {}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "walls_egress.tf"), out, 0o644)
	back := load(t, dir)
	got := back.Groups["aws_security_group.web"].Egress
	for i := range got {
		got[i].GroupID = "sg-0aaa"
	}
	sameRules(t, back, p, "sg-0aaa", got)
}
