package athena

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/athena"

	"github.com/walls-dev/walls/internal/awstest"
	"github.com/walls-dev/walls/internal/flowlog"
)

func testRunner(a *awstest.Athena) *Runner {
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
	a := awstest.NewAthena(t)
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
	opts := flowlog.Options{Inventory: sampleInventory()}
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
	if a.Count("GetTableMetadata") != 1 || a.Count("StartQueryExecution") != 1 {
		t.Errorf("calls %v", a.Calls)
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
			a := awstest.NewAthena(t)
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
		a := awstest.NewAthena(t)
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
		a := awstest.NewAthena(t)
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
