package cli

import (
	"github.com/spf13/cobra"

	"github.com/walls-dev/walls/internal/policy"
	"github.com/walls-dev/walls/internal/reach"
	"github.com/walls-dev/walls/internal/render"
	"github.com/walls-dev/walls/internal/vpc"
)

func init() { register(newCheckCmd) }

// CheckOptions are the inputs of `walls check`.
type CheckOptions struct {
	IO          *IOStreams
	Inputs      []string
	AWS         awsFlags
	From, To    string
	Protocol    string
	Port        int
	ICMPType    int
	ICMPCode    int
	ClientPorts string
	IPv6        bool
	Format      string
	Plan        string
	portSet     bool
	icmpSet     bool
}

func newCheckCmd(io *IOStreams) *cobra.Command {
	o := &CheckOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "check [INPUT...] --from X --to Y --port N",
		Short: "Can X open this connection to Y? The verdict and the hop-by-hop trace",
		Long: `Evaluate one connection exactly as AWS does: the source's security group
egress, the source subnet's network ACL outbound, the destination subnet's NACL
inbound, the destination's security group ingress, and the return path (nothing
for security groups, which are stateful; both NACLs for the reply to the
client's ephemeral ports).

X and Y may be an interface id (eni-…), an instance id (i-…), a private or
public IP, or a security group id (sg-…, meaning its member interfaces; the
check passes only when every pair passes).

With --plan, the connection is evaluated under the plan's proposed egress.
A plan is evidence, not authority: check recomputes proposed ⊆ current from
the plan's rules against the inventory, whatever the plan's guarantees say.
When it does not hold, check still evaluates the connection under the plan
as written, but first says the plan does not hold (the groups and the rules
that allow what the current rules deny), puts the same in the JSON "plan"
object, and exits 1 whatever the verdict: an ALLOWED may rest on a rule
nobody proved.

Exit codes: 0 allowed, 1 denied, or --plan given a plan that does not hold,
2 bad input or a stale plan.`,
		Example: `  walls check inventory/ --from i-0abc --to 10.0.2.15 --port 3306
  walls check inventory/ --from sg-workers --to 203.0.113.10 --port 443 --format json
  walls check inventory/ --from eni-0a --to eni-0b --protocol icmp --icmp-type 8`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Inputs = args
			o.portSet = cmd.Flags().Changed("port")
			o.icmpSet = cmd.Flags().Changed("icmp-type")
			return runCheck(o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.From, "from", "", "source: eni-…, i-…, sg-… or an IP address")
	f.StringVar(&o.To, "to", "", "destination: eni-…, i-…, sg-… or an IP address")
	f.StringVar(&o.Protocol, "protocol", "tcp", "tcp, udp, icmp, icmpv6 or a protocol number")
	f.IntVar(&o.Port, "port", 0, "destination port (tcp and udp)")
	f.IntVar(&o.ICMPType, "icmp-type", 0, "ICMP type (icmp and icmpv6)")
	f.IntVar(&o.ICMPCode, "icmp-code", -1, "ICMP code (default: any code the rules allow for the type, evaluated as 0)")
	f.StringVar(&o.ClientPorts, policy.ClientPortsFlag, policy.DefaultClientPorts.String(), policy.ClientPortsUsage)
	f.BoolVar(&o.IPv6, "ipv6", false, "use the endpoints' IPv6 addresses when neither is given as an IP")
	f.StringVar(&o.Format, "format", "table", "output format: table or json")
	o.AWS.addFlags(f)
	f.StringVar(&o.Plan, "plan", "", "evaluate against the proposed rules of this plan file instead of the current ones")
	return cmd
}

func runCheck(o *CheckOptions) error {
	if err := checkFormat(o.Format, "table", "json"); err != nil {
		return err
	}
	req, err := o.request()
	if err != nil {
		return err
	}
	if err := o.AWS.usedWithout(nil); err != nil {
		return err
	}
	if len(o.Inputs) == 0 && !o.AWS.Live {
		return badInputf("no inventory given: pass --aws or files or folders of `aws ec2 describe-*` output")
	}
	inv, err := loadCurrentInputs(o.IO, o.Inputs, &o.AWS)
	if err != nil {
		return err
	}
	var pl *render.CheckPlan
	if o.Plan != "" {
		pl = &render.CheckPlan{File: o.Plan}
		if inv, pl.Failures, err = ApplyPlanFile(inv, o.Plan); err != nil {
			return err
		}
		pl.Holds = len(pl.Failures) == 0
	}
	res, err := reach.Run(inv, req)
	if err != nil {
		return badInput(err)
	}
	if o.Format == "json" {
		err = render.CheckJSON(o.IO.Out, res, pl, readBuild())
	} else {
		if pl != nil && !pl.Holds {
			// First, before any verdict: an ALLOWED below may rest on a
			// rule that widens the current ones.
			if err := render.CheckPlanDoesNotHold(o.IO.Out, o.Plan, pl.Failures, o.IO.width()); err != nil {
				return err
			}
		}
		err = render.CheckTable(o.IO.Out, res, o.IO.width())
	}
	if err != nil {
		return err
	}
	if res.Verdict == reach.Denied || pl != nil && !pl.Holds {
		return verdict()
	}
	return nil
}

// request turns flags into a reach.Request, rejecting contradictory ones.
func (o *CheckOptions) request() (reach.Request, error) {
	var req reach.Request
	if o.From == "" || o.To == "" {
		return req, badInputf("--from and --to are both required")
	}
	p, err := vpc.ParseProtocol(o.Protocol)
	if err != nil {
		return req, badInputf("--protocol: %v", err)
	}
	if p == vpc.ProtoAll {
		return req, badInputf("--protocol -1 means every protocol in a rule; a connection has one: use tcp, udp, icmp, icmpv6 or a number")
	}
	req = reach.Request{From: o.From, To: o.To, Protocol: p, ICMPType: -1, ICMPCode: -1}
	switch {
	case p.HasPorts():
		if !o.portSet {
			return req, badInputf("--port is required for %s", p)
		}
		if o.icmpSet {
			return req, badInputf("--icmp-type applies to icmp and icmpv6, not %s", p)
		}
		if o.Port < 0 || o.Port > 65535 {
			return req, badInputf("--port %d out of range; expected 0-65535", o.Port)
		}
		req.Port = int32(o.Port)
	case p.IsICMP():
		if o.portSet {
			return req, badInputf("%s has no ports: use --icmp-type T [--icmp-code C] instead of --port", p)
		}
		if !o.icmpSet {
			return req, badInputf("--icmp-type is required for %s (8 = echo request for icmp, 128 for icmpv6)", p)
		}
		if o.ICMPType < 0 || o.ICMPType > 255 || o.ICMPCode < -1 || o.ICMPCode > 255 {
			return req, badInputf("--icmp-type %d --icmp-code %d: expected 0-255", o.ICMPType, o.ICMPCode)
		}
		req.ICMPType, req.ICMPCode = int32(o.ICMPType), int32(o.ICMPCode)
	default:
		if o.portSet || o.icmpSet {
			return req, badInputf("protocol %s has no ports or ICMP types; drop --port/--icmp-type", p)
		}
	}
	cp, err := policy.ParseClientPorts(o.ClientPorts)
	if err != nil {
		return req, badInputf("--%s: %v", policy.ClientPortsFlag, err)
	}
	req.ClientPorts = cp
	req.IPv6 = o.IPv6
	return req, nil
}
