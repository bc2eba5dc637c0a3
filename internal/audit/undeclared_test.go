package audit

import (
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

// Rules of a group the input does not declare are audited by the checks
// that judge a rule on its own, and the finding names the group as
// written; checks that need the whole rule set leave it alone.
func TestUndeclaredGroupRulesAreAudited(t *testing.T) {
	inv := vpc.New()
	inv.Loaded[vpc.KindSecurityGroupRules] = true
	g := vpc.UndeclaredGroup(inv, "!ImportValue shared-sg", vpc.Location{File: "t.yaml", Line: 3})
	for i, r := range []vpc.Rule{
		rule(g.ID, false, vpc.ProtoTCP, 22, 22, cidr("0.0.0.0/0"), 0),
		rule(g.ID, false, vpc.ProtoTCP, 5432, 5432, cidr("0.0.0.0/0"), 1),
	} {
		r.Index = i
		g.Ingress = append(g.Ingress, r)
	}
	g.Egress = []vpc.Rule{rule(g.ID, true, vpc.ProtoAll, -1, -1, cidr("0.0.0.0/0"), 0), rule(g.ID, true, vpc.ProtoAll, -1, -1, cidr("0.0.0.0/0"), 1)}
	rep := Run(inv, Options{Now: now})
	got := map[string]string{}
	for _, f := range rep.Findings {
		got[f.CheckID] = f.ResourceID + ": " + f.Message
	}
	for _, id := range []string{OpenEgress, AdminIngress, DatabaseIngress} {
		if !strings.HasPrefix(got[id], "!ImportValue shared-sg: !ImportValue shared-sg (a group the input does not declare)") {
			t.Errorf("%s: %q", id, got[id])
		}
	}
	if _, ok := got[RedundantRule]; ok {
		t.Errorf("redundancy judged on an undeclared group's partial rules: %s", got[RedundantRule])
	}
	if g.RulesKnown {
		t.Error("UndeclaredGroup marked the rules complete")
	}
}

// A finding that rests on one branch of an undecidable condition says so.
func TestFindingSaysItsCondition(t *testing.T) {
	r := rule("", true, vpc.ProtoAll, -1, -1, cidr("0.0.0.0/0"), 0)
	r.When = "condition IsDev is true"
	inv := egressGroup(r)
	rep := Run(inv, Options{Now: now, Checks: []string{OpenEgress}})
	if len(rep.Findings) != 1 || !strings.Contains(rep.Findings[0].Message, "(only when condition IsDev is true).") {
		t.Errorf("findings:\n%s", messages(rep))
	}
}

// Every warning reaches the report; the summary counts what was skipped.
func TestReportCountsSkips(t *testing.T) {
	inv := egressGroup()
	for _, w := range []vpc.Warning{
		{Code: "skipped-file", Skipped: vpc.SkippedFile, Message: "x; file skipped"},
		{Code: "skipped-resource", Message: "y; Bad skipped"},
		{Code: "unknown-value", Message: "a.cidr is unknown; rule skipped"},
		{Code: "unknown-value", Message: "b.vpc_id is unknown; the group's VPC is not known"},
		{Code: "undeclared-group", Note: true, Message: "n"},
	} {
		inv.Warn(w)
	}
	rep := Run(inv, Options{Now: now})
	want := Summary{FilesSkipped: 1, ResourcesSkipped: 1, RulesSkipped: 1, UnknownValues: 1}
	if rep.Summary != want || rep.Summary.Skipped() != 3 {
		t.Errorf("summary %+v, want %+v", rep.Summary, want)
	}
	if len(rep.Warnings) != 5 {
		t.Errorf("warnings %+v", rep.Warnings)
	}
}

// CloudFormation's implicit egress is one finding per template listing its
// groups, with the rule reference "default-egress" a suppression can name.
func TestDefaultEgressOncePerTemplate(t *testing.T) {
	inv := vpc.New()
	inv.Loaded[vpc.KindSecurityGroups] = true
	for _, id := range []string{"A", "B", "C"} {
		g := &vpc.SecurityGroup{ID: id, Name: id, RulesKnown: true, Source: vpc.Location{File: "t.yaml", Line: 2}}
		if id != "C" {
			g.Egress = []vpc.Rule{{GroupID: id, Egress: true, Protocol: vpc.ProtoAll, FromPort: -1, ToPort: -1, Peer: cidr("0.0.0.0/0"), Assumed: true, Source: g.Source}}
		} else {
			g.Egress = []vpc.Rule{rule(id, true, vpc.ProtoAll, -1, -1, cidr("0.0.0.0/0"), 0)}
		}
		inv.Groups[id] = g
	}
	rep := Run(inv, Options{Now: now, Checks: []string{OpenEgress}})
	if len(rep.Findings) != 2 {
		t.Fatalf("findings:\n%s", messages(rep))
	}
	var tmpl *Finding
	for i := range rep.Findings {
		if rep.Findings[i].RuleRef == "default-egress" {
			tmpl = &rep.Findings[i]
		}
	}
	if tmpl == nil || tmpl.ResourceID != "t.yaml" || strings.Join(tmpl.Related, ",") != "A,B" ||
		!strings.Contains(tmpl.Message, "2 groups declared without SecurityGroupEgress (A and B)") || tmpl.Severity != Critical {
		t.Errorf("template finding %+v", tmpl)
	}
	sup := Suppression{CheckID: OpenEgress, Resource: "default-egress", Reason: "stacks keep AWS's default on purpose"}
	rep = Run(inv, Options{Now: now, Checks: []string{OpenEgress}, Suppressions: []Suppression{sup}})
	if len(rep.Findings) != 1 || rep.Findings[0].ResourceID != "C" {
		t.Errorf("a default-egress suppression hid more or less than the template finding:\n%s", messages(rep))
	}
}

// WALLS-SG-003 rates egress by what the port carries: FTP to mirrors is
// medium with a remedy; SMTP makes the finding high.
func TestRiskyEgressRatedByPort(t *testing.T) {
	inv := egressGroup(rule("", true, vpc.ProtoTCP, 20, 21, cidr("0.0.0.0/0"), 0))
	rep := Run(inv, Options{Now: now, Checks: []string{RiskyEgress}})
	if len(rep.Findings) != 1 || rep.Findings[0].Severity != Medium || !strings.Contains(rep.Findings[0].Message, "prefer HTTPS mirrors") {
		t.Errorf("ftp: %+v", rep.Findings)
	}
	inv = egressGroup(rule("", true, vpc.ProtoTCP, 20, 21, cidr("0.0.0.0/0"), 0), rule("", true, vpc.ProtoTCP, 25, 25, cidr("0.0.0.0/0"), 1))
	rep = Run(inv, Options{Now: now, Checks: []string{RiskyEgress}})
	if len(rep.Findings) != 1 || rep.Findings[0].Severity != High {
		t.Errorf("ftp+smtp: %+v", rep.Findings)
	}
	c, _ := Lookup(RiskyEgress)
	for _, r := range c.References {
		if r.ID == "EC2.19" {
			t.Error("WALLS-SG-003 cites EC2.19, an ingress control")
		}
	}
}
