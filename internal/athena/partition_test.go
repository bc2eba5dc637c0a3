package athena

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/walls-dev/walls/internal/awstest/athenatest"
	"github.com/walls-dev/walls/internal/flowlog"
)

// TestPartitionPruning: with a time window, the query bounds the date
// partitions (so Athena skips the others) and still matches the local
// engine on the records inside them. Records filed under a far-away
// partition, though their times are inside the window, must not be read:
// that proves the predicate is there.
func TestPartitionPruning(t *testing.T) {
	t.Parallel()
	recs := sample(3, 1000)
	// Times span 2023-11-14 22:13 to 00:13 the next day (UTC).
	window := Query{Since: time.Unix(1_700_001_000, 0), Until: time.Unix(1_700_006_000, 0)}
	day := func(r rec) time.Time {
		n, err := strconv.ParseInt(r[11], 10, 64)
		if err != nil {
			n = 1_700_000_000
		}
		return time.Unix(n, 0).UTC()
	}
	stray := sample(4, 50) // filed under 2020-01-01, times inside the window
	for _, tc := range []struct {
		name   string
		parts  []athenatest.AthenaColumn
		params map[string]string
		val    func(d time.Time) []any
		want   string // in the SQL
	}{
		{"projected day string", []athenatest.AthenaColumn{{Name: "day", Type: "string"}},
			map[string]string{"projection.enabled": "true", "projection.day.format": "yyyy/MM/dd"},
			func(d time.Time) []any { return []any{d.Format("2006/01/02")} },
			`"day" >= '2023/11/13' AND "day" <= '2023/11/15'`},
		{"dt with hours", []athenatest.AthenaColumn{{Name: "dt", Type: "string"}},
			map[string]string{"projection.dt.format": "yyyy-MM-dd-HH"},
			func(d time.Time) []any { return []any{d.Format("2006-01-02-15")} },
			`"dt" >= '2023-11-13-22'`},
		{"date", []athenatest.AthenaColumn{{Name: "date", Type: "date"}}, nil,
			func(d time.Time) []any { return []any{d.Format("2006-01-02")} },
			`"date" >= '2023-11-13'`},
		{"hive strings", []athenatest.AthenaColumn{{Name: "year", Type: "string"}, {Name: "month", Type: "string"}, {Name: "day", Type: "string"}}, nil,
			func(d time.Time) []any { return []any{d.Format("2006"), d.Format("01"), d.Format("02")} },
			`"year" > '2023'`},
		{"hive numbers with hour", []athenatest.AthenaColumn{{Name: "year", Type: "int"}, {Name: "month", Type: "int"}, {Name: "day", Type: "int"}, {Name: "hour", Type: "int"}}, nil,
			func(d time.Time) []any { return []any{d.Year(), int(d.Month()), d.Day(), d.Hour()} },
			`"month" < 11 OR ("month" = 11 AND "day" <= 15)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := athenatest.NewAthena(t)
			name := strings.ReplaceAll(tc.name, " ", "_")
			loadTable(t, a, name, recs, allCols(), tc.parts, func(r rec) []any { return tc.val(day(r)) }, tc.params)
			far := time.Date(2020, 1, 1, 3, 0, 0, 0, time.UTC)
			insertRecs(t, a, name, stray, allCols(), func(rec) []any { return tc.val(far) })
			opts := flowlog.Options{Since: window.Since, Until: window.Until}
			tb := tableOf(a, name, allCols(), tc.parts, tc.params)
			got, sql := sqliteResult(t, a, tb, window, opts)
			if !strings.Contains(sql, tc.want) {
				t.Errorf("the query lacks %s:\n%s", tc.want, sql)
			}
			sameResult(t, got, localResult(t, recs, allCols(), opts), true)
			// Without the window every partition is read, the stray too.
			all, _ := sqliteResult(t, a, tb, Query{}, flowlog.Options{})
			if d := all.Stats.Records + all.Stats.BadLines + all.Stats.NoData + all.Stats.SkipData; d != int64(len(recs)+len(stray)) {
				t.Errorf("without a window %d records read, want %d", d, len(recs)+len(stray))
			}
		})
	}
}

func TestPartitionWarnings(t *testing.T) {
	t.Parallel()
	q := Query{Since: time.Unix(1_700_001_000, 0)}
	for _, tc := range []struct {
		name   string
		parts  []Column
		params map[string]string
		warn   string
	}{
		{"no format", []Column{{"dt", "string"}}, nil, "no usable projection.dt.format"},
		{"day first", []Column{{"dt", "string"}}, map[string]string{"projection.dt.format": "dd-MM-yyyy"}, "no usable projection.dt.format"},
		{"no date", []Column{{"region", "string"}}, nil, "none is a date"},
		{"timestamp", []Column{{"dt", "timestamp"}}, nil, "expected date or string"},
	} {
		tb := DocumentedTable("flows", "t")
		tb.Partitions, tb.Parameters = tc.parts, tc.params
		sql, warnings, err := SQL(tb, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(warnings) != 1 || !strings.Contains(warnings[0], tc.warn) {
			t.Errorf("%s: warnings %q, want %q", tc.name, warnings, tc.warn)
		}
		if strings.Contains(sql, "\"t\"\n  WHERE") {
			t.Errorf("%s: a partition predicate without a usable partition", tc.name)
		}
	}
}

func TestTableRefused(t *testing.T) {
	t.Parallel()
	tb := DocumentedTable("flows", "t")
	tb.Columns = tb.Columns[3:] // no interface_id
	if _, _, err := SQL(tb, Query{}); err == nil || !strings.Contains(err.Error(), "no column interface_id") {
		t.Errorf("error %v", err)
	}
	tb = DocumentedTable("flows", "t")
	var kept []Column
	for _, c := range tb.Columns {
		if c.Name != "protocol" && c.Name != "action" {
			kept = append(kept, c)
		}
	}
	tb.Columns = kept
	if _, _, err := SQL(tb, Query{}); err == nil || !strings.Contains(err.Error(), "no column protocol, action: observations need") {
		t.Errorf("table without protocol and action: error %v", err)
	}
	tb = DocumentedTable("flows", "t")
	tb.Columns[5].Type = "string" // srcport
	if _, _, err := SQL(tb, Query{}); err == nil || !strings.Contains(err.Error(), "srcport is string, expected an integer") {
		t.Errorf("error %v", err)
	}
}

// TestTrinoDialect: the two dialects differ only in date literals.
func TestTrinoDialect(t *testing.T) {
	t.Parallel()
	tb := DocumentedTable("flows", "t")
	tb.Partitions, tb.Parameters = []Column{{"date", "date"}}, nil
	q := Query{Since: time.Date(2026, 11, 2, 5, 0, 0, 0, time.UTC)}
	trino, _, _ := SQL(tb, q)
	q.Dialect = SQLite
	lite, _, _ := SQL(tb, q)
	if !strings.HasPrefix(trino, "WITH b AS (") {
		t.Errorf("the query must start with its statement (Athena reads the type from the first word):\n%s", trino)
	}
	if !strings.Contains(trino, `"date" >= DATE '2026-11-01'`) || strings.Replace(trino, "DATE '", "'", 1) != lite {
		t.Errorf("dialects differ beyond the date literal:\n%s\n%s", trino, lite)
	}
}
