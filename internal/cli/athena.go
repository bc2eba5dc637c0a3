package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/pflag"

	"github.com/walls-dev/walls/internal/athena"
	"github.com/walls-dev/walls/internal/flowlog"
)

// athenaFlags are the flow flags only athena:// sources read.
type athenaFlags struct {
	PrintSQL bool
}

func (f *athenaFlags) addFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&f.PrintSQL, "print-sql", false, "with --flows athena://…: print the query walls would run (for AWS's flow-log table) and exit, without credentials")
}

// athenaPoll is the first wait between polls of a running query (doubled
// each time, up to 5 s); tests shorten it.
var athenaPoll = 200 * time.Millisecond

// athenaSource reports whether sources name an Athena table; it must then
// be the only source.
func athenaSource(sources []string) (athena.Source, bool, error) {
	var src athena.Source
	found := false
	for _, s := range sources {
		if !strings.HasPrefix(s, "athena:") {
			continue
		}
		if len(sources) > 1 {
			return src, true, badInputf("--flows %s: an athena:// source must be the only flow source (the query reads the whole table)", s)
		}
		var err error
		if src, err = athena.ParseURL(s); err != nil {
			return src, true, badInputf("--flows %v", err)
		}
		found = true
	}
	return src, found, nil
}

// printAthenaSQL handles --print-sql: the query for AWS's documented
// flow-log table (README: the DDL walls documents, partitioned by day with
// projection), written without reaching AWS. It returns a zero exit error
// when it printed, so the command ends there.
func (f *flowFlags) printAthenaSQL(ios *IOStreams, opts flowlog.Options) error {
	if !f.athena.PrintSQL {
		return nil
	}
	src, ok, err := athenaSource(f.Flows)
	if err != nil {
		return err
	}
	if !ok {
		return badInputf("--print-sql needs --flows %s", athena.URLForm)
	}
	sql, warnings, err := athena.SQL(athena.DocumentedTable(src.Database, src.Table),
		athena.Query{Since: opts.Since, Until: opts.Until, ServicePorts: opts.ServicePorts})
	if err != nil {
		return badInput(err)
	}
	for _, w := range warnings {
		fmt.Fprintln(ios.ErrOut, "walls: warning: "+w)
	}
	fmt.Fprintf(ios.Out, "-- walls' flow-log aggregation: one row per fact (kind 0), with the interfaces' addresses\n"+
		"-- (1, 2), ids (3), SKIPDATA windows (4) and record counts (5) the local merge needs.\n"+
		"-- For a table with the columns and the day partition of walls' README; walls reads\n"+
		"-- the table's own columns and partitions (athena:GetTableMetadata) before it runs the query.\n%s;\n", sql)
	return &exitError{code: ExitOK}
}

// aggregateAthena runs the aggregation in Athena: the query, its progress
// (state, elapsed time, data scanned) on a terminal, then what it scanned
// and cost on stderr. af gives the profile, region and role (nil: the
// SDK's defaults: AWS_PROFILE, AWS_REGION, …).
func aggregateAthena(ctx context.Context, ios *IOStreams, src athena.Source, opts flowlog.Options, af *awsFlags) (*flowlog.Result, error) {
	if af == nil {
		af = &awsFlags{}
	}
	cfg, err := af.sourceConfig(ctx)
	if err != nil {
		return nil, err
	}
	r := &athena.Runner{Client: sdk.NewFromConfig(cfg), Poll: athenaPoll}
	var bar *progressbar.ProgressBar
	if ios.showProgress() {
		bar = newProgress(ios.ErrOut, "Athena query")
		r.Progress = func(state string, elapsed time.Duration, scanned int64) {
			bar.Describe(fmt.Sprintf("walls: Athena query %s, %s, %s scanned:", strings.ToLower(state), elapsed.Round(time.Second), humanBytes(scanned)))
			bar.Set64(scanned)
		}
	}
	res, st, warnings, err := athena.Aggregate(ctx, r, src, opts)
	if bar != nil {
		stopProgress(bar)
	}
	for _, w := range warnings {
		fmt.Fprintln(ios.ErrOut, "walls: warning: "+w)
	}
	if st.QueryID != "" {
		fmt.Fprintf(ios.ErrOut, "walls: Athena query %s scanned %s in %s: %s at $%.2f per TB (10 MB minimum); %d result rows\n",
			st.QueryID, humanBytes(st.Scanned), st.Elapsed.Round(time.Millisecond), dollars(athena.Cost(st.Scanned)), athena.DollarsPerTB, st.Rows)
	}
	if err != nil {
		var qe *athena.QueryError
		if errors.As(err, &qe) || athena.IsBadTable(err) {
			return nil, badInput(err)
		}
		return res, err // with a result: too many malformed records
	}
	return res, nil
}

// dollars renders a price: cents, or six decimals below a cent.
func dollars(v float64) string {
	if v < 0.01 {
		return fmt.Sprintf("$%.6f", v)
	}
	return fmt.Sprintf("$%.2f", v)
}
