package cli

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/walls-dev/walls/internal/export"
	"github.com/walls-dev/walls/internal/plan"
	"github.com/walls-dev/walls/internal/render"
	"github.com/walls-dev/walls/internal/vpc"
)

func init() { register(newExportCmd) }

// ExportOptions are the inputs of `walls export`.
type ExportOptions struct {
	IO     *IOStreams
	Inputs []string
	Plan   string
	Format string
	Output string
	AWS    awsFlags
}

func newExportCmd(io *IOStreams) *cobra.Command {
	o := &ExportOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "export [INPUT...] --plan FILE --format terraform|cloudformation|awscli [-o PATH]",
		Short: "Write a plan's proposed egress as Terraform, CloudFormation or an AWS CLI script",
		Long: `Write the change a plan proposes, group by group, in a form to review and
apply with your own tools:

  terraform       one aws_vpc_security_group_egress_rule per proposed rule,
                  referencing the group's resource (aws_security_group.web.id)
                  when the inventory was Terraform and its id otherwise;
                  import blocks for rules that exist and stay (by rule id),
                  removed blocks (Terraform 1.7+) for rule resources that go,
                  and comments for what this module cannot change. A group
                  written with inline egress blocks gets the replacement
                  blocks instead, as comments to paste: the provider must not
                  manage one group's rules both ways.
  cloudformation  AWS::EC2::SecurityGroupEgress resources in YAML, GroupId
                  !GetAtt Logical.GroupId for a group of the input template,
                  the literal id otherwise; a group whose template writes its
                  egress inline gets the replacement SecurityGroupEgress items.
  awscli          a bash script: every authorize-security-group-egress of a
                  new rule first, then every revoke-security-group-egress of a
                  rule that goes (by rule id when known), so that no moment
                  allows less than the proposal. Needs real group ids.

Each new rule carries the plan's evidence in comments. With INPUT, the plan
must match that inventory (a plan made against other rules is refused), and
the groups' and rules' resource addresses and rule ids come from it; without
INPUT, the plan's recorded rules and ids are used.

A plan is evidence, not authority: export recomputes proposed ⊆ current from
the plan's rules, as diff does, and writes nothing for a plan that widens.

Exit codes: 0 written, 1 the plan allows what the current rules deny
(nothing written), 2 bad usage, bad input or a stale plan.`,
		Example: `  walls export inventory/ --plan plan.json --format terraform -o walls_egress.tf
  walls export infra/ --plan plan.json --format cloudformation -o egress.yaml
  walls export inventory/ --plan plan.json --format awscli -o apply-egress.sh`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Inputs = args
			return runExport(o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Plan, "plan", "", "plan file written by walls learn -o (required)")
	f.StringVar(&o.Format, "format", "", "terraform, cloudformation or awscli (required)")
	f.StringVarP(&o.Output, "output", "o", "", "write here instead of stdout")
	o.AWS.addFlags(f)
	return cmd
}

func runExport(o *ExportOptions) error {
	if o.Format == "" {
		return badInputf("--format is required: terraform, cloudformation or awscli")
	}
	if err := checkFormat(o.Format, "terraform", "cloudformation", "awscli"); err != nil {
		return err
	}
	if o.Output != "" && o.Output != stdoutPath {
		if err := checkOutputPath("-o", o.Output, append(append([]string{}, o.Inputs...), o.Plan)); err != nil {
			return err
		}
	}
	if err := o.AWS.usedWithout(nil); err != nil {
		return err
	}
	p, inv, err := loadPlanAndInventory(o.IO, o.Plan, o.Inputs, &o.AWS)
	if err != nil {
		return err
	}
	if _, failures := plan.Recheck(inv, p); len(failures) > 0 {
		render.PlanFailures(o.IO.Out, o.Plan, failures, o.IO.width())
		fmt.Fprintln(o.IO.ErrOut, "walls: export: nothing written: the plan allows what the current rules deny")
		return verdict()
	}
	if len(o.Inputs) == 0 && !o.AWS.Live {
		fmt.Fprintln(o.IO.ErrOut, "walls: note: export without the inventory: groups are named by the ids the plan recorded, "+
			"and rules that stay or go by the rule ids it recorded; pass the inventory to reference Terraform or CloudFormation resources")
	}
	changes, err := export.Changes(p, inv)
	if err != nil {
		return badInput(err)
	}
	out, err := exportBytes(o.Format, changes, p, o.Plan, inv)
	if err != nil {
		return badInputf("export --format %s: %v", o.Format, err)
	}
	if o.Output == "" || o.Output == stdoutPath {
		_, err := o.IO.Out.Write(out)
		return err
	}
	return writeFileAtomic("-o", o.Output, func(w io.Writer) error {
		_, err := w.Write(out)
		return err
	})
}

// exportBytes renders changes in a format, headed by what they come from.
func exportBytes(format string, changes []export.Change, p *plan.Plan, planPath string, in *vpc.Inventory) ([]byte, error) {
	header := exportHeader(format, changes, p, planPath)
	switch format {
	case "terraform":
		return export.Terraform(changes, in, header), nil
	case "cloudformation":
		return export.CloudFormation(changes, in, header)
	}
	return export.AWSCLI(changes, header)
}

func exportHeader(format string, changes []export.Change, p *plan.Plan, planPath string) []string {
	add, keep, rm := 0, 0, 0
	for i := range changes {
		add += len(changes[i].Add)
		keep += len(changes[i].Keep)
		rm += len(changes[i].Remove)
	}
	h := []string{
		fmt.Sprintf("Written by walls export --format %s from the plan %s.", format, filepath.Base(planPath)),
		fmt.Sprintf("Security groups that change: %d; egress rules to add: %d, that stay: %d, to remove: %d.", len(changes), add, keep, rm),
	}
	if p.Inventory.Fingerprint != "" {
		h = append(h, "Plan made against the inventory "+p.Inventory.Fingerprint+".")
	}
	return h
}
