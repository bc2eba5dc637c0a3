package athena

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/walls-dev/walls/internal/flowlog"
)

// Source is a parsed athena:// flow source.
type Source struct {
	Database, Table string
	WorkGroup       string // "" : the account's primary work group
	Output          string // s3://… query result location; "" : the work group's
}

// URLForm is the expected form of an athena:// source, for messages.
const URLForm = "athena://DATABASE.TABLE[?workgroup=NAME&output=s3://BUCKET/PREFIX/]"

var nameRE = regexp.MustCompile(`^[A-Za-z0-9_]{1,255}$`)

// ParseURL reads athena://DATABASE.TABLE[?workgroup=W&output=s3://…].
func ParseURL(s string) (Source, error) {
	bad := func(why string) (Source, error) {
		return Source{}, fmt.Errorf("%s: %s; expected %s", s, why, URLForm)
	}
	rest, ok := strings.CutPrefix(s, "athena://")
	if !ok {
		return bad("not an athena:// URL")
	}
	path, query, _ := strings.Cut(rest, "?")
	db, table, ok := strings.Cut(path, ".")
	if !ok || !nameRE.MatchString(db) || !nameRE.MatchString(table) {
		return bad("the database and table must be names of letters, digits and underscores, joined by a dot")
	}
	src := Source{Database: db, Table: table}
	vals, err := url.ParseQuery(query)
	if err != nil {
		return bad("bad query string")
	}
	for k, v := range vals {
		if len(v) != 1 || v[0] == "" {
			return bad(k + " must be given once, with a value")
		}
		switch k {
		case "workgroup":
			if !regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`).MatchString(v[0]) {
				return bad("workgroup " + v[0] + " is not a work group name")
			}
			src.WorkGroup = v[0]
		case "output":
			if !strings.HasPrefix(v[0], "s3://") || len(v[0]) <= len("s3://") {
				return bad("output " + v[0] + " is not an s3:// location")
			}
			src.Output = v[0]
		default:
			return bad("unknown parameter " + k)
		}
	}
	return src, nil
}

// Runner runs queries through an Athena client.
type Runner struct {
	Client *sdk.Client
	// Poll is the first wait between GetQueryExecution calls, doubled
	// after each up to MaxPoll; zero values mean 200 ms and 5 s.
	Poll, MaxPoll time.Duration
	// Progress, when set, is called after each poll.
	Progress func(state string, elapsed time.Duration, scanned int64)

	after func(time.Duration) <-chan time.Time // time.After; tests record the waits
}

// Stats describe a finished query.
type Stats struct {
	QueryID string
	Scanned int64 // DataScannedInBytes
	Elapsed time.Duration
	Rows    int
}

// Price per byte scanned: $5.00 per TB (taken as 2^40 bytes), at least 10
// MB (2^20 bytes each) per query, bytes rounded up to whole MB - Athena's
// published SQL query price, checked 2026-12-01.
const (
	DollarsPerTB = 5.00
	minBilled    = 10 << 20
)

// Cost is the price of a query that scanned this many bytes.
func Cost(scanned int64) float64 {
	const mb = 1 << 20
	billed := max(minBilled, (scanned+mb-1)/mb*mb)
	return float64(billed) / (1 << 40) * DollarsPerTB
}

// QueryError is a query Athena ended FAILED or CANCELLED.
type QueryError struct {
	ID, State, Reason string
}

func (e *QueryError) Error() string {
	reason := e.Reason
	if reason == "" {
		reason = "no reason given"
	}
	return fmt.Sprintf("Athena query %s %s: %s", e.ID, strings.ToLower(e.State), reason)
}

// Table reads the table's columns, partition keys and properties.
func (r *Runner) Table(ctx context.Context, src Source) (*Table, error) {
	out, err := r.Client.GetTableMetadata(ctx, &sdk.GetTableMetadataInput{
		CatalogName: aws.String("AwsDataCatalog"), DatabaseName: aws.String(src.Database), TableName: aws.String(src.Table)})
	if err != nil {
		return nil, fmt.Errorf("athena:GetTableMetadata %s.%s: %w", src.Database, src.Table, err)
	}
	tm := out.TableMetadata
	if tm == nil {
		return nil, fmt.Errorf("athena:GetTableMetadata %s.%s: no table metadata in the answer", src.Database, src.Table)
	}
	t := &Table{Database: src.Database, Name: src.Table, Parameters: tm.Parameters}
	for _, c := range tm.Columns {
		t.Columns = append(t.Columns, Column{Name: aws.ToString(c.Name), Type: aws.ToString(c.Type)})
	}
	for _, c := range tm.PartitionKeys {
		t.Partitions = append(t.Partitions, Column{Name: aws.ToString(c.Name), Type: aws.ToString(c.Type)})
	}
	return t, nil
}

// Run starts the query, waits for it with capped back-off, and hands each
// result row (after the header) to each. Cancelling ctx stops the query.
func (r *Runner) Run(ctx context.Context, src Source, sql string, each func(row []*string) error) (Stats, error) {
	var st Stats
	begin := time.Now()
	var tok [16]byte
	rand.Read(tok[:])
	in := &sdk.StartQueryExecutionInput{
		QueryString:           aws.String(sql),
		ClientRequestToken:    aws.String(hex.EncodeToString(tok[:])),
		QueryExecutionContext: &types.QueryExecutionContext{Database: aws.String(src.Database), Catalog: aws.String("AwsDataCatalog")},
	}
	if src.WorkGroup != "" {
		in.WorkGroup = aws.String(src.WorkGroup)
	}
	if src.Output != "" {
		in.ResultConfiguration = &types.ResultConfiguration{OutputLocation: aws.String(src.Output)}
	}
	out, err := r.Client.StartQueryExecution(ctx, in)
	if err != nil {
		return st, fmt.Errorf("athena:StartQueryExecution: %w", err)
	}
	st.QueryID = aws.ToString(out.QueryExecutionId)
	stop := func() {
		// The caller's context is done: stop with a fresh one, briefly.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		r.Client.StopQueryExecution(sctx, &sdk.StopQueryExecutionInput{QueryExecutionId: aws.String(st.QueryID)})
	}
	wait, maxWait := r.Poll, r.MaxPoll
	if wait <= 0 {
		wait = 200 * time.Millisecond
	}
	if maxWait <= 0 {
		maxWait = 5 * time.Second
	}
	for {
		q, err := r.Client.GetQueryExecution(ctx, &sdk.GetQueryExecutionInput{QueryExecutionId: aws.String(st.QueryID)})
		if err != nil {
			if ctx.Err() != nil {
				stop()
				return st, ctx.Err()
			}
			return st, fmt.Errorf("athena:GetQueryExecution %s: %w", st.QueryID, err)
		}
		var state types.QueryExecutionState
		var reason string
		if qe := q.QueryExecution; qe != nil {
			if qe.Status != nil {
				state, reason = qe.Status.State, aws.ToString(qe.Status.StateChangeReason)
				if qe.Status.AthenaError != nil && reason == "" {
					reason = aws.ToString(qe.Status.AthenaError.ErrorMessage)
				}
			}
			if qe.Statistics != nil {
				st.Scanned = aws.ToInt64(qe.Statistics.DataScannedInBytes)
			}
		}
		st.Elapsed = time.Since(begin)
		if r.Progress != nil {
			r.Progress(string(state), st.Elapsed, st.Scanned)
		}
		switch state {
		case types.QueryExecutionStateSucceeded:
			return st, r.results(ctx, &st, each, stop)
		case types.QueryExecutionStateFailed, types.QueryExecutionStateCancelled:
			return st, &QueryError{ID: st.QueryID, State: string(state), Reason: reason}
		}
		select {
		case <-ctx.Done():
			stop()
			return st, ctx.Err()
		case <-r.wait(wait):
		}
		wait = min(2*wait, maxWait)
	}
}

func (r *Runner) wait(d time.Duration) <-chan time.Time {
	if r.after != nil {
		return r.after(d)
	}
	return time.After(d)
}

func (r *Runner) results(ctx context.Context, st *Stats, each func(row []*string) error, stop func()) error {
	p := sdk.NewGetQueryResultsPaginator(r.Client, &sdk.GetQueryResultsInput{QueryExecutionId: aws.String(st.QueryID), MaxResults: aws.Int32(1000)})
	header := true
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("athena:GetQueryResults %s: %w", st.QueryID, err)
		}
		if page.ResultSet == nil {
			continue
		}
		for _, row := range page.ResultSet.Rows {
			vals := make([]*string, len(row.Data))
			for i, d := range row.Data {
				vals[i] = d.VarCharValue
			}
			if header {
				// The first row of a SELECT's results names the columns.
				header = false
				if err := checkHeader(vals); err != nil {
					return fmt.Errorf("Athena query %s: %w", st.QueryID, err)
				}
				continue
			}
			st.Rows++
			if err := each(vals); err != nil {
				return fmt.Errorf("Athena query %s: %w", st.QueryID, err)
			}
		}
	}
	if header {
		return fmt.Errorf("Athena query %s: no header row in the results", st.QueryID)
	}
	return nil
}

func checkHeader(vals []*string) error {
	var got []string
	for _, v := range vals {
		got = append(got, aws.ToString(v))
	}
	if strings.Join(got, ",") != strings.Join(ResultColumns, ",") {
		return fmt.Errorf("result columns %s, expected %s", strings.Join(got, ","), strings.Join(ResultColumns, ","))
	}
	return nil
}

// Aggregate reads the table's schema, runs the aggregation query over it
// and merges the rows with opts (its Inventory, Since, Until,
// ServicePorts and MaxBadRatio): the observations the local engine gives
// for the same records. Past MaxBadRatio the result comes with a
// *flowlog.TooManyBadLinesError.
func Aggregate(ctx context.Context, r *Runner, src Source, opts flowlog.Options) (*flowlog.Result, Stats, []string, error) {
	t, err := r.Table(ctx, src)
	if err != nil {
		return nil, Stats{}, nil, err
	}
	sql, warnings, err := SQL(t, Query{Since: opts.Since, Until: opts.Until, ServicePorts: opts.ServicePorts})
	if err != nil {
		return nil, Stats{}, warnings, &BadTableError{err}
	}
	var facts Facts
	st, err := r.Run(ctx, src, sql, facts.Add)
	if err != nil {
		return nil, st, warnings, err
	}
	res, err := flowlog.MergeFacts(facts.Result(), opts)
	var tooMany *flowlog.TooManyBadLinesError
	switch {
	case errors.As(err, &tooMany):
		return res, st, warnings, fmt.Errorf("Athena query %s: %w", st.QueryID, err)
	case err != nil:
		return nil, st, warnings, fmt.Errorf("Athena query %s: %w", st.QueryID, err)
	}
	return res, st, warnings, nil
}

// BadTableError is a table walls cannot read as flow logs (bad input).
type BadTableError struct{ Err error }

func (e *BadTableError) Error() string { return e.Err.Error() }
func (e *BadTableError) Unwrap() error { return e.Err }

// IsBadTable reports whether err is a BadTableError.
func IsBadTable(err error) bool {
	var b *BadTableError
	return errors.As(err, &b)
}
