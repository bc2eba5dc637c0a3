package render

import (
	"strings"

	"github.com/jedib0t/go-pretty/v6/text"
)

// WrapHanging returns label+s as lines no wider than width (0 or less:
// one line), each ending in a newline, every line after the first indented
// as wide as label (a hanging indent): "walls: warning: " then the message
// in a column of its own. s is broken at spaces only, never inside a word,
// so a file path, an id or a URL stays whole (a word wider than the column
// overflows on a line of its own), nor inside a quoted value ("…" or `…`,
// or '…' opening a word), whatever spaces it holds.
func WrapHanging(label, s string, width int) string {
	lw := text.StringWidthWithoutEscSequences(label)
	if width <= 0 || lw+text.StringWidthWithoutEscSequences(s) <= width {
		return label + s + "\n"
	}
	avail := max(width-lw, 1)
	indent := strings.Repeat(" ", lw)
	var b strings.Builder
	b.WriteString(label)
	col := 0 // columns used on the current line after the label or indent
	for i, w := range unbreakable(s) {
		ww := text.StringWidthWithoutEscSequences(w)
		switch {
		case i == 0:
		case col+1+ww <= avail:
			b.WriteByte(' ')
			col++
		default:
			b.WriteString("\n" + indent)
			col = 0
		}
		b.WriteString(w)
		col += ww
	}
	b.WriteByte('\n')
	return b.String()
}

// unbreakable splits s at spaces that are not inside a quoted value. A
// double quote or backquote opens a value anywhere (a backslash escapes
// the next character inside "…", as %q writes it); a single quote opens
// one only at the start of a word, so an apostrophe ("group's") does not.
// A quote that is never closed quotes nothing.
func unbreakable(s string) []string {
	var words []string
	start := -1 // start of the current word, -1 between words
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' {
			if start >= 0 {
				words = append(words, s[start:i])
				start = -1
			}
			continue
		}
		atStart := start < 0
		if atStart {
			start = i
		}
		if c == '"' || c == '`' || c == '\'' && atStart {
			if j := closing(s, i); j > 0 {
				i = j
			}
		}
	}
	if start >= 0 {
		words = append(words, s[start:])
	}
	return words
}

// closing returns the index of the quote closing the one at s[open], or
// -1 when there is none.
func closing(s string, open int) int {
	q := s[open]
	for j := open + 1; j < len(s); j++ {
		switch {
		case s[j] == '\\' && q == '"':
			j++
		case s[j] == q:
			return j
		}
	}
	return -1
}
