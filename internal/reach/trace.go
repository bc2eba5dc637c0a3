// Package reach answers "can A open this connection to B?" exactly as AWS
// evaluates it: the source's security group egress, the source subnet's
// network ACL outbound, the destination subnet's NACL inbound, the
// destination's security group ingress, and the return path through both
// NACLs (security groups are stateful; NACLs are not). See docs/semantics.md#sg-pool, #nacl-order.
//
// A check returns a Trace value; rendering is the caller's job.
package reach

import (
	"net/netip"

	"github.com/walls-dev/walls/internal/policy"

	"github.com/walls-dev/walls/internal/vpc"
)

// Result is the outcome of one hop.
type Result string

// Hop results.
const (
	Allow Result = "allow"
	Deny  Result = "deny"
	// Skipped: the hop does not apply (same subnet, endpoint outside the
	// VPC, stateful return).
	Skipped Result = "skipped"
	// NotEvaluated: the data needed is not in the inventory; walls does not guess.
	NotEvaluated Result = "not-evaluated"
)

// Step names a hop of the path, in order.
type Step string

// Steps of a connection's path.
const (
	StepSourceSG      Step = "source-sg-egress"
	StepSourceNACL    Step = "source-nacl-outbound"
	StepDestNACL      Step = "destination-nacl-inbound"
	StepDestSG        Step = "destination-sg-ingress"
	StepReturnDstNACL Step = "return-destination-nacl-outbound"
	StepReturnSrcNACL Step = "return-source-nacl-inbound"
	StepReturnSG      Step = "return-security-groups"
	StepNotFiltered   Step = "not-filtered"
)

// Hop is one step of the trace with the rule that decided it.
type Hop struct {
	Step     Step
	Result   Result
	Resource string // sg-…, acl-…, or "" when none applies
	// Rule is the SG rule that allowed the packet (SG hops).
	Rule *vpc.Rule
	// Entry is the NACL entry that decided (NACL hops); nil when the
	// implicit final deny applied.
	Entry *vpc.NACLEntry
	// Reason is one human sentence explaining the result.
	Reason string
	// BlockedPorts lists the client ports the return path blocks, as
	// ranges, when only part of the assumed ephemeral range is allowed.
	BlockedPorts []PortRange
}

// PortRange is an inclusive range of ports.
type PortRange = policy.PortRange

// Verdict is the check's answer.
type Verdict string

// Verdicts.
const (
	Allowed Verdict = "allowed"
	Denied  Verdict = "denied"
)

// Endpoint describes one side of the checked connection.
type Endpoint struct {
	Query     string         // what the user asked for
	Kind      string         // interface, instance, ip, security-group, external
	Interface *vpc.Interface // nil for external or unknown addresses
	Addr      netip.Addr     // the address the packet carries
	SubnetID  string
	VpcID     string
	// External is true when the address belongs to no known interface.
	External bool
	// InVPC is true when an external address still lies inside a VPC CIDR
	// (an interface the inventory lacks).
	InVPC bool
}

// Label names the endpoint for humans: "eni-… (10.0.1.5)".
func (e Endpoint) Label() string {
	if e.Interface != nil {
		return e.Interface.ID + " (" + e.Addr.String() + ")"
	}
	return e.Addr.String()
}

// Trace is the full answer for one source/destination pair.
type Trace struct {
	Verdict Verdict
	// Complete is false when a hop could not be evaluated for lack of data;
	// the verdict then rests on the hops that were.
	Complete bool
	From, To Endpoint
	Request  Request
	Hops     []Hop
	Notes    []string
}

// Check is the answer for a request whose endpoints may stand for several
// interfaces (an SG id means its members): one Trace per pair, the verdict
// allowed only when every pair is allowed.
type Check struct {
	Verdict  Verdict
	Complete bool
	Request  Request
	Traces   []Trace
	// Pairs counts the evaluated pairs; Truncated is true when more pairs
	// existed than MaxPairs.
	Pairs     int
	Truncated bool
	Notes     []string
}
