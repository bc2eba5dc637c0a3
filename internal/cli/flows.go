package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/pflag"

	"github.com/walls-dev/walls/internal/flowlog"
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
	// now is the clock for relative --since/--until; tests set it.
	now func() time.Time
}

// addFlags registers the flow flags; verb says what the command does with
// the records in a window ("keep", "learn from", "replay").
func (f *flowFlags) addFlags(fs *pflag.FlagSet, verb string) {
	fs.StringSliceVar(&f.Flows, "flows", nil, "flow log sources: files, folders, or - for stdin (repeatable, comma-separated)")
	fs.StringVar(&f.Since, "since", "", verb+" records from this time: RFC 3339, YYYY-MM-DD, Unix seconds, or a duration ago (24h)")
	fs.StringVar(&f.Until, "until", "", verb+" records before this time (same forms as --since)")
	fs.StringVar(&f.FlowFormat, "flow-format", "", "field order of sources without a header line, as AWS LogFormat: '${version} ${account-id} ...'")
	fs.StringVar(&f.MaxBadLines, "max-bad-lines", "1%", "fail (exit 2) when more than this share of lines is malformed")
	fs.IntVar(&f.Workers, "workers", 0, "parsing goroutines, 1 to "+strconv.Itoa(flowlog.MaxWorkers)+" (default: all cores)")
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
	return opts, nil
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
		defer bar.Clear()
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

// aggregateFlows reads the flow sources into observations for the commands
// that need all of them (learn, replay, audit), reporting what could not be
// used on stderr. Any problem with the input is bad input (exit 2).
func aggregateFlows(ctx context.Context, ios *IOStreams, inv *vpc.Inventory, f *flowFlags) (*flowlog.Result, flowlog.Options, error) {
	opts, err := f.options(ios)
	if err != nil {
		return nil, opts, err
	}
	opts.Inventory = inv
	res, aggErr := aggregate(ctx, ios, f.Flows, opts)
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
