package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/walls-dev/walls/internal/apply"
	"github.com/walls-dev/walls/internal/inventory"
	"github.com/walls-dev/walls/internal/live"
	"github.com/walls-dev/walls/internal/plan"
	"github.com/walls-dev/walls/internal/render"
	"github.com/walls-dev/walls/internal/vpc"
)

func init() { register(newApplyCmd) }

// ApplyOptions are the inputs of `walls apply`.
type ApplyOptions struct {
	IO     *IOStreams
	Plan   string
	Backup string
	DryRun bool
	Yes    bool
	Format string
	AWS    awsFlags
	// PrintPolicy prints the IAM statement apply needs besides the
	// read-only policy, and exits.
	PrintPolicy bool
}

func newApplyCmd(io *IOStreams) *cobra.Command {
	o := &ApplyOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "apply --plan FILE [--dry-run] [--backup FILE] [--yes] | --print-policy",
		Short: "Make a plan's proposed egress the account's, with proof, backup and rollback",
		Long: `Change the account's security group egress to what a plan proposes,
through the EC2 API. The account is always read live first (one account
and region: --profile, --region, --role-arn), and nothing the plan says of
itself is trusted:

  1. drift: every proposed group must still have exactly the rules the plan
     was made against (or already the proposal: those groups are left as
     they are); otherwise apply refuses and names the rules added and
     removed since the plan (exit 2).
  2. proof: proposed ⊆ current is computed again from the plan's rules on
     the live inventory, and the connections the plan's evidence names are
     replayed against the proposal; a plan edited to allow more, or to
     block its own evidence, is refused with the widening shown (exit 1).
  3. the change is shown per group: rules to authorize (+) and to revoke
     (-, with their rule ids). --dry-run asks EC2 whether each call would
     be allowed (its DryRun flag) and stops. Otherwise apply asks for
     confirmation on a terminal (y/N); without a terminal it needs --yes.
  4. backup: the exact current egress of every group it will change is
     written (--backup FILE, default walls-backup-ACCOUNT-REGION-TIME.json,
     never overwriting a file) and synced before the first change.
  5. change: per group (several at once), every new rule is authorized
     before any rule that goes is revoked, so no moment allows less than
     the proposal. Rules already there or already gone are fine. When a
     call fails, no further call starts and this run's changes are undone
     in the same order; the report says what failed, what was undone, and
     (if undoing failed) exactly what is left and the backup to restore
     with walls rollback.

Applying a plan already applied changes nothing and says so. Throttled
calls are retried by the AWS SDK (adaptive mode).

IAM: the read-only policy of walls snapshot --print-policy, plus the
statement walls apply --print-policy prints (WallsApplyEgressChanges:
ec2:AuthorizeSecurityGroupEgress and ec2:RevokeSecurityGroupEgress).

Exit codes: 0 applied (or nothing to change, or a dry run EC2 would
allow), 1 the plan does not hold on the live rules, the dry run would be
denied, the confirmation was declined, or the change failed part-way (see
the report), 2 bad usage, bad input, no credentials, no terminal without
--yes, a drifted account or an existing backup file.`,
		Example: `  walls apply --plan plan.json --dry-run
  walls apply --plan plan.json --profile prod --region eu-west-1
  walls apply --plan plan.json --yes --backup before-egress.json --format json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.PrintPolicy {
				_, err := o.IO.Out.Write(live.ApplyPolicy())
				return err
			}
			if len(args) > 0 {
				return badInputf("apply takes no INPUT: it reads the account live (%s)", strings.Join(args, " "))
			}
			return runApply(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Plan, "plan", "", "plan file written by walls learn -o (required)")
	f.StringVar(&o.Backup, "backup", "", "where to write the backup of the rules changed (default walls-backup-ACCOUNT-REGION-TIME.json); never overwritten")
	f.BoolVar(&o.DryRun, "dry-run", false, "ask EC2 whether each change would be allowed (DryRun) and change nothing")
	f.BoolVar(&o.Yes, "yes", false, "change without asking (needed without a terminal)")
	f.StringVar(&o.Format, "format", "table", "output format: table or json")
	f.BoolVar(&o.PrintPolicy, "print-policy", false, "print the IAM statement apply and rollback need besides the read-only policy, and exit")
	o.AWS.addFlags(f)
	f.MarkHidden("aws") // always live
	return cmd
}

// applyClientOptions, when set (by tests), adjusts the EC2 client that
// makes changes.
var applyClientOptions func(*ec2.Options)

// stdinIsTerminal reports whether r is a terminal one can ask on; tests
// replace it.
var stdinIsTerminal = func(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// targetAccount is one account and region read live for a change.
type targetAccount struct {
	inv             *vpc.Inventory
	account, region string
	client          *ec2.Client
}

// readAccount reads the one account and region the flags name, and
// makes the EC2 client that changes it.
func readAccount(ctx context.Context, ios *IOStreams, a *awsFlags) (*targetAccount, error) {
	a.Live = true
	if len(a.Regions) > 1 || len(a.Regions) == 1 && strings.EqualFold(a.Regions[0], "all") {
		return nil, badInputf("--region %s: a change is made in one region; name it", strings.Join(a.Regions, ","))
	}
	if len(a.RoleARNs) > 1 {
		return nil, badInputf("--role-arn: a change is made in one account; name one role")
	}
	tmp, err := os.MkdirTemp("", "walls-live-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	res, err := a.snapshot(ios, tmp)
	if err != nil {
		return nil, err
	}
	if len(res.Places) != 1 {
		return nil, badInputf("a change is made in one account and region; the flags name %d", len(res.Places))
	}
	pl := res.Places[0]
	for _, k := range pl.Manifest.Missing {
		fmt.Fprintf(ios.ErrOut, "walls: note: %s\n", k.Message(pl.Account, pl.Region))
	}
	inv, err := inventory.Load([]string{tmp})
	if cerr := ios.runContext().Err(); cerr != nil {
		return nil, cerr
	}
	if inv, err = fromLive(inv, err, tmp+string(filepath.Separator)); err != nil {
		return nil, err
	}
	reportInventory(ios, inv)
	role := ""
	if len(a.RoleARNs) == 1 {
		role = a.RoleARNs[0]
	}
	cfg, err := a.config(ctx, pl.Region, role)
	if err != nil {
		return nil, err
	}
	client := ec2.NewFromConfig(cfg, func(o *ec2.Options) {
		if applyClientOptions != nil {
			applyClientOptions(o)
		}
	})
	return &targetAccount{inv: inv, account: pl.Account, region: pl.Region, client: client}, nil
}

// applyOutput is apply's and rollback's JSON.
type applyOutput struct {
	Command string `json:"command"`
	Plan    string `json:"plan,omitempty"`
	// BackupRead is the backup rollback restores; Backup the one written.
	BackupRead    string              `json:"restoring,omitempty"`
	Account       string              `json:"account"`
	Region        string              `json:"region"`
	DryRun        bool                `json:"dryRun"`
	Changed       bool                `json:"changed"`
	Message       string              `json:"message"`
	Backup        string              `json:"backup,omitempty"`
	Groups        []apply.GroupReport `json:"groups"`
	Error         string              `json:"error,omitempty"`
	RolledBack    []apply.Step        `json:"rolledBack,omitempty"`
	RollbackError string              `json:"rollbackError,omitempty"`
	Left          []apply.Step        `json:"left,omitempty"`
	Proof         *apply.Proof        `json:"proof,omitempty"`
}

func runApply(ctx context.Context, o *ApplyOptions) error {
	if err := checkFormat(o.Format, "table", "json"); err != nil {
		return err
	}
	p, err := loadPlan(o.Plan)
	if err != nil {
		return err
	}
	if o.Backup != "" {
		if _, err := os.Lstat(o.Backup); err == nil {
			return badInputf("--backup %s: exists; a backup is never overwritten: name another file", o.Backup)
		}
	}
	acct, err := readAccount(ctx, o.IO, &o.AWS)
	if err != nil {
		return err
	}
	states, err := apply.Classify(acct.inv, p)
	if err != nil {
		var de *plan.DriftError
		if errors.As(err, &de) {
			return badInputf("the account drifted since the plan was made, nothing changed: %v", err)
		}
		return badInputf("--plan %s: %v", o.Plan, err)
	}
	pending := 0
	for _, st := range states {
		if st == apply.Pending {
			pending++
		}
	}
	if fp := plan.Fingerprint(acct.inv); pending == len(states) && p.Inventory.Fingerprint != "" && fp != p.Inventory.Fingerprint {
		fmt.Fprintln(o.IO.ErrOut, "walls: note: the account changed since the plan was made (other groups, members or prefix lists); the planned groups' rules are unchanged, and the proof below is made on the account as it is now")
	}
	proof, err := apply.Prove(acct.inv, p, states)
	if err != nil {
		return badInputf("--plan %s: %v", o.Plan, err)
	}
	out := applyOutput{Command: "apply", Plan: o.Plan, Account: acct.account, Region: acct.region, DryRun: o.DryRun, Proof: proof, Groups: []apply.GroupReport{}}
	if !proof.Holds() {
		out.Message = "refused: the plan does not hold on the live rules; nothing changed"
		if o.Format == "json" {
			if err := render.WriteJSON(o.IO.Out, out, false, readBuild()); err != nil {
				return err
			}
		} else {
			render.PlanFailures(o.IO.Out, o.Plan, proof.Failures(), o.IO.width())
		}
		fmt.Fprintln(o.IO.ErrOut, "walls: apply: nothing changed: the plan allows what the live rules deny, or blocks its own evidence")
		return verdict()
	}
	changes, err := apply.PlanChanges(p, acct.inv)
	if err != nil {
		return badInputf("--plan %s: %v", o.Plan, err)
	}
	if o.Format != "json" {
		applied := 0
		for _, st := range states {
			if st == apply.Applied {
				applied++
			}
		}
		fmt.Fprintf(o.IO.Out, "Proved again on the live rules of %s/%s: proposed ⊆ current holds for %d groups; "+
			"the plan's evidence replayed: %d connections evaluated, none blocked.\n",
			acct.account, acct.region, proof.Within.Checked, proof.Evidence.Evaluated)
		if applied > 0 {
			fmt.Fprintf(o.IO.Out, "%d groups already have the proposed rules and are left as they are.\n", applied)
		}
	}
	return change(ctx, o.IO, acct, changes, changeRun{
		command: "apply", format: o.Format, dryRun: o.DryRun, yes: o.Yes, backupPath: o.Backup, planPath: o.Plan,
		nothing: "nothing to change: the account already has the plan's rules", out: out})
}

// changeRun is what apply and rollback share after deciding the change.
type changeRun struct {
	command, format string
	dryRun, yes     bool
	backupPath      string
	planPath        string
	nothing         string
	out             applyOutput
}

// change shows the change, asks, backs up, makes it and reports.
func change(ctx context.Context, ios *IOStreams, acct *targetAccount, changes []apply.Change, cr changeRun) error {
	out := cr.out
	n := 0
	for i := range changes {
		if changes[i].Changed() {
			n++
		}
	}
	emit := func() error {
		if cr.format == "json" {
			return render.WriteJSON(ios.Out, out, false, readBuild())
		}
		if err := apply.WriteText(ios.Out, out.Groups); err != nil {
			return err
		}
		_, err := fmt.Fprintln(ios.Out, out.Message)
		return err
	}
	if n == 0 {
		out.Message = cr.nothing + fmt.Sprintf(" (%s/%s); nothing changed", acct.account, acct.region)
		return emit()
	}
	if err := apply.Check(changes); err != nil {
		return badInputf("nothing changed: %v", err)
	}
	planned := apply.Planned(changes)
	if cr.dryRun {
		rep := apply.Run(ctx, acct.client, changes, apply.Options{DryRun: true})
		out.Groups = apply.Groups(changes, rep)
		denied := 0
		for _, s := range rep.Steps {
			if s.Outcome == apply.WouldBeDenied {
				denied++
			}
		}
		switch {
		case rep.Err != nil:
			out.Error = rep.Err.Error()
			out.Message = fmt.Sprintf("dry run: stopped by an error; nothing changed: %v", rep.Err)
		case denied > 0:
			out.Message = fmt.Sprintf("dry run: EC2 would deny %d of %d calls; nothing changed", denied, len(rep.Steps))
		default:
			out.Message = fmt.Sprintf("dry run: EC2 would allow all %d calls to %d security groups in %s/%s; nothing changed",
				len(rep.Steps), n, acct.account, acct.region)
		}
		if err := emit(); err != nil {
			return err
		}
		if rep.Err != nil || denied > 0 {
			return verdict()
		}
		return nil
	}
	if !cr.yes {
		if !stdinIsTerminal(ios.In) {
			return badInputf("%s changes %d security groups in %s/%s: confirm on a terminal, or pass --yes (--dry-run shows the change)",
				cr.command, n, acct.account, acct.region)
		}
		apply.WriteText(ios.ErrOut, planned)
		fmt.Fprintf(ios.ErrOut, "Change the egress of %d security groups in %s/%s as above? [y/N] ", n, acct.account, acct.region)
		line, _ := bufio.NewReader(ios.In).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
			fmt.Fprintln(ios.ErrOut, "walls: "+cr.command+": not confirmed; nothing changed")
			return verdict()
		}
	}
	// The backup, before the first change.
	b := &apply.Backup{Kind: apply.BackupKind, Version: apply.BackupVersion, Created: time.Now().UTC().Truncate(time.Second),
		Account: acct.account, Region: acct.region, Plan: filepath.Base(cr.planPath), Groups: []apply.BackupGroup{}}
	if cr.planPath == "" {
		b.Plan = ""
	}
	for i := range changes {
		c := &changes[i]
		if !c.Changed() {
			continue
		}
		g := acct.inv.Groups[c.GroupID]
		if g == nil {
			return fmt.Errorf("internal: %s is changed but was not read", c.GroupID)
		}
		b.Groups = append(b.Groups, apply.NewBackupGroup(c.GroupID, g.Name, g.Egress))
	}
	path := cr.backupPath
	if path == "" {
		path = apply.DefaultBackupPath(acct.account, acct.region, b.Created)
	}
	if err := apply.WriteBackup(path, b); err != nil {
		if errors.Is(err, apply.ErrExists) {
			return badInputf("--backup %v", err)
		}
		return badInputf("--backup %s: nothing changed: %v", path, err)
	}
	out.Backup = path
	fmt.Fprintf(ios.ErrOut, "walls: %s: backup of the %d groups' egress rules written to %s (walls rollback --backup %s restores them)\n",
		cr.command, len(b.Groups), path, path)
	changing.Add(1)
	rep := apply.Run(ctx, acct.client, changes, apply.Options{})
	changing.Add(-1)
	out.Groups = apply.Groups(changes, rep)
	out.RolledBack, out.Left = rep.RolledBack, rep.Left
	if rep.Err == nil {
		out.Changed = true
		out.Message = fmt.Sprintf("%s: changed the egress of %d security groups in %s/%s", cr.command, n, acct.account, acct.region)
		return emit()
	}
	out.Error = rep.Err.Error()
	out.Changed = len(rep.Left) > 0
	if rep.RollbackErr == nil {
		out.Message = fmt.Sprintf("%s failed part-way: %v; this run's %d changes were undone (%d calls), so the rules are as in the backup %s",
			cr.command, rep.Err, countChanges(rep.Steps), len(rep.RolledBack), path)
	} else {
		out.RollbackError = rep.RollbackErr.Error()
		out.Message = fmt.Sprintf("%s failed part-way: %v; undoing it failed too: %v; %d changes are left (listed); restore with walls rollback --backup %s",
			cr.command, rep.Err, rep.RollbackErr, len(rep.Left), path)
	}
	if err := emit(); err != nil {
		return err
	}
	if cr.format != "json" {
		if len(rep.RolledBack) > 0 {
			fmt.Fprintln(ios.Out, "Undone:")
			for _, l := range apply.StepLines(rep.RolledBack) {
				fmt.Fprintln(ios.Out, "  "+l)
			}
		}
		if len(rep.Left) > 0 {
			fmt.Fprintln(ios.Out, "Left in effect:")
			for _, l := range apply.StepLines(rep.Left) {
				fmt.Fprintln(ios.Out, "  "+l)
			}
		}
	}
	fmt.Fprintln(ios.ErrOut, "walls: "+out.Message)
	return verdict()
}

// countChanges counts the steps that changed a rule (or may have).
func countChanges(steps []apply.Step) int {
	n := 0
	for _, s := range steps {
		if s.Outcome == apply.Done || s.Outcome == apply.Uncertain {
			n++
		}
	}
	return n
}
