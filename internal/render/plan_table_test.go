package render

import (
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/plan"
)

// Rules that exist only because of connections whose direction is not
// proven are listed apart, with how much of the plan rests on them.
func TestPlanTableNotProven(t *testing.T) {
	rule := func(port int32, direction string) plan.Rule {
		return plan.Rule{IPProtocol: "tcp", FromPort: port, ToPort: port, CidrIPv4: "10.0.2.10/32", IsEgress: true,
			Evidence: &plan.Evidence{Flows: 4, Interfaces: []string{"eni-a"}, Confidence: "ambiguous", Direction: direction}}
	}
	p := &plan.Plan{SecurityGroups: []plan.Group{{GroupID: "sg-a", Status: plan.StatusProposed, CurrentEgress: []plan.Rule{},
		ProposedEgress: []plan.Rule{rule(443, ""), rule(50000, plan.DirectionNotProven)}, NotProvenRules: 1, NotProvenFlows: 4}},
		NotProven: &plan.NotProven{Rules: 1, Flows: 4, ProposedRules: 2}}
	var b strings.Builder
	if err := PlanTable(&b, p, DefaultWidth); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	head := strings.Index(out, "kept because the direction is not proven")
	if head < 0 || strings.Index(out, "tcp 50000") < head || strings.Index(out, "tcp 443") > head ||
		!strings.Contains(out, "1 of 2 proposed rules (50%)") {
		t.Errorf("table:\n%s", out)
	}
}
