package cli

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/walls-dev/walls/internal/live"
)

func init() { register(newSnapshotCmd) }

// SnapshotOptions are the inputs of `walls snapshot`.
type SnapshotOptions struct {
	IO          *IOStreams
	AWS         awsFlags
	Output      string
	PrintPolicy bool
}

func newSnapshotCmd(io *IOStreams) *cobra.Command {
	o := &SnapshotOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "snapshot --aws -o DIR",
		Short: "Read AWS accounts live into a snapshot folder every command can load offline",
		Long: `Read the network inventory of AWS accounts live and write it as a snapshot
folder: per account and region, DIR/<account>/<region>/ holds the JSON that
` + "`aws ec2 describe-*`" + ` prints (security groups, security group rules, network
interfaces, network ACLs, subnets, VPCs, managed prefix lists; every page),
each prefix list's entries as pl-….json, and manifest.json (time, account,
region, walls version, API calls made, kinds missing and why). Pass DIR as
INPUT to any command; it loads exactly what a live --aws run loads.

Credentials come from the AWS SDK's standard chain: --profile or AWS_PROFILE,
AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, SSO, web identity, container and
instance roles; AWS_ENDPOINT_URL is honoured. --region names regions (or all:
the regions enabled in each account); --role-arn assumes one role per account.
Accounts and regions are read concurrently; throttling is retried with the
SDK's adaptive mode. DIR must be new or empty.

A kind the credentials may not read (UnauthorizedOperation, AccessDenied) is
not fatal: the other kinds are read, the manifest records it, and walls says
so ("ec2:DescribeNetworkAcls denied in 123456789012/eu-west-1: NACL hops not
evaluated"), here and whenever the snapshot is loaded.

--print-policy prints the least-privilege IAM policy walls needs.

Exit codes: 0 complete snapshot, 1 snapshot written but partial (a kind was
denied somewhere), 2 bad usage or no credentials (nothing written).`,
		Example: `  walls snapshot --aws --region eu-west-1 -o snap/
  walls snapshot --aws --profile audit --region all -o "snap/$(date +%F)"
  walls snapshot --aws --role-arn arn:aws:iam::111122223333:role/walls-read,arn:aws:iam::444455556666:role/walls-read -o snap/
  walls snapshot --print-policy > walls-policy.json
  walls audit snap/`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSnapshot(o)
		},
	}
	f := cmd.Flags()
	o.AWS.addFlags(f)
	f.Lookup("aws").Usage = "read the inventory live from AWS (required)"
	f.StringVarP(&o.Output, "output", "o", "", "folder to write the snapshot to (new or empty)")
	f.BoolVar(&o.PrintPolicy, "print-policy", false, "print the IAM policy walls needs and exit")
	return cmd
}

func runSnapshot(o *SnapshotOptions) error {
	if o.PrintPolicy {
		_, err := o.IO.Out.Write(live.Policy())
		return err
	}
	if !o.AWS.Live {
		return badInputf("walls snapshot reads AWS live: add --aws (and -o DIR); to load files, pass them to the other commands")
	}
	if o.Output == "" {
		return badInputf("no output folder: pass -o DIR")
	}
	res, err := o.AWS.snapshot(o.IO, o.Output)
	if err != nil {
		return err
	}
	for _, m := range res.Missing() {
		fmt.Fprintf(o.IO.ErrOut, "walls: warning: %s\n", m)
	}
	total := 0
	for _, n := range res.Calls {
		total += n
	}
	for _, p := range res.Places {
		fmt.Fprintln(o.IO.Out, filepath.Join(o.Output, p.Account, p.Region))
	}
	fmt.Fprintf(o.IO.ErrOut, "walls: snapshot of %d account/region place(s) written to %s (%d API calls)\n", len(res.Places), o.Output, total)
	if len(res.Missing()) > 0 {
		fmt.Fprintf(o.IO.ErrOut, "walls: the snapshot is partial: %d kind(s) missing; exit 1\n", len(res.Missing()))
		return verdict()
	}
	return nil
}
