package apply

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/walls-dev/walls/internal/export"
	"github.com/walls-dev/walls/internal/plan"
	"github.com/walls-dev/walls/internal/traffic"
	"github.com/walls-dev/walls/internal/vpc"
)

// State is where the live rules of a proposed group stand against a plan.
type State int

// States.
const (
	Pending State = iota // the live rules are the ones the plan was made against
	Applied              // the live rules are the proposal already
)

// Classify says, for every proposed group of p, whether inv (read live)
// still holds the rules the plan was made against (Pending) or the
// proposal (Applied). Any other rules are drift: the first group found
// so is returned as a *plan.DriftError naming the rules added and removed
// since the plan.
func Classify(inv *vpc.Inventory, p *plan.Plan) (map[string]State, error) {
	out := map[string]State{}
	for i := range p.SecurityGroups {
		pg := p.SecurityGroups[i]
		if pg.Status != plan.StatusProposed {
			continue
		}
		one := &plan.Plan{SecurityGroups: []plan.Group{pg}}
		err := plan.CheckDrift(inv, one)
		if err == nil {
			out[pg.GroupID] = Pending
			continue
		}
		var de *plan.DriftError
		if !errors.As(err, &de) {
			return nil, err
		}
		if !de.Gone {
			done := pg
			done.CurrentEgress = pg.ProposedEgress
			if plan.CheckDrift(inv, &plan.Plan{SecurityGroups: []plan.Group{done}}) == nil {
				out[pg.GroupID] = Applied
				continue
			}
		}
		return nil, err
	}
	return out, nil
}

// pendingPlan is p with the groups already applied marked unchanged, so
// that what plan.Apply checks (the recorded current rules) is what inv
// holds.
func pendingPlan(p *plan.Plan, states map[string]State) *plan.Plan {
	q := *p
	q.SecurityGroups = append([]plan.Group(nil), p.SecurityGroups...)
	for i := range q.SecurityGroups {
		g := &q.SecurityGroups[i]
		if g.Status == plan.StatusProposed && states[g.GroupID] == Applied {
			g.Status = plan.StatusUnchanged
		}
	}
	return &q
}

// maxEvidencePorts bounds the ports replayed per proposed rule.
const maxEvidencePorts = 256

// EvidenceObservations turns the evidence recorded with every proposed
// rule into the connections it stands for: each interface named, to each
// remote address named, on each port named (the rule's first port when
// none is). Remotes the plan counts but does not name ("12 more") and
// rules for all protocols (the observed protocol is not recorded) give
// none.
func EvidenceObservations(p *plan.Plan) []traffic.Observation {
	var out []traffic.Observation
	for i := range p.SecurityGroups {
		g := &p.SecurityGroups[i]
		if g.Status != plan.StatusProposed {
			continue
		}
		for j := range g.ProposedEgress {
			pr := &g.ProposedEgress[j]
			ev := pr.Evidence
			if ev == nil {
				continue
			}
			r, err := pr.ToVPC(g.GroupID)
			if err != nil || r.Protocol == vpc.ProtoAll || r.Protocol < 0 || r.Protocol > 255 {
				continue
			}
			var ports []uint16
			switch {
			case !r.Protocol.HasPorts():
				ports = []uint16{0}
			case len(ev.Ports) > 0:
				ports = ev.Ports[:min(len(ev.Ports), maxEvidencePorts)]
			default:
				ports = []uint16{uint16(r.FromPort)}
			}
			conf := traffic.Exact
			var c traffic.Confidence
			if c.UnmarshalText([]byte(ev.Confidence)) == nil && c != 0 {
				conf = c
			}
			for _, eni := range ev.Interfaces {
				for _, rem := range ev.Remotes {
					addr, err := netip.ParseAddr(rem)
					if err != nil {
						continue
					}
					for _, port := range ports {
						out = append(out, traffic.Observation{InterfaceID: eni, Direction: traffic.Outbound, Protocol: uint8(r.Protocol),
							Port: port, Accepted: true, Confidence: conf, Remote: addr, Flows: 1})
					}
				}
			}
		}
	}
	return out
}

// Proof is what apply proved again on the live rules before acting.
type Proof struct {
	// Within: proposed ⊆ current (plan.Recheck); Lines say why not.
	Within plan.Proof `json:"proposedWithinCurrent"`
	Lines  []string   `json:"violations,omitempty"`
	// Evidence is the replay of the connections the plan's evidence
	// names against the proposal on the live inventory.
	Evidence *plan.ReplayReport `json:"evidenceReplay"`
}

// Holds reports whether the plan may be applied.
func (pr *Proof) Holds() bool {
	return pr.Within.Holds && (pr.Evidence == nil || pr.Evidence.Blocked == 0)
}

// Failures words why not.
func (pr *Proof) Failures() []string {
	out := append([]string(nil), pr.Lines...)
	if r := pr.Evidence; r != nil && r.Blocked > 0 {
		head := fmt.Sprintf("the plan's own evidence, replayed on the live rules, would be blocked (connections: %d)", r.BlockedObservations)
		out = append(out, head)
		for i, b := range r.BlockedBy {
			if i == 10 {
				out = append(out, fmt.Sprintf("%d more blocked groups", len(r.BlockedBy)-10))
				break
			}
			out = append(out, fmt.Sprintf("%v %s %d to %s blocked", b.GroupIDs, b.Protocol, b.Port, b.Remote))
		}
	}
	return out
}

// Prove proves p again on inv, the live inventory, never trusting what
// the plan says of itself: proposed ⊆ current from the plan's rules, and
// the replay of its evidence. states is Classify's answer.
func Prove(inv *vpc.Inventory, p *plan.Plan, states map[string]State) (*Proof, error) {
	q := pendingPlan(p, states)
	pr := &Proof{}
	pr.Within, pr.Lines = plan.Recheck(inv, p)
	rep, err := plan.Replay(inv, q, EvidenceObservations(p))
	if err != nil {
		return nil, err
	}
	rep.Judge(true)
	pr.Evidence = rep
	return pr, nil
}

// PlanChanges is what applying p to inv changes, group by group
// (export.Changes: the same account of a plan export writes).
func PlanChanges(p *plan.Plan, inv *vpc.Inventory) ([]Change, error) {
	cs, err := export.Changes(p, inv)
	if err != nil {
		return nil, err
	}
	out := make([]Change, 0, len(cs))
	for i := range cs {
		c := &cs[i]
		ch := Change{GroupID: c.GroupID, GroupName: c.GroupName, Remove: c.Remove}
		if !export.IsGroupID(c.GroupID) {
			return nil, fmt.Errorf("%s: not a security group id (sg-…)", c.GroupID)
		}
		for _, a := range c.Add {
			r := a.Rule
			r.ID = ""
			ch.Add = append(ch.Add, r)
		}
		for _, k := range c.Keep {
			ch.Keep = append(ch.Keep, k.Existing)
		}
		out = append(out, ch)
	}
	return out, nil
}
