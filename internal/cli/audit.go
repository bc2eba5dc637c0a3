package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/walls-dev/walls/internal/audit"
	"github.com/walls-dev/walls/internal/inventory"
	"github.com/walls-dev/walls/internal/policy"
	"github.com/walls-dev/walls/internal/render"
	"github.com/walls-dev/walls/internal/vpc"
)

func init() { register(newAuditCmd) }

// AuditOptions are the inputs of `walls audit`.
type AuditOptions struct {
	IO           *IOStreams
	Inputs       []string
	AWS          awsFlags
	Format       string
	FailOn       string
	Suppressions []string
	Checks       []string
	flowFlags
	ClientPorts string
	RuleQuota   int
	NACLQuota   int
	ListChecks  bool
	// Strict makes anything skipped (files, resources, rules) a failure:
	// exit 1, as a finding at --fail-on would.
	Strict bool
	// FailOnParseError restores the abort: a file or resource walls cannot
	// accept is bad input (exit 2) instead of a warning.
	FailOnParseError bool
	// Now fixes the date suppressions expire against (tests); zero is now.
	Now time.Time
}

func newAuditCmd(io *IOStreams) *cobra.Command {
	o := &AuditOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "audit [INPUT...]",
		Short: "Find the open doors: open egress, risky ports, unused and shadowed rules, NACL traps",
		Long: `Run walls' checks over the network: security groups, network ACLs and the
interfaces they sit on, read from AWS CLI output, terraform show -json plans and
states, Terraform folders and CloudFormation templates. Every finding has a
stable check ID (WALLS-…), a severity, the resource and, for code, the file
and line; --list-checks prints the catalogue.

--format table (default), json, sarif (for GitHub code scanning) or markdown
(for pull-request comments). --fail-on SEVERITY exits 1 when a finding of that
severity or higher remains after suppressions.

Suppressions: --suppressions FILE lists check, resource, a required reason and
an optional expiry date; in .tf files a "# walls:ignore WALLS-… reason" comment
above a resource suppresses that check on it. Expired suppressions are findings.

With --flows, the rules no observed traffic used in the window and the groups
whose egress the observed traffic shows can be tightened are reported too.

A file found in a folder that walls cannot read (invalid, or another tool's)
and a resource AWS would reject are left out with a warning naming file, line
and why; everything else is audited, and the summary counts what was skipped
(files, resources, and rules whose values are unknown). Findings alone decide
the exit code; --strict makes anything skipped a failure (exit 1), and
--fail-on-parse-error restores the abort on the first unreadable file or
resource (exit 2). A file named on the command line is read or refused.

Exit codes: 0 done (no finding at or above --fail-on, nothing skipped under
--strict), 1 findings at or above --fail-on (or, with --strict, something
skipped), 2 bad input (with --fail-on-parse-error: any file or resource walls
cannot accept).`,
		Example: `  walls audit inventory/
  walls audit infra/ --format sarif > walls.sarif
  walls audit plan.json --fail-on high --suppressions walls-suppressions.yaml
  walls audit inventory/ --flows flowlogs/ --format json | jq '.findings[].checkId'`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Inputs = args
			return runAudit(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Format, "format", "table", "output format: table, json, sarif or markdown")
	f.StringVar(&o.FailOn, "fail-on", "", "exit 1 when a finding of this severity or higher remains: critical, high, medium or low")
	f.StringArrayVar(&o.Suppressions, "suppressions", nil, "suppressions file (YAML or JSON); repeatable")
	f.StringSliceVar(&o.Checks, "checks", nil, "run only these check IDs (comma-separated)")
	o.addFlags(f, "use")
	o.AWS.addFlags(f)
	o.flowFlags.AWS = &o.AWS // remote flow sources read with the same flags
	f.Lookup("flows").Usage += "; enables the WALLS-FLOW checks"
	f.StringVar(&o.ClientPorts, policy.ClientPortsFlag, policy.DefaultClientPorts.String(), policy.ClientPortsUsage)
	f.IntVar(&o.RuleQuota, "sg-rule-quota", 60, "security group rules quota per direction and address family")
	f.IntVar(&o.NACLQuota, "nacl-rule-quota", 20, "network ACL entries quota per direction and address family")
	f.BoolVar(&o.ListChecks, "list-checks", false, "print the catalogue of checks and exit")
	f.BoolVar(&o.Strict, "strict", false, "exit 1 when files, resources or rules were skipped (unreadable, rejected by AWS, or with unknown values)")
	f.BoolVar(&o.FailOnParseError, "fail-on-parse-error", false, "exit 2 on the first file or resource walls cannot accept, instead of skipping it with a warning")
	return cmd
}

func runAudit(ctx context.Context, o *AuditOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := checkFormat(o.Format, "table", "json", "sarif", "markdown"); err != nil {
		return err
	}
	if o.ListChecks {
		return listChecks(o)
	}
	if o.RuleQuota < 1 {
		return badInputf("--sg-rule-quota %d: want the rules quota per direction and address family, at least 1 (AWS: 60 by default)", o.RuleQuota)
	}
	if o.NACLQuota < 1 {
		return badInputf("--nacl-rule-quota %d: want the entries quota per direction and address family, at least 1 (AWS: 20 by default)", o.NACLQuota)
	}
	opts := audit.Options{Now: o.Now, RuleQuota: o.RuleQuota, NACLQuota: o.NACLQuota}
	var failOn audit.Severity
	if o.FailOn != "" {
		s, err := audit.ParseSeverity(o.FailOn)
		if err != nil {
			return badInputf("--fail-on: %v", err)
		}
		failOn = s
	}
	for _, id := range o.Checks {
		if _, ok := audit.Lookup(strings.TrimSpace(id)); !ok {
			return badInputf("--checks: unknown check %q (see walls audit --list-checks)", id)
		}
		opts.Checks = append(opts.Checks, strings.TrimSpace(id))
	}
	cp, err := policy.ParseClientPorts(o.ClientPorts)
	if err != nil {
		return badInputf("--%s: %v", policy.ClientPortsFlag, err)
	}
	opts.EphemeralFrom, opts.EphemeralTo = cp.From, cp.To
	for _, file := range o.Suppressions {
		sups, err := audit.LoadSuppressions(file)
		if err != nil {
			return badInputf("--suppressions: %v", err)
		}
		opts.Suppressions = append(opts.Suppressions, sups...)
	}
	if err := o.AWS.usedWithout(o.Flows); err != nil {
		return err
	}
	if len(o.Inputs) == 0 && !o.AWS.Live {
		return badInputf("no input: pass --aws or files or folders of AWS CLI output, terraform show -json, .tf folders or CloudFormation templates")
	}
	inv, err := loadInputsWith(o.IO, o.Inputs, &o.AWS, inventory.Options{KeepGoing: !o.FailOnParseError}, reportAuditInventory)
	if err != nil {
		return err
	}
	inv = inv.Current()
	inline, err := inlineSuppressions(inv)
	if err != nil {
		return badInput(err)
	}
	opts.Suppressions = append(opts.Suppressions, inline...)
	if len(o.Flows) > 0 {
		res, fo, err := aggregateFlows(ctx, o.IO, inv, &o.flowFlags)
		if err != nil {
			return err
		}
		opts.Flows = &audit.Flows{Observations: res.Observations, From: fo.Since, To: fo.Until}
	}
	rep := audit.Run(inv, opts)
	for _, n := range rep.Notes {
		if n.CheckID == "" {
			fmt.Fprintf(o.IO.ErrOut, "walls: note: %s\n", n.Message)
			continue
		}
		fmt.Fprintf(o.IO.ErrOut, "walls: note: %s: %s\n", n.CheckID, n.Message)
	}
	if err := writeAudit(o, rep); err != nil {
		return err
	}
	if failOn != 0 && rep.CountAtLeast(failOn) > 0 {
		return verdict()
	}
	if o.Strict && rep.Summary.Skipped() > 0 {
		fmt.Fprintf(o.IO.ErrOut, "walls: --strict: %s\n", render.SkipSummary(rep.Summary))
		return verdict()
	}
	return nil
}

func writeAudit(o *AuditOptions, rep *audit.Report) error {
	w := o.IO.Out
	switch o.Format {
	case "json":
		return render.AuditJSON(w, rep, readBuild())
	case "sarif":
		return render.AuditSARIF(w, rep, render.SARIFOptions{})
	case "markdown":
		return render.AuditMarkdown(w, rep)
	}
	return render.AuditTable(w, rep, render.AuditTableOptions{Width: o.IO.width(), Color: o.IO.OutTTY})
}

// listChecks prints the catalogue.
func listChecks(o *AuditOptions) error {
	cat := audit.Catalog()
	if o.Format == "json" {
		return render.CheckCatalogJSON(o.IO.Out, cat, readBuild())
	}
	return render.CheckCatalogTable(o.IO.Out, cat, o.IO.width())
}

// inlineSuppressions turns the `# walls:ignore WALLS-… reason` comments the
// loader found in .tf files into audit suppressions. A comment without a
// reason is bad input: a suppression must say why.
func inlineSuppressions(inv *vpc.Inventory) ([]audit.Suppression, error) {
	var out []audit.Suppression
	for _, s := range inv.Suppressions {
		loc := &audit.Location{File: s.Loc.File, Line: s.Loc.Line}
		a := audit.Suppression{CheckID: s.CheckID, Resource: s.Resource, Reason: s.Reason, Source: loc}
		if s.Rule {
			a.At = loc
		}
		if err := a.Validate(); err != nil {
			return nil, fmt.Errorf("%s: walls:ignore: %v", loc, err)
		}
		out = append(out, a)
	}
	return out, nil
}

// reportAuditInventory is reportInventory for audit, whose inputs are often
// folders of many templates: loader notes (one per template, say) are
// capped like warnings, at maxWarningsShown each on stderr; the JSON and
// SARIF output carry every one.
func reportAuditInventory(io *IOStreams, inv *vpc.Inventory) {
	capped := *inv
	capped.Warnings = nil
	notes := 0
	for _, w := range inv.Warnings {
		if w.Note {
			notes++
			if notes > maxWarningsShown {
				continue
			}
		}
		capped.Warnings = append(capped.Warnings, w)
	}
	if notes > maxWarningsShown {
		capped.Warnings = append(capped.Warnings, vpc.Warning{Note: true,
			Message: fmt.Sprintf("… and %d more notes (every note and warning is in --format json and sarif)", notes-maxWarningsShown)})
	}
	reportInventory(io, &capped)
}
