package render

import (
	"io"
	"strconv"
	"strings"

	"github.com/walls-dev/walls/internal/reach"
)

var stepLabels = map[reach.Step]string{
	reach.StepSourceSG:      "source SG egress",
	reach.StepSourceNACL:    "source NACL outbound",
	reach.StepDestNACL:      "destination NACL inbound",
	reach.StepDestSG:        "destination SG ingress",
	reach.StepReturnSG:      "return: security groups",
	reach.StepReturnDstNACL: "return: destination NACL outbound",
	reach.StepReturnSrcNACL: "return: source NACL inbound",
	reach.StepNotFiltered:   "not filtered",
}

// CheckPlanDoesNotHold is what check --plan writes before its verdict
// when the plan does not hold: why (PlanFailures), and that the verdict
// below is under the plan as written.
func CheckPlanDoesNotHold(w io.Writer, path string, failures []string, width int) error {
	if err := PlanFailures(w, path, failures, width); err != nil {
		return err
	}
	d := NewDoc(w, width)
	d.Line("", "The verdict below is under the plan as written, widening rules included; walls exits 1 whatever it is.")
	d.Blank()
	return d.Err()
}

// CheckTable writes the verdict of `walls check` and its trace for people,
// fitted to width: the hops of a trace as a table whose reasons wrap.
// Pairs with the same outcome hop by hop are shown once, with a count.
func CheckTable(w io.Writer, c *reach.Check, width int) error {
	d := NewDoc(w, width)
	r := c.Request
	verdictText := strings.ToUpper(string(c.Verdict))
	if !c.Complete {
		verdictText += " (by the hops that could be evaluated; see below)"
	}
	d.Linef("", "%s from %s to %s: %s", r.Describe(), r.From, r.To, verdictText)
	groups, order := groupTraces(c.Traces)
	for _, key := range order {
		ts := groups[key]
		t := ts[0]
		d.Blank()
		if len(c.Traces) > 1 {
			d.Linef("", "%d of %d pairs %s, e.g. %s -> %s:", len(ts), len(c.Traces), t.Verdict, t.From.Label(), t.To.Label())
		} else {
			d.Linef("", "%s -> %s", t.From.Label(), t.To.Label())
		}
		tb := &Table{Indent: "  ", Prose: []int{3}}
		for i, h := range t.Hops {
			tb.Append(strconv.Itoa(i+1), stepLabels[h.Step], strings.ToUpper(string(h.Result)), h.Reason)
		}
		d.Table(tb)
		for _, n := range t.Notes {
			d.Line("  ", "note: "+n)
		}
	}
	for _, n := range c.Notes {
		d.Line("", "note: "+n)
	}
	return d.Err()
}

// groupTraces groups traces whose hops have the same results and reasons
// apart from addresses, keeping first-seen order.
func groupTraces(ts []reach.Trace) (map[string][]reach.Trace, []string) {
	groups := map[string][]reach.Trace{}
	var order []string
	for _, t := range ts {
		var b strings.Builder
		b.WriteString(string(t.Verdict))
		for _, h := range t.Hops {
			b.WriteString("|" + string(h.Result) + ":" + h.Resource)
			if h.Rule != nil {
				b.WriteString(":" + h.Rule.Ref())
			}
			if h.Entry != nil {
				b.WriteString(":" + h.Entry.RuleLabel())
			}
		}
		k := b.String()
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], t)
	}
	return groups, order
}
