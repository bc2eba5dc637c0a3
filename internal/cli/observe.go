package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/walls-dev/walls/internal/flowlog"
	"github.com/walls-dev/walls/internal/render"
	"github.com/walls-dev/walls/internal/vpc"
)

func init() { register(newObserveCmd) }

// ObserveOptions are the inputs of `walls observe`.
type ObserveOptions struct {
	IO     *IOStreams
	Inputs []string // inventory files and folders
	AWS    awsFlags
	Format string
	flowFlags
}

func newObserveCmd(io *IOStreams) *cobra.Command {
	o := &ObserveOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "observe [INPUT...] --flows SRC...",
		Short: "Flow logs -> observations: who initiated what, to where",
		Long: `Read VPC Flow Logs and report, per network interface, the connections it
initiated (outbound) and the connections others initiated to it (inbound), by
protocol, service port and remote address, with counts and first/last seen.

The initiator is exact where tcp-flags show the SYN or SYN-ACK (format v3 and
later) and heuristic elsewhere (ports, pairing, listening ports learned from
the data and from the inventory's SG rules). Rejected records are reported
apart: they are attempts the current rules already stop.

SRC is a file or folder (walked recursively) of flow logs: plain text with or
without the header line S3 writes, gzip, or Parquet; "-" reads stdin. Files
without a header use --flow-format (AWS LogFormat syntax), by default the
version-2 default format. INPUT is inventory (as for every command); with it,
interfaces are annotated with their security groups, subnet and instance, and
remotes inside the VPC with their interface and security groups.

Exit codes: 0 success, 2 bad usage or bad input (more malformed lines than
--max-bad-lines, an unreadable or truncated source).`,
		Example: `  walls observe --flows AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/24/
  walls observe inventory/ --flows flows/ --since 2026-11-24 --format json | jq .
  aws logs tail /vpc/flows --format short | cut -d' ' -f2- | walls observe --flows - \
      --flow-format '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}'`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Inputs = args
			return runObserve(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	o.addFlags(f, "keep")
	f.StringVar(&o.Format, "format", "table", "output format: table, json or csv")
	o.AWS.addFlags(f)
	o.flowFlags.AWS = &o.AWS // remote flow sources read with the same flags
	return cmd
}

func runObserve(ctx context.Context, o *ObserveOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := checkFormat(o.Format, "table", "json", "csv"); err != nil {
		return err
	}
	if len(o.Flows) == 0 {
		return badInputf("observe needs --flows: files, folders or - for stdin")
	}
	if err := o.AWS.usedWithout(o.Flows); err != nil {
		return err
	}
	opts, err := o.options(o.IO)
	if err != nil {
		return err
	}
	if len(o.Inputs) > 0 || o.AWS.Live {
		if opts.Inventory, err = loadInputs(o.IO, o.Inputs, &o.AWS); err != nil {
			return err
		}
	}
	res, aggErr := o.flowFlags.aggregate(ctx, o.IO, opts)
	if err := ctx.Err(); err != nil {
		return err // interrupted: what was read is partial, so nothing is written
	}
	if res == nil {
		return badInput(aggErr)
	}
	if isTooManyBadLines(aggErr) {
		return badInput(aggErr) // the output would rest on unreadable input
	}
	dropped, err := writeObservations(o.IO.Out, o.Format, res, opts.Inventory, o.IO.width())
	if err != nil {
		return err
	}
	if len(dropped) > 0 {
		fmt.Fprintf(o.IO.ErrOut, "walls: note: columns left out to fit %d columns: %s (--width 0 shows every column; "+
			"--format csv or json holds every field)\n", o.IO.width(), strings.Join(dropped, ", "))
	}
	reportObserveStats(o.IO.ErrOut, &res.Stats)
	if aggErr != nil {
		return badInput(aggErr)
	}
	return nil
}

// writeObservations writes the result in format through a buffer; JSON and
// CSV stream it a batch of rows at a time, so output adds no memory
// proportional to the observations.
func writeObservations(w io.Writer, format string, res *flowlog.Result, inv *vpc.Inventory, width int) (dropped []string, err error) {
	bw := bufio.NewWriterSize(w, 1<<16)
	switch format {
	case "json":
		err = render.ObservationsJSON(bw, res, inv, readBuild())
	case "csv":
		err = render.ObservationsCSV(bw, res, inv)
	default:
		dropped, err = render.ObservationsTable(bw, res, inv, width)
	}
	if err != nil {
		return nil, err
	}
	return dropped, bw.Flush()
}

// reportObserveStats prints what could not be used to stderr.
func reportObserveStats(w io.Writer, st *flowlog.Stats) {
	in := fmt.Sprintf(" in %d files", st.Files)
	if st.Files == 0 {
		in = "" // an Athena query: its own line says what it read
	}
	fmt.Fprintf(w, "walls: %d records%s -> %d observations (initiator: %d exact, %d by rules, %d heuristic, %d ambiguous records; %d rejected)\n",
		st.Records, in, st.Observations, st.ExactRecords, st.ByRulesRecords, st.HeuristicRecords, st.UndecidedRecords, st.Rejected)
	if st.Records == 0 {
		fmt.Fprintf(w, "walls: warning: no flow records read from any source (%s, %s: %d malformed, %d outside --since/--until, "+
			"%d NODATA or SKIPDATA): there is no traffic to work from\n", plural(st.Files, "file"), plural(int(st.Lines), "line"),
			st.BadLines, st.OutsideTimeRange, st.NoData+st.SkipData)
	}
	if st.UndecidedRecords > 0 {
		fmt.Fprintf(w, "walls: note: %d records left ambiguous: neither flags, the security groups of both ends nor the data tell who started them; "+
			"they are reported once per possible direction (confidence \"ambiguous\")\n", st.UndecidedRecords)
	}
	if st.RuleConflictRecords > 0 {
		fmt.Fprintf(w, "walls: warning: %d accepted records are excluded in every direction by the inventory's security groups: "+
			"the rules changed in the window or the inventory is not the one the flows went through\n", st.RuleConflictRecords)
	}
	if st.UnrecoveredPortRecords > 0 {
		fmt.Fprintf(w, "walls: warning: %d records were started by the side whose port looked ephemeral (the rules prove it), to several ports "+
			"of which only the lowest and highest were kept\n", st.UnrecoveredPortRecords)
	}
	if st.BadLines > 0 {
		fmt.Fprintf(w, "walls: warning: %d malformed lines skipped, first ones:\n", st.BadLines)
		for _, b := range st.BadLineExamples {
			fmt.Fprintf(w, "  %s\n", b)
		}
	}
	if len(st.UndeterminedInterfaces) > 0 {
		fmt.Fprintf(w, "walls: note: %d records of %d interfaces have an undetermined local side: their own address is not told by their records "+
			"(give the inventory or use flow-direction); each is reported with either end as the interface, marked \"local undetermined\": %s\n",
			st.UndeterminedLocalRecords, len(st.UndeterminedInterfaces), strings.Join(st.UndeterminedInterfaces, ", "))
	}
	if st.SkipData > 0 {
		fmt.Fprintf(w, "walls: warning: %d SKIPDATA windows on %s: flows may be missing there\n", st.SkipData, strings.Join(st.SkipDataInterfaces, ", "))
	}
	if st.ForwardedRecords > 0 {
		fmt.Fprintf(w, "walls: note: %d records of forwarding interfaces (NAT or transit gateway, Gateway Load Balancer endpoint) are reported "+
			"apart as forwarded traffic (%d rows: JSON \"forwarded\", the table's second section, CSV rows of kind \"forwarded\"), never as needs of a security group\n", st.ForwardedRecords, st.ForwardedFlows)
	}
}
