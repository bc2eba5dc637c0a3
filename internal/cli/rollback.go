package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/walls-dev/walls/internal/apply"
	"github.com/walls-dev/walls/internal/readfile"
)

func init() { register(newRollbackCmd) }

// RollbackOptions are the inputs of `walls rollback`.
type RollbackOptions struct {
	IO     *IOStreams
	Backup string
	DryRun bool
	Yes    bool
	Format string
	AWS    awsFlags
}

func newRollbackCmd(io *IOStreams) *cobra.Command {
	o := &RollbackOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "rollback --backup FILE [--dry-run] [--yes]",
		Short: "Restore the egress rules a walls apply backup holds",
		Long: `Give every security group of a backup (written by walls apply before its
first change) exactly the egress rules the backup holds: rules it lacks
are authorized first, then rules the backup does not hold are revoked, as
apply does. Rules are matched by what they allow, so a restored rule may
have a new rule id; its protocol, ports, peer and description are the
backup's. The account and region must be the backup's (--profile,
--region, --role-arn reach it).

Confirmation works as for apply: --dry-run asks EC2 whether each call
would be allowed and changes nothing; otherwise a terminal is asked (y/N)
and without one --yes is needed. Rolling back a second time changes
nothing and says so. Before its first change, rollback too writes a
backup of the rules it replaces (walls-backup-ACCOUNT-REGION-TIME.json in
the current folder). A failure part-way undoes this run's changes and says
what is left.

Exit codes: 0 restored (or nothing to change, or a dry run EC2 would
allow), 1 the dry run would be denied, the confirmation was declined, or
the restore failed part-way, 2 bad usage, an unreadable backup, no
credentials, no terminal without --yes, another account or region, or a
group of the backup that no longer exists.`,
		Example: `  walls rollback --backup walls-backup-111122223333-eu-west-1-20261201T120000Z.json --dry-run
  walls rollback --backup before-egress.json --yes`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return badInputf("rollback takes no INPUT: it reads the account live (%s)", strings.Join(args, " "))
			}
			return runRollback(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Backup, "backup", "", "backup file written by walls apply (required)")
	f.BoolVar(&o.DryRun, "dry-run", false, "ask EC2 whether each change would be allowed (DryRun) and change nothing")
	f.BoolVar(&o.Yes, "yes", false, "change without asking (needed without a terminal)")
	f.StringVar(&o.Format, "format", "table", "output format: table or json")
	o.AWS.addFlags(f)
	f.MarkHidden("aws")
	return cmd
}

func runRollback(ctx context.Context, o *RollbackOptions) error {
	if err := checkFormat(o.Format, "table", "json"); err != nil {
		return err
	}
	if o.Backup == "" {
		return badInputf("--backup is required: the file walls apply wrote before its change")
	}
	data, err := readfile.Read(o.Backup)
	if err != nil {
		return badInputf("--backup: %v", err)
	}
	b, err := apply.ParseBackup(o.Backup, data)
	if err != nil {
		return badInput(err)
	}
	if len(o.AWS.Regions) == 0 {
		o.AWS.Regions = []string{b.Region}
	}
	acct, err := readAccount(ctx, o.IO, &o.AWS)
	if err != nil {
		return err
	}
	if acct.region != b.Region || b.Account != "" && acct.account != b.Account {
		return badInputf("--backup %s holds rules of %s/%s, but the credentials reach %s/%s: nothing changed",
			o.Backup, b.Account, b.Region, acct.account, acct.region)
	}
	var changes []apply.Change
	for i := range b.Groups {
		g := &b.Groups[i]
		want, _ := g.Rules() // ParseBackup checked them
		lg := acct.inv.Groups[g.GroupID]
		if lg == nil || !lg.RulesKnown {
			return badInputf("--backup %s: %s is not in %s/%s (or its rules could not be read): nothing changed",
				o.Backup, g.GroupID, acct.account, acct.region)
		}
		c := apply.Restore(g.GroupID, g.GroupName, lg.Egress, want)
		for _, d := range c.DescriptionsDiffer {
			fmt.Fprintf(o.IO.ErrOut, "walls: note: %s; rollback leaves descriptions as they are\n", d)
		}
		changes = append(changes, c)
	}
	out := applyOutput{Command: "rollback", BackupRead: o.Backup, Account: acct.account, Region: acct.region, DryRun: o.DryRun, Groups: []apply.GroupReport{}}
	fmt.Fprintf(o.IO.ErrOut, "walls: rollback: restoring %d security groups from %s (backup of %s)\n", len(b.Groups), o.Backup, b.Created.Format("2006-01-02 15:04:05Z"))
	return change(ctx, o.IO, acct, changes, changeRun{
		command: "rollback", format: o.Format, dryRun: o.DryRun, yes: o.Yes,
		nothing: "nothing to change: the groups already have the backup's rules", out: out})
}
