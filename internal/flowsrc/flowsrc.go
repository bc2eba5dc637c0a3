// Package flowsrc reads VPC Flow Logs where AWS delivers them: S3 buckets
// (s3://bucket/prefix, in the standard and the Hive-compatible layouts,
// pruned by date before anything is read) and CloudWatch Logs groups
// (cloudwatch://group[/stream-prefix]). Both are turned into
// flowlog.Objects, which flowlog parses exactly as it parses local files.
package flowsrc

import (
	"fmt"
	"strings"
	"time"
)

// Scheme returns the scheme of a --flows value: "s3", "cloudwatch",
// another word before "://" (unknown to walls), or "" for a local path.
func Scheme(v string) string {
	i := strings.Index(v, "://")
	if i <= 0 {
		return ""
	}
	for _, c := range v[:i] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
			return ""
		}
	}
	return strings.ToLower(v[:i])
}

// Window is the time range records are kept for: [Since, Until), either
// end zero for unbounded.
type Window struct{ Since, Until time.Time }

// Margin widens a Window where a source is pruned by the time its objects
// or events are filed under: a record is filed by the end of its
// aggregation window (at most 10 minutes long) in 5-minute files, and
// delivery adds minutes more. flowlog keeps the exact window afterwards;
// the margin only costs reading a little more
// (docs/semantics.md#flowlog-delivery).
const Margin = time.Hour

// overlaps reports whether [from, to) meets the widened window.
func (w Window) overlaps(from, to time.Time) bool {
	if !w.Since.IsZero() && !to.After(w.Since.Add(-Margin)) {
		return false
	}
	if !w.Until.IsZero() && !from.Before(w.Until.Add(Margin)) {
		return false
	}
	return true
}

// URLError is a --flows value walls cannot use.
type URLError struct {
	Value, Reason string
}

func (e *URLError) Error() string { return fmt.Sprintf("%q: %s", e.Value, e.Reason) }
