package athena

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/athena"

	"github.com/walls-dev/walls/internal/awstest/athenatest"
	"github.com/walls-dev/walls/internal/flowlog"
)

func testRunner(a *athenatest.Athena) *Runner {
	c := sdk.New(sdk.Options{Region: "us-east-1", BaseEndpoint: aws.String(a.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")})
	return &Runner{Client: c, Poll: time.Millisecond, MaxPoll: 4 * time.Millisecond}
}

// TestAggregateThroughAthena goes through the SDK, Athena's JSON protocol
// (GetTableMetadata, StartQueryExecution, GetQueryExecution polling,
// GetQueryResults in pages of 7 rows) and the query the server runs, to
// the local engine's observations.
func TestAggregateThroughAthena(t *testing.T) {
	t.Parallel()
	a := athenatest.NewAthena(t)
	a.PageSize = 7
	a.ScannedBytes = 3 << 30
	recs := sample(2, 400)
	loadTable(t, a, "v5", recs, allCols(), nil, nil, nil)
	r := testRunner(a)
	var states []string
	r.Progress = func(state string, _ time.Duration, scanned int64) {
		states = append(states, state)
		if scanned != 3<<30 {
			t.Errorf("scanned %d", scanned)
		}
	}
	opts := flowlog.Options{Inventory: sampleInventory(), MaxBadRatio: -1}
	got, st, _, err := Aggregate(context.Background(), r, Source{Database: "flows", Table: "v5", WorkGroup: "wg", Output: "s3://out/"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	sameResult(t, got, localResult(t, recs, allCols(), opts), true)
	if st.Rows < 50 || a.Count("GetQueryResults") != (st.Rows+1+6)/7 {
		t.Errorf("%d rows in %d GetQueryResults calls, expected pages of 7 (the header first)", st.Rows, a.Count("GetQueryResults"))
	}
	if strings.Join(states, ",") != "RUNNING,SUCCEEDED" || st.Scanned != 3<<30 || st.QueryID == "" {
		t.Errorf("states %v, stats %+v", states, st)
	}
	if len(a.Tokens) != 1 || len(a.Tokens[0]) != 32 {
		t.Errorf("ClientRequestToken %q, want a fresh 32-character token", a.Tokens)
	}
	if a.Count("GetTableMetadata") != 1 || a.Count("StartQueryExecution") != 1 {
		t.Errorf("calls %v", a.Calls)
	}
}

// TestTooManyBadRecords: past --max-bad-lines the result comes with the
// same error the local reader gives.
func TestTooManyBadRecords(t *testing.T) {
	t.Parallel()
	a := athenatest.NewAthena(t)
	recs := sample(5, 300) // about 5 % malformed
	loadTable(t, a, "v5", recs, allCols(), nil, nil, nil)
	src := Source{Database: "flows", Table: "v5"}
	res, _, _, err := Aggregate(context.Background(), testRunner(a), src, flowlog.Options{})
	var tooMany *flowlog.TooManyBadLinesError
	if !errors.As(err, &tooMany) || res == nil || tooMany.Bad != res.Stats.BadLines || tooMany.Bad == 0 {
		t.Fatalf("error %v, want too many malformed records with the result", err)
	}
	if _, _, _, err := Aggregate(context.Background(), testRunner(a), src, flowlog.Options{MaxBadRatio: 0.5}); err != nil {
		t.Errorf("within 50 %%: %v", err)
	}
}

// TestPollBackOff: the waits between polls double from Poll up to MaxPoll.
func TestPollBackOff(t *testing.T) {
	t.Parallel()
	a := athenatest.NewAthena(t)
	a.Hold = true
	r := testRunner(a)
	var waits []time.Duration
	r.after = func(d time.Duration) <-chan time.Time {
		waits = append(waits, d)
		if len(waits) == 6 {
			a.CancelRunning("enough")
		}
		c := make(chan time.Time, 1)
		c <- time.Time{}
		return c
	}
	_, err := r.Run(context.Background(), Source{Database: "flows", Table: "x"}, "SELECT 1", func([]*string) error { return nil })
	var qe *QueryError
	if !errors.As(err, &qe) {
		t.Fatal(err)
	}
	ms := time.Millisecond
	if want := []time.Duration{ms, 2 * ms, 4 * ms, 4 * ms, 4 * ms, 4 * ms}; !reflect.DeepEqual(waits, want) {
		t.Errorf("waits %v, want %v", waits, want)
	}
}

func TestQueryFailedOrCancelled(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, fail, sql, want string }{
		{"failed", "HIVE_BAD_DATA: Error parsing field value", "SELECT 1", "failed: HIVE_BAD_DATA: Error parsing field value"},
		{"syntax", "", "SELECT FROM nowhere", "failed: SYNTAX_ERROR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := athenatest.NewAthena(t)
			a.FailWith = tc.fail
			_, err := testRunner(a).Run(context.Background(), Source{Database: "flows", Table: "x"}, tc.sql, func([]*string) error { return nil })
			var qe *QueryError
			if !errors.As(err, &qe) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want a QueryError with %q", err, tc.want)
			}
		})
	}
	t.Run("cancelled elsewhere", func(t *testing.T) {
		t.Parallel()
		a := athenatest.NewAthena(t)
		a.Hold = true
		r := testRunner(a)
		r.Progress = func(state string, _ time.Duration, _ int64) {
			if state == "RUNNING" {
				a.CancelRunning("Query cancelled by user")
			}
		}
		_, err := r.Run(context.Background(), Source{Database: "flows", Table: "x"}, "SELECT 1", func([]*string) error { return nil })
		var qe *QueryError
		if !errors.As(err, &qe) || qe.State != "CANCELLED" || !strings.Contains(err.Error(), "cancelled: Query cancelled by user") {
			t.Fatalf("error %v, want the query cancelled with Athena's reason", err)
		}
	})
	t.Run("context cancelled stops the query", func(t *testing.T) {
		t.Parallel()
		a := athenatest.NewAthena(t)
		a.Hold = true
		r := testRunner(a)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		r.Progress = func(state string, _ time.Duration, _ int64) {
			if state == "RUNNING" {
				cancel()
			}
		}
		_, err := r.Run(ctx, Source{Database: "flows", Table: "x"}, "SELECT 1", func([]*string) error { return nil })
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v, want context.Canceled", err)
		}
		if got := a.StoppedQueries(); len(got) != 1 {
			t.Errorf("StopQueryExecution called for %v, want the query", got)
		}
	})
}
