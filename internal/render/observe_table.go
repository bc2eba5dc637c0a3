package render

import (
	"io"
	"unicode/utf8"
)

// ColumnTable is a Plain table of many columns that fits its width by
// leaving columns out, least needed first, rather than wrapping every cell
// to a few characters: the way `kubectl get` shows fewer columns than
// `-o wide`. The columns left out are returned, for a note saying where to
// find them (JSON and CSV always hold every field).
type ColumnTable struct {
	Header []string
	Rows   [][]string
	// DropOrder lists column indexes in the order they may be left out.
	DropOrder []int
}

// Render writes the table within width columns (Unlimited: every column)
// and returns the headers of the columns it left out.
func (t *ColumnTable) Render(w io.Writer, width int) (dropped []string, err error) {
	n := len(t.Header)
	nat := make([]int, n)
	for i, h := range t.Header {
		nat[i] = utf8.RuneCountInString(h)
	}
	for _, r := range t.Rows {
		for i := 0; i < n && i < len(r); i++ {
			nat[i] = max(nat[i], utf8.RuneCountInString(r[i]))
		}
	}
	keep := make([]bool, n)
	for i := range keep {
		keep[i] = true
	}
	total := func() int {
		s, k := 0, 0
		for i := range nat {
			if keep[i] {
				s += nat[i]
				k++
			}
		}
		return s + 2*max(k-1, 0)
	}
	if width > 0 {
		for _, c := range t.DropOrder {
			if total() <= width {
				break
			}
			if c >= 0 && c < n && keep[c] {
				keep[c] = false
				dropped = append(dropped, t.Header[c])
			}
		}
	}
	out := Table{Style: Plain}
	for i, h := range t.Header {
		if keep[i] {
			out.Header = append(out.Header, h)
		}
	}
	for _, r := range t.Rows {
		var cells []string
		for i := 0; i < n; i++ {
			if keep[i] {
				c := ""
				if i < len(r) {
					c = r[i]
				}
				cells = append(cells, c)
			}
		}
		out.Rows = append(out.Rows, cells)
	}
	return dropped, out.Render(w, width)
}
