package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/pflag"

	"github.com/walls-dev/walls/internal/flowlog"
	"github.com/walls-dev/walls/internal/flowsrc"
	"github.com/walls-dev/walls/internal/vpc"
)

// flowFlags are the flags of every command that reads VPC Flow Logs
// (observe, learn, replay, audit), parsed the same way everywhere.
type flowFlags struct {
	Flows       []string
	Since       string
	Until       string
	FlowFormat  string
	MaxBadLines string
	Workers     int
	athena      athenaFlags // athena.go
	// AWS reaches remote sources (s3://, cloudwatch://, athena://):
	// profile, region and role. It points at the command's own awsFlags
	// (registered with --aws), so the flags are one set; nil reads as the
	// SDK's defaults.
	AWS *awsFlags
	// now is the clock for relative --since/--until; tests set it.
	now func() time.Time
}

// addFlags registers the flow flags; verb says what the command does with
// the records in a window ("keep", "learn from", "replay").
func (f *flowFlags) addFlags(fs *pflag.FlagSet, verb string) {
	fs.StringSliceVar(&f.Flows, "flows", nil, "flow log sources: files, folders, - for stdin, s3://BUCKET[/PREFIX], cloudwatch://LOG-GROUP[/STREAM-PREFIX] (repeatable, comma-separated)")
	fs.StringVar(&f.Since, "since", "", verb+" records from this time: RFC 3339, YYYY-MM-DD, Unix seconds, or a duration ago (24h)")
	fs.StringVar(&f.Until, "until", "", verb+" records before this time (same forms as --since)")
	fs.StringVar(&f.FlowFormat, "flow-format", "", "field order of sources without a header line, as AWS LogFormat: '${version} ${account-id} ...'")
	fs.StringVar(&f.MaxBadLines, "max-bad-lines", "1%", "fail (exit 2) when more than this share of lines is malformed")
	fs.IntVar(&f.Workers, "workers", 0, "parsing goroutines, 1 to "+strconv.Itoa(flowlog.MaxWorkers)+" (default: all cores)")
	f.athena.addFlags(fs)
}

// aggregate reads f.Flows: remote sources are resolved into objects
// (S3 listed now), then everything goes through flowlog.Aggregate.
func (f *flowFlags) aggregate(ctx context.Context, ios *IOStreams, opts flowlog.Options) (*flowlog.Result, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if src, ok, err := athenaSource(f.Flows); ok || err != nil {
		if err != nil {
			return nil, err
		}
		return aggregateAthena(ctx, ios, src, opts, f.aws())
	}
	local, err := f.remoteSources(ctx, ios, &opts)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err() // interrupted while listing: not bad input
		}
		return nil, err
	}
	return aggregate(ctx, ios, local, opts)
}

// remoteSources dispatches the values of --flows on their scheme: local
// paths are returned, remote ones become opts.Objects. Every value is
// checked before AWS is contacted.
func (f *flowFlags) remoteSources(ctx context.Context, ios *IOStreams, opts *flowlog.Options) (local []string, err error) {
	var remote []string
	for _, v := range f.Flows {
		switch scheme := flowsrc.Scheme(v); scheme {
		case "":
			local = append(local, v)
		case "s3":
			if _, _, err := flowsrc.ParseS3URL(v); err != nil {
				return nil, badInputf("--flows %v", err)
			}
			remote = append(remote, v)
		case "cloudwatch":
			if _, _, err := flowsrc.ParseCloudWatchURL(v); err != nil {
				return nil, badInputf("--flows %v", err)
			}
			remote = append(remote, v)
		default:
			return nil, badInputf("--flows %q: unknown source scheme %s://; expected a file, a folder, -, s3://BUCKET[/PREFIX] or cloudwatch://LOG-GROUP[/STREAM-PREFIX]", v, scheme)
		}
	}
	if len(remote) == 0 {
		return local, nil
	}
	cfg, err := f.awsConfig(ctx)
	if err != nil {
		return nil, err
	}
	w := flowsrc.Window{Since: opts.Since, Until: opts.Until}
	for _, v := range remote {
		var objs []flowlog.Object
		switch flowsrc.Scheme(v) {
		case "s3":
			objs, err = listS3(ctx, ios, cfg, v, w)
		case "cloudwatch":
			objs, err = f.cloudWatch(ctx, ios, cfg, v, w, opts.Format)
		}
		if err != nil {
			return nil, err
		}
		opts.Objects = append(opts.Objects, objs...)
	}
	return local, nil
}

// aws is the AWS flags remote sources use: the command's, or none.
func (f *flowFlags) aws() *awsFlags {
	if f.AWS == nil {
		return &awsFlags{}
	}
	return f.AWS
}

// awsConfig loads the SDK configuration for remote sources: one region
// (or the configured one) and at most one role.
func (f *flowFlags) awsConfig(ctx context.Context) (aws.Config, error) {
	return f.aws().sourceConfig(ctx)
}

// listS3 lists an s3:// source, with a spinner on a terminal, and says on
// stderr what was found and left out.
func listS3(ctx context.Context, ios *IOStreams, cfg aws.Config, url string, w flowsrc.Window) ([]flowlog.Object, error) {
	opts := flowsrc.S3Options{Window: w}
	if ios.showProgress() {
		bar := newProgress(ios.ErrOut, "listing "+url)
		defer stopProgress(bar)
		opts.Listed = func(n int, bytes int64) {
			bar.Describe(fmt.Sprintf("walls: listing %s: %d objects", url, n))
			bar.Set64(bytes)
		}
	}
	l, err := flowsrc.ListS3(ctx, cfg, url, opts)
	if err != nil {
		var ue *flowsrc.URLError
		if errors.As(err, &ue) {
			return nil, badInputf("--flows %v", err)
		}
		return nil, badInputf("--flows %s: %v", url, err)
	}
	for _, n := range l.Notes {
		fmt.Fprintf(ios.ErrOut, "walls: note: %s\n", n)
	}
	pruned := ""
	if l.Pruned > 0 {
		pruned = fmt.Sprintf(", %d folders and files outside the time window left out", l.Pruned)
	}
	layout := "the AWSLogs delivery layout"
	if l.Layout == "flat" {
		layout = "no delivery layout (every object under the prefix)"
	}
	fmt.Fprintf(ios.ErrOut, "walls: note: %s: %d objects, %s, bucket in %s, %s (%d list requests%s)\n",
		url, len(l.Objects), humanBytes(l.Bytes), l.Region, layout, l.Requests, pruned)
	if len(l.Objects) == 0 {
		return nil, badInputf("--flows %s: no flow log objects found%s", url, windowWords(w))
	}
	return l.Objects, nil
}

func windowWords(w flowsrc.Window) string {
	if w.Since.IsZero() && w.Until.IsZero() {
		return ""
	}
	return " for the --since/--until window"
}

// humanBytes renders a size in decimal units.
func humanBytes(n int64) string {
	switch {
	case n >= 1e12:
		return fmt.Sprintf("%.2f TB", float64(n)/1e12)
	case n >= 1e9:
		return fmt.Sprintf("%.2f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d bytes", n)
}

// cloudWatch makes a cloudwatch:// source an object with its format: the
// flow log definition's (ec2:DescribeFlowLogs), else --flow-format, else
// the default; it says which on stderr. A denied DescribeFlowLogs is a
// note; a group fed by flow logs of different formats needs --flow-format.
func (f *flowFlags) cloudWatch(ctx context.Context, ios *IOStreams, cfg aws.Config, url string, w flowsrc.Window, flag *flowlog.Format) ([]flowlog.Object, error) {
	group, prefix, _ := flowsrc.ParseCloudWatchURL(url)
	if cfg.Region == "" {
		return nil, badInputf("--flows %s: no AWS region: give --region or set AWS_REGION (a log group lives in one region)", url)
	}
	cw := &flowsrc.CloudWatch{Client: cloudwatchlogs.NewFromConfig(cfg), Group: group, StreamPrefix: prefix, Window: w}
	formats, err := flowsrc.FlowLogFormats(ctx, ec2.NewFromConfig(cfg), group)
	fallback := "the default version-2 format"
	if flag != nil {
		fallback = "--flow-format"
	}
	switch {
	case err != nil:
		fmt.Fprintf(ios.ErrOut, "walls: note: %s: the flow log definition could not be read (ec2:DescribeFlowLogs: %v); records read in %s\n", url, err, fallback)
	case len(formats) == 0:
		fmt.Fprintf(ios.ErrOut, "walls: note: %s: no flow log in %s delivers to this group (ec2:DescribeFlowLogs); records read in %s\n", url, cfg.Region, fallback)
	case len(formats) == 1:
		for text, ids := range formats {
			if cw.Fields, err = flowlog.ParseLogFormat(text); err != nil {
				return nil, badInputf("--flows %s: the format of flow log %s cannot be read: %v", url, strings.Join(ids, ", "), err)
			}
			fmt.Fprintf(ios.ErrOut, "walls: note: %s: records read in the format of flow log %s (ec2:DescribeFlowLogs)\n", url, strings.Join(ids, ", "))
			if flag != nil {
				fmt.Fprintf(ios.ErrOut, "walls: note: %s: --flow-format is not used for this group\n", url)
			}
		}
	default:
		var list []string
		for text, ids := range formats {
			list = append(list, strings.Join(ids, ",")+": "+text)
		}
		sort.Strings(list)
		if flag == nil {
			return nil, badInputf("--flows %s: flow logs of %d formats deliver to this group (%s); name the one to read with --flow-format", url, len(formats), strings.Join(list, "; "))
		}
		fmt.Fprintf(ios.ErrOut, "walls: note: %s: flow logs of %d formats deliver to this group; records read in --flow-format\n", url, len(formats))
	}
	return []flowlog.Object{cw}, nil
}

// options turns the flags into flowlog options; every problem is bad
// usage (exit 2). The caller sets the inventory.
func (f *flowFlags) options(ios *IOStreams) (flowlog.Options, error) {
	if f.Workers < 0 || f.Workers > flowlog.MaxWorkers {
		return flowlog.Options{}, badInputf("--workers %d: expected 1 to %d (leave it out for one per core)", f.Workers, flowlog.MaxWorkers)
	}
	opts := flowlog.Options{Workers: f.Workers, Stdin: ios.In}
	now := time.Now
	if f.now != nil {
		now = f.now
	}
	var err error
	if opts.Since, err = parseTimeFlag("--since", f.Since, now()); err != nil {
		return opts, err
	}
	if opts.Until, err = parseTimeFlag("--until", f.Until, now()); err != nil {
		return opts, err
	}
	if !opts.Since.IsZero() && !opts.Until.IsZero() && !opts.Until.After(opts.Since) {
		return opts, badInputf("--until %s is not after --since %s", f.Until, f.Since)
	}
	if f.FlowFormat != "" {
		if opts.Format, err = flowlog.ParseLogFormat(f.FlowFormat); err != nil {
			return opts, badInputf("--flow-format: %v", err)
		}
	}
	if opts.MaxBadRatio, err = parseRatio(f.MaxBadLines); err != nil {
		return opts, err
	}
	return opts, f.printAthenaSQL(ios, opts)
}

// aggregate runs flowlog.Aggregate with a progress line on a terminal. It
// returns what Aggregate returns: a partial result may come with an error.
func aggregate(ctx context.Context, ios *IOStreams, sources []string, opts flowlog.Options) (res *flowlog.Result, err error) {
	if ctx == nil {
		ctx = context.Background()
	}
	defer gcWhileSmall()()
	var stdin *countingReader
	for _, src := range sources {
		if src == "-" && opts.Stdin != nil {
			stdin = &countingReader{r: opts.Stdin}
			opts.Stdin = stdin
			break
		}
	}
	if stdin != nil {
		defer func() {
			if res != nil && stdin.n.Load() == 0 {
				fmt.Fprintln(ios.ErrOut, "walls: warning: no records read from stdin: it was empty")
			}
		}()
	}
	if ios.showProgress() {
		bar := newProgress(ios.ErrOut, "reading flow logs")
		defer stopProgress(bar)
		opts.Progress = func(pr flowlog.Progress) {
			if pr.Total > 0 {
				bar.ChangeMax64(pr.Total)
			}
			if pr.Sources > 1 {
				bar.Describe(fmt.Sprintf("walls: reading flow logs: %d/%d sources:", pr.Done, pr.Sources))
			}
			bar.Set64(pr.Read)
		}
	}
	res, err = flowlog.Aggregate(ctx, sources, opts)
	if res != nil {
		for _, s := range res.Stats.SkippedFiles {
			fmt.Fprintf(ios.ErrOut, "walls: warning: skipped %s\n", s)
		}
	}
	return res, err
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// newProgress is the progress bar of long reads, drawn on stderr only when
// it is a terminal (the caller decides). The total is set once known;
// until then (stdin) it spins. flowlog reports about five times a second,
// so every report is drawn.
func newProgress(w io.Writer, what string) *progressbar.ProgressBar {
	return progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("walls: "+what+":"),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionSetRenderBlankState(true), // show it at once, before the first report
		progressbar.OptionClearOnFinish())
}

// stopProgress finishes a bar and clears its line. Clear alone would
// leave the bar's spinner goroutine (a bar of unknown length has one)
// drawing on stderr after the command ends.
func stopProgress(bar *progressbar.ProgressBar) {
	bar.Finish()
	bar.Clear()
}

// aggregateFlows reads the flow sources into observations for the commands
// that need all of them (learn, replay, audit), reporting what could not be
// used on stderr. Any problem with the input is bad input (exit 2).
func aggregateFlows(ctx context.Context, ios *IOStreams, inv *vpc.Inventory, f *flowFlags) (*flowlog.Result, flowlog.Options, error) {
	opts, err := f.options(ios)
	if err != nil {
		return nil, opts, err
	}
	opts.Inventory = inv
	res, aggErr := f.aggregate(ctx, ios, opts)
	var ee *exitError
	if res == nil && ctx != nil && ctx.Err() != nil {
		return nil, opts, ctx.Err()
	}
	if res == nil && errors.As(aggErr, &ee) {
		return nil, opts, aggErr // a remote source refused, already worded
	}
	if res == nil || aggErr != nil {
		return nil, opts, badInputf("--flows: %v", aggErr)
	}
	reportObserveStats(ios.ErrOut, &res.Stats)
	return res, opts, nil
}

// parseTimeFlag reads RFC 3339, a date, Unix seconds, or a duration ago.
func parseTimeFlag(name, s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
		return time.Unix(n, 0).UTC(), nil
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, badInputf("%s %q: expected RFC 3339 (2026-11-24T10:00:00Z), a date (2026-11-24), Unix seconds, or a duration ago (24h)", name, s)
}

// parseRatio reads "1%", "0.5%" or a plain percentage "1"; "-1" disables.
func parseRatio(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "%"), 64)
	switch {
	case err != nil || math.IsNaN(v) || math.IsInf(v, 0):
		return 0, badInputf("--max-bad-lines %q: expected a finite percentage such as 1%% or 0.1%%, or -1 for no limit", s)
	case v < 0:
		return -1, nil
	case v == 0:
		return 1e-12, nil // zero tolerance (0 would mean the default)
	}
	return v / 100, nil
}

// isTooManyBadLines reports whether err is the bad-line threshold failing.
func isTooManyBadLines(err error) bool {
	var tooMany *flowlog.TooManyBadLinesError
	return errors.As(err, &tooMany)
}
