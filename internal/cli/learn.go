package cli

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/spf13/cobra"

	"github.com/walls-dev/walls/internal/learn"
	"github.com/walls-dev/walls/internal/plan"
	"github.com/walls-dev/walls/internal/render"
)

func init() { register(newLearnCmd) }

// LearnOptions are the inputs of `walls learn`.
type LearnOptions struct {
	IO       *IOStreams
	Inputs   []string
	AWS      awsFlags
	Pin      bool
	MaxRules int
	Holdout  float64
	// AllowUnattributed lets learn's replays pass over connections of
	// interfaces not tied to loaded security group rules.
	AllowUnattributed bool
	// Output is -o: the plan file's path, or "-" for the plan on stdout
	// (as --format json).
	Output string
	Format string
	// formatSet says --format was given explicitly.
	formatSet bool
	flowFlags
}

func newLearnCmd(io *IOStreams) *cobra.Command {
	o := &LearnOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "learn [INPUT...] --flows SRC...",
		Short: "Propose the least egress each security group needs, from flow logs",
		Long: `Propose, for every security group, the egress its members need: the union of
the connections they initiated and were allowed to make in the flow logs.
Replies need no rule, as security groups are stateful: an instance that is
SSHed into gets no egress rule for it.

Internet destinations become the service port open to 0.0.0.0/0 (and ::/0
only where IPv6 was seen), as package mirrors and APIs change addresses;
--pin keeps the observed addresses, aggregated into as few CIDRs as the rule
budget needs. Interfaces of the VPC become a reference to the security group
that stands for them; addresses of a managed prefix list (S3, DynamoDB
gateway endpoints) the prefix list; other private addresses CIDRs. Many high
ports to one remote (passive FTP data) become one range. An interface with
several groups gets each need on one group only. Each group keeps within
--max-rules egress rules, counted as AWS counts them (prefix lists by weight).

Every proposed rule carries its evidence, and the plan carries two proofs:
the proposal allows nothing the current rules deny (proposed ⊆ current, by
exact set algebra), and replaying the learning window blocks nothing that
was initiated and accepted. Groups with no observed member traffic are left
unchanged, never emptied on no evidence. --holdout P learns on the first
(100-P)% of the window and replays the rest against the proposal.

Connections whose initiator the flow logs could not tell (confidence
ambiguous) are learned as if the member started them, and the rules that
exist only because of them are listed apart, "kept because the direction is
not proven", with how much of the plan rests on them.

Both replays (the learning window's and the holdout's) fail when they
evaluated nothing, or met accepted outbound traffic of interfaces missing
from the inventory or whose groups' rules were not loaded; they name those
interfaces. --allow-unattributed accepts that knowingly.

-o writes the plan file for walls diff, replay and check --plan; it is
written even when the plan does not hold, for review. It is written whole
or not at all (a temporary file in the same folder, renamed over the
target), so concurrent runs never leave a mix. -o refuses a path that
exists and is not a regular file (a symbolic link, a device, a FIFO, a
folder) and a path that is one of the run's inputs. -o - writes the plan
to stdout, as --format json does.

Exit codes: 0 the plan holds, 1 it does not (a guarantee fails, a group
stays over --max-rules, or the holdout replay does not pass: each is
printed with its group), 2 bad usage or bad input.`,
		Example: `  walls learn inventory/ --flows flows/ -o plan.json
  walls learn inventory/ --flows flows/ --since 2026-11-01 --holdout 20
  walls learn inventory/ --flows flows/ --pin --max-rules 20 --format json | jq '.securityGroups[].proposedEgress'`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Inputs = args
			o.formatSet = cmd.Flags().Changed("format")
			return runLearn(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	o.addFlags(f, "learn from")
	f.BoolVar(&o.Pin, "pin", false, "keep observed internet addresses instead of opening the port to the whole internet")
	f.IntVar(&o.MaxRules, "max-rules", learn.DefaultMaxRules, "egress rules per security group at most, counted as AWS counts them")
	f.Float64Var(&o.Holdout, "holdout", 0, "replay the last P percent of the window instead of learning from it")
	f.BoolVar(&o.AllowUnattributed, "allow-unattributed", false,
		"let the replays pass over traffic of interfaces missing from the inventory or whose groups' rules are not loaded")
	f.StringVarP(&o.Output, "output", "o", "", "write the plan file here (- for stdout, as --format json)")
	f.StringVar(&o.Format, "format", "table", "output format: table or json (the plan)")
	o.AWS.addFlags(f)
	o.flowFlags.AWS = &o.AWS // remote flow sources read with the same flags
	return cmd
}

func runLearn(ctx context.Context, o *LearnOptions) error {
	if err := checkFormat(o.Format, "table", "json"); err != nil {
		return err
	}
	if len(o.Flows) == 0 {
		return badInputf("learn needs --flows: files, folders or - for stdin")
	}
	if err := o.AWS.usedWithout(o.Flows); err != nil {
		return err
	}
	if len(o.Inputs) == 0 && !o.AWS.Live {
		return badInputf("learn needs the inventory: pass --aws or files or folders of AWS CLI output, terraform show -json, .tf folders or CloudFormation templates")
	}
	if o.MaxRules < 1 {
		return badInputf("--max-rules %d: want at least 1", o.MaxRules)
	}
	if math.IsNaN(o.Holdout) || o.Holdout < 0 || o.Holdout >= 100 {
		return badInputf("--holdout %g: want a percentage more than 0 and less than 100", o.Holdout)
	}
	toStdout := o.Output == stdoutPath
	if toStdout {
		if o.formatSet && o.Format != "json" {
			return badInputf("-o - writes the plan (JSON) to stdout; it cannot go with --format %s", o.Format)
		}
		o.Format = "json"
	} else if o.Output != "" {
		if err := checkOutputPath("-o", o.Output, append(append([]string{}, o.Inputs...), o.Flows...)); err != nil {
			return err
		}
	}
	inv, err := loadInputs(o.IO, o.Inputs, &o.AWS)
	if err != nil {
		return err
	}
	res, opts, err := aggregateFlows(ctx, o.IO, inv, &o.flowFlags)
	if err != nil {
		return err
	}
	p, err := learn.Learn(inv, res.Observations, learn.Options{Pin: o.Pin, MaxRules: o.MaxRules,
		Since: opts.Since, Until: opts.Until, HoldoutPercent: o.Holdout, AllowUnattributed: o.AllowUnattributed,
		Interfaces: res.Interfaces})
	if err != nil {
		return badInput(err)
	}
	if err := ctx.Err(); err != nil {
		return err // interrupted while learning: no plan is written
	}
	p.GeneratedBy += ", version " + version()
	failures := p.Failures()
	if o.Output != "" && !toStdout {
		if err := writePlanFile(o.Output, p); err != nil {
			return err
		}
		if len(failures) > 0 {
			fmt.Fprintf(o.IO.ErrOut, "walls: plan written to %s for review, but it does not hold\n", o.Output)
		} else {
			fmt.Fprintf(o.IO.ErrOut, "walls: plan written to %s\n", o.Output)
		}
	}
	for _, w := range p.Warnings {
		fmt.Fprintln(o.IO.ErrOut, "walls: warning: "+w)
	}
	if o.Format == "json" {
		err = p.Write(o.IO.Out)
	} else {
		err = render.PlanTable(o.IO.Out, p, o.IO.width())
	}
	if err != nil {
		return err
	}
	return planVerdict(failures)
}

// planVerdict is learn's exit: 1, naming each failure, when the plan does
// not hold.
func planVerdict(failures []string) error {
	if len(failures) == 0 {
		return nil
	}
	return &exitError{code: ExitFinding, err: fmt.Errorf("the plan does not hold:\n  %s", strings.Join(failures, "\n  "))}
}

// writePlanFile writes the plan atomically (writeFileAtomic): a reviewer
// never sees half a plan, and two runs writing the same path leave one
// whole plan, never a mix.
func writePlanFile(path string, p *plan.Plan) error {
	return writeFileAtomic("-o", path, p.Write)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
