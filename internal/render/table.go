package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"
)

// DefaultWidth is the width, in terminal columns, that text output is
// fitted to when nothing else says: stdout is not a terminal and neither
// --width nor COLUMNS is given. Golden files are rendered at it.
const DefaultWidth = 100

// Unlimited is the width that turns fitting off: tables keep their natural
// width and prose lines are not wrapped (--width 0).
const Unlimited = 0

// TableStyle is how a table is drawn.
type TableStyle int

const (
	// Plain aligns columns with two spaces between them and draws no lines
	// (the shape of the command outputs meant to be read and grepped).
	Plain TableStyle = iota
	// Boxed draws light box lines around and between the cells.
	Boxed
)

// Table is a table for people. Every table walls prints goes through it,
// so that every one fits the width it is given: when the natural width is
// too wide, the widest columns are narrowed first and their cells wrapped
// at word boundaries (a word longer than its column is broken). Nothing is
// dropped: the full text of every cell is in the output, on more lines.
type Table struct {
	Header []string
	Rows   [][]string
	Style  TableStyle
	// Indent is written before every line (Plain tables inside a section).
	Indent string
	// Prose lists the columns (from 0) of running text, narrowed first so
	// that identifiers and paths in the others stay on one line while the
	// prose columns can keep at least minProse columns.
	Prose []int
}

// minProse is the narrowest a prose column gets before the other columns
// are narrowed too.
const minProse = 24

// Append adds a row.
func (t *Table) Append(cells ...string) { t.Rows = append(t.Rows, cells) }

// Render writes the table fitted to width columns (Unlimited: as wide as
// its cells). A table with no rows writes nothing.
func (t *Table) Render(w io.Writer, width int) error {
	if len(t.Rows) == 0 {
		return nil
	}
	n := len(t.Header)
	for _, r := range t.Rows {
		n = max(n, len(r))
	}
	tw := table.NewWriter()
	var overhead int
	switch t.Style {
	case Boxed:
		tw.SetStyle(table.StyleLight)
		overhead = 3*n + 1 // "│ " before each cell, " " after, a closing "│"
	default:
		s := table.StyleDefault
		s.Name = "walls-plain"
		s.Box.PaddingLeft, s.Box.PaddingRight = "", ""
		s.Box.MiddleVertical = "  "
		s.Options = table.Options{SeparateColumns: true}
		s.Format.Header = text.FormatDefault
		tw.SetStyle(s)
		overhead = 2 * (n - 1)
	}
	tw.SuppressTrailingSpaces()
	if len(t.Header) > 0 {
		tw.AppendHeader(row(t.Header))
	}
	for _, r := range t.Rows {
		tw.AppendRow(row(r))
	}
	if width > 0 {
		tw.SetColumnConfigs(fit(t.Header, t.Rows, n, width-overhead-text.StringWidthWithoutEscSequences(t.Indent), t.Prose))
	}
	out := tw.Render()
	var b strings.Builder
	for _, line := range strings.Split(out, "\n") {
		b.WriteString(strings.TrimRight(t.Indent+line, " "))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func row(cells []string) table.Row {
	r := make(table.Row, len(cells))
	for i, c := range cells {
		r[i] = c
	}
	return r
}

// fit returns the column limits that make n columns of cells fit avail
// columns of content: the prose columns alone when that leaves them
// minProse wide (or their natural width), else all of them (capLimits).
// Nothing when the cells fit as they are.
func fit(header []string, rows [][]string, n, avail int, prose []int) []table.ColumnConfig {
	nat := make([]int, n)
	measure := func(cells []string) {
		for i, c := range cells {
			nat[i] = max(nat[i], text.LongestLineLen(c))
		}
	}
	measure(header)
	for _, r := range rows {
		measure(r)
	}
	total := 0
	for _, w := range nat {
		total += w
	}
	if total <= avail {
		return nil
	}
	if len(prose) > 0 {
		fixed, need := total, 0
		var pw []int
		for _, i := range prose {
			if i < n {
				fixed -= nat[i]
				need += min(nat[i], minProse)
				pw = append(pw, nat[i])
			}
		}
		if fixed+need <= avail {
			var cfg []table.ColumnConfig
			limits := capLimits(pw, avail-fixed)
			for k, i := range prose {
				if i < n && limits[k] < nat[i] {
					cfg = append(cfg, table.ColumnConfig{Number: i + 1, WidthMax: limits[k], WidthMaxEnforcer: text.WrapSoft})
				}
			}
			return cfg
		}
	}
	var cfg []table.ColumnConfig
	for i, l := range capLimits(nat, avail) {
		if l < nat[i] {
			cfg = append(cfg, table.ColumnConfig{Number: i + 1, WidthMax: l, WidthMaxEnforcer: text.WrapSoft})
		}
	}
	return cfg
}

// capLimits returns the widths of columns of natural widths nat fitted to
// avail: the largest c such that the columns, each at most c wide, fit;
// columns already narrower keep their width and the room left over widens
// the capped ones, leftmost first.
func capLimits(nat []int, avail int) []int {
	sum := func(c int) int {
		s := 0
		for _, w := range nat {
			s += min(w, c)
		}
		return s
	}
	widest := 0
	for _, w := range nat {
		widest = max(widest, w)
	}
	c := 1
	for c < widest && sum(c+1) <= avail {
		c++
	}
	left := avail - sum(c)
	limits := make([]int, len(nat))
	for i, w := range nat {
		limits[i] = min(w, c)
		if w > c && left > 0 {
			extra := min(left, w-c)
			limits[i] += extra
			left -= extra
		}
	}
	return limits
}

// Doc writes text for people fitted to a width: prose lines are wrapped at
// word boundaries with their continuation lines indented two more spaces,
// and tables are fitted (Table.Render). The first write error is kept and
// later writes are skipped.
type Doc struct {
	w     io.Writer
	width int
	err   error
}

// NewDoc returns a Doc writing to w at width columns (Unlimited: no
// wrapping).
func NewDoc(w io.Writer, width int) *Doc { return &Doc{w: w, width: width} }

// Line writes s after indent, wrapped to the Doc's width.
func (d *Doc) Line(indent, s string) {
	if d.err != nil {
		return
	}
	_, d.err = io.WriteString(d.w, Wrap(indent, s, d.width))
}

// Linef is Line with a format.
func (d *Doc) Linef(indent, format string, a ...any) { d.Line(indent, fmt.Sprintf(format, a...)) }

// Blank writes an empty line.
func (d *Doc) Blank() { d.Line("", "") }

// Table renders t at the Doc's width.
func (d *Doc) Table(t *Table) {
	if d.err != nil {
		return
	}
	d.err = t.Render(d.w, d.width)
}

// Err is the first write error, or nil.
func (d *Doc) Err() error { return d.err }

// Wrap returns indent+s as lines no wider than width (Unlimited: one line),
// each ending in a newline: s is broken at spaces, a word longer than a
// line is broken where the line ends, and every line after the first is
// indented two spaces more than the first.
func Wrap(indent, s string, width int) string {
	iw := text.StringWidthWithoutEscSequences(indent)
	if width <= 0 || iw+text.StringWidthWithoutEscSequences(s) <= width {
		return indent + s + "\n"
	}
	avail := max(width-iw-2, 1)
	// The first line may use the two columns the hanging indent takes.
	first, rest := splitFirst(s, avail+2)
	var b strings.Builder
	b.WriteString(indent + first + "\n")
	if rest != "" {
		for _, line := range strings.Split(text.WrapSoft(rest, avail), "\n") {
			b.WriteString(strings.TrimRight(indent+"  "+line, " ") + "\n")
		}
	}
	return b.String()
}

// splitFirst cuts s into the longest first line of at most width columns
// that ends at a space (or at width, when the first word is longer) and
// the rest.
func splitFirst(s string, width int) (string, string) {
	lines := strings.SplitN(text.WrapSoft(s, width), "\n", 2)
	first := strings.TrimRight(lines[0], " ")
	rest := strings.TrimLeft(strings.TrimPrefix(s, first), " ")
	if !strings.HasPrefix(s, first) { // WrapSoft changed the text (tabs)
		return s, ""
	}
	return first, rest
}
