package render

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestColumnTableDropsLeastNeededFirst(t *testing.T) {
	tb := ColumnTable{Header: []string{"INTERFACE", "REMOTE", "PACKETS", "BYTES", "LAST SEEN"},
		Rows:      [][]string{{"eni-0a1b2c3d4e5f60101", "192.0.2.10", "1800", "8100000", "2026-11-24T08:04:00Z"}},
		DropOrder: []int{2, 3, 4}}
	for _, tt := range []struct {
		width int
		drop  []string
	}{
		{Unlimited, nil},
		{200, nil},
		{66, []string{"PACKETS"}},
		{60, []string{"PACKETS", "BYTES"}},
		{50, []string{"PACKETS", "BYTES", "LAST SEEN"}},
	} {
		var b strings.Builder
		dropped, err := tb.Render(&b, tt.width)
		if err != nil || !reflect.DeepEqual(dropped, tt.drop) {
			t.Errorf("width %d: dropped %q, %v; want %q", tt.width, dropped, err, tt.drop)
		}
		for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
			if tt.width > 0 && utf8.RuneCountInString(line) > tt.width {
				t.Errorf("width %d: line %q is wider", tt.width, line)
			}
		}
		if !strings.Contains(b.String(), "eni-0a1b2c3d4e5f60101") {
			t.Errorf("width %d: the interface column went:\n%s", tt.width, b.String())
		}
	}
}
