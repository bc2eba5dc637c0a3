package render

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// words returns the words of s, ignoring box lines and layout.
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\n' || strings.ContainsRune("│┌┐└┘├┤┬┴┼─", r)
	})
}

// letters returns the letters of s, sorted.
func letters(s string) string {
	ls := []byte(strings.Join(words(s), ""))
	slices.Sort(ls)
	return string(ls)
}

func TestTableFitsWidth(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		n := 1 + rnd.IntN(12)
		if rnd.IntN(10) == 0 {
			n = 30 + rnd.IntN(40) // longer than a column: broken
		}
		return strings.Repeat(string(rune('a'+rnd.IntN(26))), n)
	}
	for i := 0; i < 300; i++ {
		cols := 1 + rnd.IntN(6)
		tb := &Table{Style: TableStyle(rnd.IntN(2))}
		if rnd.IntN(3) == 0 {
			tb.Indent = "  "
		}
		for c := 0; c < cols; c++ {
			tb.Header = append(tb.Header, "H"+word())
		}
		for r := 0; r < 1+rnd.IntN(4); r++ {
			var row []string
			for c := 0; c < cols; c++ {
				var ws []string
				for k := 0; k < rnd.IntN(12); k++ {
					ws = append(ws, word())
				}
				row = append(row, strings.Join(ws, " "))
			}
			tb.Append(row...)
		}
		width := 40 + rnd.IntN(80)
		var b bytes.Buffer
		if err := tb.Render(&b, width); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
			if utf8.RuneCountInString(line) > width {
				t.Fatalf("line of %d columns at width %d:\n%s", utf8.RuneCountInString(line), width, b.String())
			}
		}
		// Nothing is dropped: the same letters as unfitted, only laid out
		// on more lines.
		var unlimited bytes.Buffer
		if err := tb.Render(&unlimited, Unlimited); err != nil {
			t.Fatal(err)
		}
		if letters(b.String()) != letters(unlimited.String()) {
			t.Fatalf("fitting changed the text:\n%s\nvs\n%s", b.String(), unlimited.String())
		}
	}
}

func TestTableKeepsNarrowTables(t *testing.T) {
	tb := &Table{Header: []string{"A", "B"}, Rows: [][]string{{"one two", "three"}}}
	var narrow, wide bytes.Buffer
	tb.Render(&narrow, DefaultWidth)
	tb.Render(&wide, Unlimited)
	if narrow.String() != wide.String() || narrow.String() != "A        B\none two  three\n" {
		t.Errorf("got %q, %q", narrow.String(), wide.String())
	}
}

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		indent, s string
		width     int
		want      string
	}{
		{"", "short", 10, "short\n"},
		{"  ", "one two three four", 10, "  one two\n    three\n    four\n"},
		{"", "abcdefghijklmnop", 10, "abcdefghij\n  klmnop\n"},
		{"", "one two three four", Unlimited, "one two three four\n"},
	} {
		if got := Wrap(tc.indent, tc.s, tc.width); got != tc.want {
			t.Errorf("Wrap(%q, %q, %d) = %q, want %q", tc.indent, tc.s, tc.width, got, tc.want)
		}
	}
}
