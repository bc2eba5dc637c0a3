package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/walls-dev/walls/internal/flowlog"
	"github.com/walls-dev/walls/internal/render"
	"github.com/walls-dev/walls/internal/safe"
	"github.com/walls-dev/walls/internal/vpc"
)

func init() { register(newObserveCmd) }

// ObserveOptions are the inputs of `walls observe`.
type ObserveOptions struct {
	IO     *IOStreams
	Inputs []string // inventory files and folders
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
	opts, err := o.options(o.IO)
	if err != nil {
		return err
	}
	if len(o.Inputs) > 0 {
		if opts.Inventory, err = loadInventory(o.IO, o.Inputs); err != nil {
			return err
		}
	}
	res, aggErr := aggregate(ctx, o.IO, o.Flows, opts)
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

// observationJSON is one observation in the shape README.md documents for observe --format json.
type observationJSON struct {
	InterfaceID          string   `json:"interfaceId"`
	Direction            string   `json:"direction"`
	Protocol             string   `json:"protocol"`
	Port                 uint16   `json:"port"`
	Remote               string   `json:"remote"`
	Local                string   `json:"local,omitempty"`
	Action               string   `json:"action"`
	Flows                uint64   `json:"flows"`
	Packets              uint64   `json:"packets"`
	Bytes                uint64   `json:"bytes"`
	FirstSeen            string   `json:"firstSeen,omitempty"`
	LastSeen             string   `json:"lastSeen,omitempty"`
	Confidence           string   `json:"confidence"`
	InstanceID           string   `json:"instanceId,omitempty"`
	SubnetID             string   `json:"subnetId,omitempty"`
	SecurityGroups       []string `json:"securityGroups,omitempty"`
	RemoteInterfaceID    string   `json:"remoteInterfaceId,omitempty"`
	RemoteSecurityGroups []string `json:"remoteSecurityGroups,omitempty"`
}

// annotate converts an observation, adding inventory facts when known.
func annotate(ob *flowlog.Observation, inv *vpc.Inventory) observationJSON {
	act := "ACCEPT"
	if !ob.Accepted {
		act = "REJECT"
	}
	j := observationJSON{
		InterfaceID: ob.InterfaceID, Direction: ob.Direction.String(), Protocol: flowlog.ProtocolName(ob.Protocol),
		Port: ob.Port, Remote: ob.Remote.String(), Action: act, Flows: ob.Flows, Packets: ob.Packets,
		Bytes: ob.Bytes, Confidence: ob.Confidence.String(),
	}
	if ob.Local.IsValid() {
		j.Local = ob.Local.String()
	}
	if !ob.FirstSeen.IsZero() {
		j.FirstSeen = string(appendRFC3339(nil, ob.FirstSeen))
	}
	if !ob.LastSeen.IsZero() {
		j.LastSeen = string(appendRFC3339(nil, ob.LastSeen))
	}
	if inv == nil {
		return j
	}
	if e := inv.Interfaces[ob.InterfaceID]; e != nil {
		j.InstanceID, j.SubnetID, j.SecurityGroups = e.InstanceID, e.SubnetID, e.GroupIDs
	}
	if e, _ := inv.Index().InterfaceByIP(ob.Remote); e != nil {
		j.RemoteInterfaceID, j.RemoteSecurityGroups = e.ID, e.GroupIDs
	}
	return j
}

// writeObservations streams the result a batch of rows at a time (writeRows),
// so output adds no memory proportional to the observations.
func writeObservations(w io.Writer, format string, res *flowlog.Result, inv *vpc.Inventory, width int) (dropped []string, err error) {
	bw := bufio.NewWriterSize(w, 1<<16)
	switch format {
	case "json":
		err = writeObservationsJSON(bw, res, inv)
	case "csv":
		err = writeObservationsCSV(bw, res, inv)
	default:
		dropped, err = writeObservationsTable(bw, res, inv, width)
	}
	if err != nil {
		return nil, err
	}
	return dropped, bw.Flush()
}

func writeObservationsJSON(w *bufio.Writer, res *flowlog.Result, inv *vpc.Inventory) error {
	w.Write(render.AppendWallsField(nil, readBuild()))
	w.WriteString(",\n  \"observations\": [")
	err := writeRows(w, len(res.Observations), func(b []byte, i int) []byte {
		j := annotate(&res.Observations[i], inv)
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n    "...)
		return appendObservationJSON(b, &j)
	})
	if err != nil {
		return err
	}
	if len(res.Observations) > 0 {
		w.WriteString("\n  ")
	}
	w.WriteString("],\n  \"stats\": ")
	b, err := json.MarshalIndent(res.Stats, "  ", "  ")
	if err != nil {
		return err
	}
	w.Write(b)
	_, err = w.WriteString("\n}\n")
	return err
}

func writeObservationsCSV(w *bufio.Writer, res *flowlog.Result, inv *vpc.Inventory) error {
	w.WriteString("interfaceId,direction,protocol,port,remote,local,action,flows,packets,bytes,firstSeen,lastSeen," +
		"confidence,instanceId,subnetId,securityGroups,remoteInterfaceId,remoteSecurityGroups\n")
	return writeRows(w, len(res.Observations), func(b []byte, i int) []byte {
		return appendObservationCSV(b, &res.Observations[i], inv)
	})
}

// writeRows writes rows 0..n-1, each appended to a buffer by row, in order.
// Rows are formatted in parallel, a batch at a time, so output keeps pace
// with the merge on every core and holds one batch of text, not all of it.
func writeRows(w io.Writer, n int, row func(b []byte, i int) []byte) error {
	const batch = 4096
	parts := runtime.GOMAXPROCS(0)
	bufs := make([][]byte, parts)
	for from := 0; from < n; from += batch {
		to := min(from+batch, n)
		per := (to - from + parts - 1) / parts
		var g safe.Group
		for p := range parts {
			lo, hi := min(to, from+p*per), min(to, from+(p+1)*per)
			g.Go(func() {
				b := bufs[p][:0]
				for i := lo; i < hi; i++ {
					b = row(b, i)
				}
				bufs[p] = b
			})
		}
		g.Wait()
		for _, b := range bufs {
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
	}
	return nil
}

// appendObservationCSV appends one CSV row.
func appendObservationCSV(b []byte, ob *flowlog.Observation, inv *vpc.Inventory) []byte {
	b = appendCSV(b, ob.InterfaceID)
	b = append(b, ',')
	b = append(b, ob.Direction.String()...)
	b = append(b, ',')
	b = appendCSV(b, flowlog.ProtocolName(ob.Protocol))
	b = append(b, ',')
	b = strconv.AppendUint(b, uint64(ob.Port), 10)
	b = append(b, ',')
	b = ob.Remote.AppendTo(b)
	b = append(b, ',')
	if ob.Local.IsValid() {
		b = ob.Local.AppendTo(b)
	}
	b = append(b, ',')
	if ob.Accepted {
		b = append(b, "ACCEPT,"...)
	} else {
		b = append(b, "REJECT,"...)
	}
	b = strconv.AppendUint(b, ob.Flows, 10)
	b = append(b, ',')
	b = strconv.AppendUint(b, ob.Packets, 10)
	b = append(b, ',')
	b = strconv.AppendUint(b, ob.Bytes, 10)
	b = append(b, ',')
	if !ob.FirstSeen.IsZero() {
		b = appendRFC3339(b, ob.FirstSeen)
	}
	b = append(b, ',')
	if !ob.LastSeen.IsZero() {
		b = appendRFC3339(b, ob.LastSeen)
	}
	b = append(b, ',')
	b = append(b, ob.Confidence.String()...)
	b = append(b, ',')
	if inv != nil {
		j := annotate(ob, inv)
		b = appendCSV(b, j.InstanceID)
		b = append(b, ',')
		b = appendCSV(b, j.SubnetID)
		b = append(b, ',')
		b = appendCSV(b, strings.Join(j.SecurityGroups, " "))
		b = append(b, ',')
		b = appendCSV(b, j.RemoteInterfaceID)
		b = append(b, ',')
		b = appendCSV(b, strings.Join(j.RemoteSecurityGroups, " "))
	} else {
		b = append(b, ",,,,"...)
	}
	return append(b, '\n')
}

// appendRFC3339 appends t in UTC as time.RFC3339 does. Flow log times are
// whole seconds in years 0-9999, written here digit by digit; anything
// else goes through AppendFormat. (Two per output row: the general
// formatter was half the cost of a CSV row.)
func appendRFC3339(b []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	if t.Nanosecond() != 0 || y < 0 || y > 9999 {
		return t.AppendFormat(b, time.RFC3339)
	}
	h, mi, s := t.Clock()
	two := func(b []byte, v int) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }
	b = two(b, y/100)
	b = two(b, y%100)
	b = append(b, '-')
	b = two(b, int(mo))
	b = append(b, '-')
	b = two(b, d)
	b = append(b, 'T')
	b = two(b, h)
	b = append(b, ':')
	b = two(b, mi)
	b = append(b, ':')
	b = two(b, s)
	return append(b, 'Z')
}

// appendCSV writes one CSV field, quoted when it must be (RFC 4180, as
// encoding/csv does).
func appendCSV(b []byte, s string) []byte {
	if r, _ := utf8.DecodeRuneInString(s); s == "" || !strings.ContainsAny(s, ",\"\r\n") && !unicode.IsSpace(r) && s != `\.` {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// writeObservationsTable renders the observations for people, fitted to
// width by leaving out the least needed columns (render.ColumnTable),
// which it returns.
func writeObservationsTable(w *bufio.Writer, res *flowlog.Result, inv *vpc.Inventory, width int) ([]string, error) {
	t := render.ColumnTable{Header: []string{"INTERFACE", "DIRECTION", "PROTO", "PORT", "REMOTE", "ACTION", "FLOWS",
		"PACKETS", "BYTES", "CONFIDENCE", "FIRST SEEN", "LAST SEEN"},
		// Least needed first: volumes, then times, then the inventory's
		// annotations; who talked to whom, how, and how sure, stay.
		DropOrder: []int{7, 8, 11, 10, 14, 12, 13}}
	if inv != nil {
		t.Header = append(t.Header, "INSTANCE", "GROUPS", "REMOTE INTERFACE")
	}
	for i := range res.Observations {
		j := annotate(&res.Observations[i], inv)
		row := []string{j.InterfaceID, j.Direction, j.Protocol, strconv.Itoa(int(j.Port)), j.Remote, j.Action,
			u64(j.Flows), u64(j.Packets), u64(j.Bytes), j.Confidence, dash(j.FirstSeen), dash(j.LastSeen)}
		if inv != nil {
			remote := j.RemoteInterfaceID
			if len(j.RemoteSecurityGroups) > 0 {
				remote += " (" + strings.Join(j.RemoteSecurityGroups, ",") + ")"
			}
			row = append(row, dash(j.InstanceID), dash(strings.Join(j.SecurityGroups, ",")), dash(remote))
		}
		t.Rows = append(t.Rows, row)
	}
	return t.Render(w, width)
}

// reportObserveStats prints what could not be used to stderr.
func reportObserveStats(w io.Writer, st *flowlog.Stats) {
	fmt.Fprintf(w, "walls: %d records in %d files -> %d observations (initiator: %d exact, %d by rules, %d heuristic, %d ambiguous records; %d rejected)\n",
		st.Records, st.Files, st.Observations, st.ExactRecords, st.ByRulesRecords, st.HeuristicRecords, st.UndecidedRecords, st.Rejected)
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
	if len(st.AmbiguousInterfaces) > 0 {
		fmt.Fprintf(w, "walls: warning: %d records of %d interfaces left out: their own address is ambiguous (give the inventory or use flow-direction): %s\n",
			st.AmbiguousRecords, len(st.AmbiguousInterfaces), strings.Join(st.AmbiguousInterfaces, ", "))
	}
	if st.SkipData > 0 {
		fmt.Fprintf(w, "walls: warning: %d SKIPDATA windows on %s: flows may be missing there\n", st.SkipData, strings.Join(st.SkipDataInterfaces, ", "))
	}
	if st.Transit > 0 {
		fmt.Fprintf(w, "walls: note: %d records of forwarding interfaces (NAT, transit gateway) left out\n", st.Transit)
	}
}

// drawProgress redraws one status line on a terminal's stderr.
func u64(v uint64) string { return strconv.FormatUint(v, 10) }

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
