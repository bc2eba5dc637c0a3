package render

import (
	"fmt"
	"io"
	"strconv"

	"github.com/walls-dev/walls/internal/reach"
	"github.com/walls-dev/walls/internal/vpc"
)

// CheckPlan is what check --plan recomputed about the plan: whether
// proposed ⊆ current holds against the inventory, and if not why.
type CheckPlan struct {
	File     string   `json:"file"`
	Holds    bool     `json:"holds"`
	Failures []string `json:"failures,omitempty"`
}

// checkJSON is the JSON shape of a check (README.md: verdict and hops).
type checkJSON struct {
	Verdict  string        `json:"verdict"`
	Complete bool          `json:"complete"`
	Request  requestJSON   `json:"request"`
	From     *endpointJSON `json:"from,omitempty"`
	To       *endpointJSON `json:"to,omitempty"`
	Hops     []hopJSON     `json:"hops"`
	Notes    []string      `json:"notes,omitempty"`
	Pairs    []pairJSON    `json:"pairs,omitempty"`
	Total    int           `json:"pairsEvaluated"`
	Trunc    bool          `json:"truncated,omitempty"`
	// Plan is set with --plan.
	Plan *CheckPlan `json:"plan,omitempty"`
}

type requestJSON struct {
	From        string `json:"from"`
	To          string `json:"to"`
	Protocol    string `json:"protocol"`
	Port        *int32 `json:"port,omitempty"`
	ICMPType    *int32 `json:"icmpType,omitempty"`
	ICMPCode    *int32 `json:"icmpCode,omitempty"`
	ClientPorts string `json:"clientPorts"`
}

type endpointJSON struct {
	Query       string `json:"query"`
	Kind        string `json:"kind"`
	InterfaceID string `json:"interfaceId,omitempty"`
	Address     string `json:"address"`
	SubnetID    string `json:"subnetId,omitempty"`
	VpcID       string `json:"vpcId,omitempty"`
	External    bool   `json:"external,omitempty"`
}

type hopJSON struct {
	Step         string         `json:"step"`
	Result       string         `json:"result"`
	Resource     string         `json:"resource,omitempty"`
	Rule         *vpc.RuleJSON  `json:"rule,omitempty"`
	NACLRule     *vpc.NACLEntry `json:"naclRule,omitempty"`
	Reason       string         `json:"reason"`
	BlockedPorts []string       `json:"blockedPorts,omitempty"`
}

type pairJSON struct {
	Verdict  string       `json:"verdict"`
	Complete bool         `json:"complete"`
	From     endpointJSON `json:"from"`
	To       endpointJSON `json:"to"`
	Hops     []hopJSON    `json:"hops"`
	Notes    []string     `json:"notes,omitempty"`
}

func epJSON(e reach.Endpoint) endpointJSON {
	j := endpointJSON{Query: e.Query, Kind: e.Kind, Address: e.Addr.String(), SubnetID: e.SubnetID, VpcID: e.VpcID, External: e.External}
	if e.Interface != nil {
		j.InterfaceID = e.Interface.ID
	}
	return j
}

func hopsJSON(hs []reach.Hop) []hopJSON {
	out := make([]hopJSON, len(hs))
	for i, h := range hs {
		j := hopJSON{Step: string(h.Step), Result: string(h.Result), Resource: h.Resource, Reason: h.Reason, NACLRule: h.Entry}
		if h.Rule != nil {
			rj := h.Rule.JSON()
			j.Rule = &rj
		}
		for _, r := range h.BlockedPorts {
			j.BlockedPorts = append(j.BlockedPorts, portRangeText(r))
		}
		out[i] = j
	}
	return out
}

func portRangeText(r reach.PortRange) string {
	if r.From == r.To {
		return strconv.Itoa(int(r.From))
	}
	return fmt.Sprintf("%d-%d", r.From, r.To)
}

// representative picks the trace shown at top level: the first denied
// pair, else the first pair.
func representative(c *reach.Check) *reach.Trace {
	for i := range c.Traces {
		if c.Traces[i].Verdict == reach.Denied {
			return &c.Traces[i]
		}
	}
	return &c.Traces[0]
}

// CheckJSON writes a check as check --format json does (README.md:
// verdict and hops); pl is set with --plan.
func CheckJSON(w io.Writer, c *reach.Check, pl *CheckPlan, walls any) error {
	r := c.Request
	j := checkJSON{Verdict: string(c.Verdict), Complete: c.Complete, Total: c.Pairs, Trunc: c.Truncated, Plan: pl,
		Request: requestJSON{From: r.From, To: r.To, Protocol: r.Protocol.String(), ClientPorts: portRangeText(r.ClientPorts)}}
	switch {
	case r.Protocol.HasPorts():
		j.Request.Port = &r.Port
	case r.Protocol.IsICMP():
		j.Request.ICMPType = &r.ICMPType
		if r.ICMPCode >= 0 {
			j.Request.ICMPCode = &r.ICMPCode
		}
	}
	t := representative(c)
	from, to := epJSON(t.From), epJSON(t.To)
	j.From, j.To, j.Hops = &from, &to, hopsJSON(t.Hops)
	j.Notes = append(append(j.Notes, c.Notes...), t.Notes...)
	if len(c.Traces) > 1 {
		for _, t := range c.Traces {
			j.Pairs = append(j.Pairs, pairJSON{Verdict: string(t.Verdict), Complete: t.Complete, From: epJSON(t.From),
				To: epJSON(t.To), Hops: hopsJSON(t.Hops), Notes: t.Notes})
		}
	}
	return WriteJSON(w, j, true, walls)
}
