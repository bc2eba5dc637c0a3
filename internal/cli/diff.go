package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/walls-dev/walls/internal/plan"
	"github.com/walls-dev/walls/internal/readfile"
	"github.com/walls-dev/walls/internal/render"
	"github.com/walls-dev/walls/internal/vpc"
)

func init() { register(newDiffCmd) }

// DiffOptions are the inputs of `walls diff`.
type DiffOptions struct {
	IO     *IOStreams
	Inputs []string
	AWS    awsFlags
	Plan   string
	Format string
	All    bool
}

func newDiffCmd(io *IOStreams) *cobra.Command {
	o := &DiffOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "diff [INPUT...] --plan FILE",
		Short: "Exactly what a plan stops allowing, group by group",
		Long: `Show, for every security group of a plan, exactly what the current egress
rules allow that the proposal does not, as minimal boxes of protocol, ports
and addresses; and the reverse, which is empty whenever the plan's
proposed ⊆ current guarantee holds. Security-group and prefix-list peers are
also compared as symbols, for what addresses cannot show (a reference to a
group with no members today).

With INPUT, peers resolve against that inventory and the plan must match it:
a plan made against other rules is refused (drift). Without INPUT, the plan's
recorded rules are compared and references resolve to nothing, so a
security-group or prefix-list peer is proved within the current rules only
by CIDR rules covering every address it could stand for.

A plan is evidence, not authority: diff recomputes proposed ⊆ current from
the plan's rules, whatever its guarantees say, and when anything is newly
allowed (or a reference is not proved within the current rules) it says
which group and rules and exits 1.

Exit codes: 0 the plan allows nothing the current rules deny, 1 it does
(the plan does not hold), 2 bad usage, bad input or a stale plan.`,
		Example: `  walls diff inventory/ --plan plan.json
  walls diff --plan plan.json --format json | jq '.securityGroups[] | select(.removed | length > 0)'`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Inputs = args
			return runDiff(o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Plan, "plan", "", "plan file written by walls learn -o (required)")
	f.StringVar(&o.Format, "format", "table", "output format: table or json")
	o.AWS.addFlags(f)
	f.BoolVar(&o.All, "all", false, "list unchanged groups too (table)")
	return cmd
}

func runDiff(o *DiffOptions) error {
	if err := checkFormat(o.Format, "table", "json"); err != nil {
		return err
	}
	if err := o.AWS.usedWithout(nil); err != nil {
		return err
	}
	p, inv, err := loadPlanAndInventory(o.IO, o.Plan, o.Inputs, &o.AWS)
	if err != nil {
		return err
	}
	d, err := plan.Compare(inv, p)
	if err != nil {
		return badInput(err)
	}
	pr, failures := plan.Recheck(inv, p)
	d.ProposedWithinCurrent = &pr
	if len(failures) == 0 && newlyAllowed(d) {
		// Not reached: Compare and ProveWithin decide alike. Kept so that
		// diff can never exit 0 while listing a widening.
		failures = []string{"the plan allows what the current rules deny (see the diff)"}
	}
	if len(o.Inputs) == 0 && !o.AWS.Live {
		fmt.Fprintln(o.IO.ErrOut, "walls: note: diff without the inventory: security-group and prefix-list peers resolve to no addresses, "+
			"so what they allow counts as no longer allowed and only CIDRs prove them within the current rules; pass the inventory for the exact difference")
	}
	if o.Format == "json" {
		if err := render.DiffJSON(o.IO.Out, d, readBuild()); err != nil {
			return err
		}
	} else {
		if err := render.DiffTable(o.IO.Out, d, o.All, o.IO.width()); err != nil {
			return err
		}
		render.PlanFailures(o.IO.Out, o.Plan, failures, o.IO.width())
	}
	if len(failures) > 0 {
		return verdict()
	}
	return nil
}

// newlyAllowed reports whether any group's proposal allows more, or is
// not proved within its current rules.
func newlyAllowed(d *plan.Diff) bool {
	for i := range d.SecurityGroups {
		if g := &d.SecurityGroups[i]; len(g.Added)+len(g.AddedPeers) > 0 {
			return true
		}
	}
	return false
}

// loadPlan reads and checks a plan file; every problem is bad input.
func loadPlan(path string) (*plan.Plan, error) {
	if path == "" {
		return nil, badInputf("--plan is required: the plan file walls learn -o wrote")
	}
	// A regular file of bounded size: a FIFO or /dev/zero is refused,
	// not read forever.
	data, err := readfile.Read(path)
	if err != nil {
		return nil, badInputf("--plan: %v", err)
	}
	p, err := plan.Parse(path, data)
	if err != nil {
		return nil, badInput(err)
	}
	return p, nil
}

// loadPlanAndInventory reads the plan and, when inputs are given, the
// inventory, refusing a plan that drifted from it.
func loadPlanAndInventory(ios *IOStreams, planPath string, inputs []string, a *awsFlags) (*plan.Plan, *vpc.Inventory, error) {
	p, err := loadPlan(planPath)
	if err != nil {
		return nil, nil, err
	}
	if len(inputs) == 0 && (a == nil || !a.Live) {
		return p, vpc.New(), nil
	}
	inv, err := loadInputs(ios, inputs, a)
	if err != nil {
		return nil, nil, err
	}
	if err := plan.CheckDrift(inv, p); err != nil {
		return nil, nil, badInput(err)
	}
	if fp := plan.Fingerprint(inv); p.Inventory.Fingerprint != "" && fp != p.Inventory.Fingerprint {
		fmt.Fprintln(ios.ErrOut, "walls: note: the inventory changed since the plan was made (other groups, members or prefix lists); the planned groups' rules are unchanged")
	}
	return p, inv, nil
}

// ApplyPlanFile reads a plan file and returns inv with the plan's proposed
// egress in place, for check --plan. A stale plan is refused (exit 2).
// failures is plan.Recheck's account of why the plan does not hold against
// inv (empty when it holds): the plan's own guarantees are not trusted.
func ApplyPlanFile(inv *vpc.Inventory, path string) (planned *vpc.Inventory, failures []string, err error) {
	p, err := loadPlan(path)
	if err != nil {
		return nil, nil, err
	}
	out, err := plan.Apply(inv, p)
	if err != nil {
		var de *plan.DriftError
		if errors.As(err, &de) {
			return nil, nil, badInput(err)
		}
		return nil, nil, badInputf("--plan %s: %v", path, err)
	}
	_, failures = plan.Recheck(inv, p)
	return out, failures, nil
}
