package athena

import (
	"strings"
	"testing"
	"time"

	"github.com/walls-dev/walls/internal/flowlog"
)

func TestParseURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want Source
		err  string
	}{
		{in: "athena://flows.vpc_flow_logs", want: Source{Database: "flows", Table: "vpc_flow_logs"}},
		{in: "athena://db.t?workgroup=analytics&output=s3://bucket/results/", want: Source{Database: "db", Table: "t", WorkGroup: "analytics", Output: "s3://bucket/results/"}},
		{in: "s3://bucket/x", err: "not an athena:// URL"},
		{in: "athena://flows", err: "joined by a dot"},
		{in: "athena://fl-ows.t", err: "joined by a dot"},
		{in: "athena://a.b.c", err: "joined by a dot"},
		{in: "athena://db.t?output=https://x", err: "not an s3:// location"},
		{in: "athena://db.t?workgroup=a%20b", err: "not a work group name"},
		{in: "athena://db.t?region=us-east-1", err: "unknown parameter region"},
		{in: "athena://db.t?workgroup=a&workgroup=b", err: "given once"},
		{in: "athena://db.t?output=", err: "given once, with a value"},
	} {
		got, err := ParseURL(tc.in)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), URLForm) || !strings.Contains(err.Error(), tc.in)):
			t.Errorf("%s: error %v, want %q naming the value and the form", tc.in, err, tc.err)
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("%s: %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func FuzzParseURL(f *testing.F) {
	f.Add("athena://flows.vpc_flow_logs?workgroup=wg&output=s3://b/p/")
	f.Fuzz(func(t *testing.T, s string) {
		src, err := ParseURL(s)
		if err != nil {
			return
		}
		if !nameRE.MatchString(src.Database) || !nameRE.MatchString(src.Table) {
			t.Fatalf("%q: accepted %+v", s, src)
		}
		if src.Output != "" && !strings.HasPrefix(src.Output, "s3://") {
			t.Fatalf("%q: output %q", s, src.Output)
		}
	})
}

// FuzzFactsAdd: any result row is read or refused with an error, never a
// panic, and what is read merges or is refused.
func FuzzFactsAdd(f *testing.F) {
	f.Add("0|eni-1|10.0.0.1|10.0.0.2|||0|443|6|25|3|4|500|100|160|0|0")
	f.Add("0|eni-1|2001:db8::1|2001:db8::2|2001:db8::9||33000|443|6|83|3|4|500|100|160||")
	f.Add("5||ok||||1||||7|||||")
	f.Add("4|eni-1|||||||||1|0|0|100|200||")
	f.Add("3|eni-1|i-1|subnet-1|vpc-1||||||1||||||")
	f.Fuzz(func(t *testing.T, row string) {
		parts := strings.Split(row, "|")
		vals := make([]*string, len(parts))
		for i := range parts {
			if parts[i] != "" {
				vals[i] = &parts[i]
			}
		}
		var c Facts
		if err := c.Add(vals); err != nil {
			return
		}
		if c.Rows() != 1 {
			t.Fatal("row not counted")
		}
		mergeOrRefuse(c.Result())
	})
}

func mergeOrRefuse(f *flowlog.Facts) {
	flowlog.MergeFacts(f, flowlog.Options{})
}

// FuzzGoLayout: a projection format walls accepts formats dates so that
// their strings sort as the dates do (what the partition bounds rely on).
func FuzzGoLayout(f *testing.F) {
	f.Add("yyyy/MM/dd")
	f.Fuzz(func(t *testing.T, java string) {
		layout, ok := goLayout(java)
		if !ok {
			return
		}
		days := []time.Time{time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
			time.Date(2026, 1, 2, 5, 0, 0, 0, time.UTC), time.Date(2026, 10, 2, 5, 0, 0, 0, time.UTC), time.Date(2026, 10, 11, 5, 0, 0, 0, time.UTC)}
		for i := 1; i < len(days); i++ {
			if a, b := days[i-1].Format(layout), days[i].Format(layout); a >= b {
				t.Fatalf("%q (layout %q): %q sorts after %q", java, layout, a, b)
			}
		}
	})
}
