package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/walls-dev/walls/internal/plan"
	"github.com/walls-dev/walls/internal/render"
)

func init() { register(newReplayCmd) }

// ReplayOptions are the inputs of `walls replay`.
type ReplayOptions struct {
	IO     *IOStreams
	Inputs []string
	AWS    awsFlags
	Plan   string
	Format string
	// AllowUnattributed passes a replay that met traffic of interfaces it
	// could not attribute to loaded security group rules.
	AllowUnattributed bool
	flowFlags
}

func newReplayCmd(io *IOStreams) *cobra.Command {
	o := &ReplayOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "replay [INPUT...] --plan FILE --flows SRC...",
		Short: "What observed traffic a plan would block",
		Long: `Replay flow logs, typically from another window than the plan was learned
from, against the plan's proposed rules: every connection an interface
initiated and was accepted is checked against the egress of its groups as
the plan leaves them. Connections the current rules deny too are counted
apart, as are connections to addresses no security group filters.

Every outbound row is checked whatever the confidence in its direction: a
connection whose initiator is not known (ambiguous) is checked in each
direction it may have gone and counts as blocked when any of them is.
Blocked flow records are also counted by confidence.

The result is grouped by the interface's security groups, protocol, port and
remote, with examples.

A replay does not pass on nothing: when it evaluated no connection, or met
accepted outbound traffic of interfaces missing from the inventory or whose
groups' rules were not loaded, it names them (up to 20), counts their flow
records and exits 1; --allow-unattributed accepts unattributed traffic
knowingly. Interfaces that carry no security group at all (NAT gateways)
are shown as not evaluated and do not fail the replay.

A plan is evidence, not authority: a rule that widens the current ones
blocks nothing, so replaying flows cannot see it. Replay also recomputes
proposed ⊆ current from the plan's rules against the inventory, whatever the
plan's guarantees say, and does not pass when it fails, naming the groups
and the widening rules.

Exit codes: 0 the replay passes, 1 the plan allows what the current rules
deny, something would be blocked, nothing was evaluated, or traffic was
unattributed, 2 bad usage, bad input or a stale plan.`,
		Example: `  walls replay inventory/ --plan plan.json --flows flows-last-week/
  walls replay inventory/ --plan plan.json --flows flows/ --since 24h --format json | jq '.blockedBy[:5]'`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Inputs = args
			return runReplay(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Plan, "plan", "", "plan file written by walls learn -o (required)")
	o.addFlags(f, "replay")
	f.BoolVar(&o.AllowUnattributed, "allow-unattributed", false,
		"pass although traffic of interfaces missing from the inventory or whose groups' rules are not loaded was not checked")
	f.StringVar(&o.Format, "format", "table", "output format: table or json")
	o.AWS.addFlags(f)
	o.flowFlags.AWS = &o.AWS // remote flow sources read with the same flags
	return cmd
}

func runReplay(ctx context.Context, o *ReplayOptions) error {
	if err := checkFormat(o.Format, "table", "json"); err != nil {
		return err
	}
	if len(o.Flows) == 0 {
		return badInputf("replay needs --flows: files, folders or - for stdin")
	}
	if err := o.AWS.usedWithout(o.Flows); err != nil {
		return err
	}
	if len(o.Inputs) == 0 && !o.AWS.Live {
		return badInputf("replay needs the inventory the plan was made against: pass --aws or its files or folders")
	}
	p, inv, err := loadPlanAndInventory(o.IO, o.Plan, o.Inputs, &o.AWS)
	if err != nil {
		return err
	}
	res, _, err := aggregateFlows(ctx, o.IO, inv, &o.flowFlags)
	if err != nil {
		return err
	}
	rep, err := plan.Replay(inv, p, res.Observations)
	if err != nil {
		return badInput(err)
	}
	rep.Describe(res.Interfaces)
	rep.SetWithin(plan.Recheck(inv, p))
	rep.Judge(o.AllowUnattributed)
	if o.Format == "json" {
		if err := render.ReplayJSON(o.IO.Out, rep, readBuild()); err != nil {
			return err
		}
	} else if err := render.ReplayTable(o.IO.Out, rep, render.ReplayTableOptions{Width: o.IO.width()}); err != nil {
		return err
	}
	if !rep.Pass {
		return verdict()
	}
	return nil
}
