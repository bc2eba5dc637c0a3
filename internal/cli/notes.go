package cli

import (
	"bytes"
	"io"
	"strings"
	"sync"

	"github.com/walls-dev/walls/internal/render"
)

// noteLabels start the lines on stderr that are wrapped: walls' notes and
// warnings. Errors, progress bars and everything else pass through.
var noteLabels = []string{"walls: note: ", "walls: warning: "}

// noteWidth is the width notes and warnings on stderr are wrapped to:
// --width when given (0: not wrapped); else, only when stderr is a
// terminal, the width tables use (COLUMNS, the terminal's width, else
// render.DefaultWidth), stderr's own terminal width standing in for
// stdout's when stdout is not one. A log file or a pipe gets each note
// on one line.
func (s *IOStreams) noteWidth() int {
	switch {
	case s.widthFlag != nil:
		return *s.widthFlag
	case !s.ErrTTY:
		return 0
	}
	if s.TermWidth == 0 && s.ErrTermWidth > 0 {
		t := *s
		t.TermWidth = s.ErrTermWidth
		return t.width()
	}
	return s.width()
}

// wrapNotes makes ErrOut wrap notes and warnings to noteWidth, once the
// flags are read; with no width it leaves ErrOut as it is.
func (s *IOStreams) wrapNotes() {
	if _, done := s.ErrOut.(*noteWriter); done {
		return
	}
	if w := s.noteWidth(); w > 0 {
		s.ErrOut = &noteWriter{w: s.ErrOut, width: w, lineStart: true}
	}
}

// noteWriter wraps each line that starts with a note label, written at
// the start of a line, with a hanging indent (render.WrapHanging); the
// other lines of the same write (a list under a warning) and every other
// write go through unchanged. Commands write a note in one call, so a
// label is seen whole.
type noteWriter struct {
	mu        sync.Mutex
	w         io.Writer
	width     int
	lineStart bool // the last write ended a line (or a progress bar's \r)
}

func (n *noteWriter) Write(p []byte) (int, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(p) == 0 {
		return 0, nil
	}
	start := n.lineStart
	n.lineStart = p[len(p)-1] == '\n' || p[len(p)-1] == '\r'
	if !start || !hasNoteLabel(p) {
		return n.w.Write(p)
	}
	var b strings.Builder
	rest := string(p)
	for rest != "" {
		line, after, ended := strings.Cut(rest, "\n")
		rest = after
		label := noteLabel(line)
		switch {
		case ended && label != "":
			b.WriteString(render.WrapHanging(label, strings.TrimPrefix(line, label), n.width))
		case ended:
			b.WriteString(line + "\n")
		default:
			b.WriteString(line)
		}
	}
	if _, err := io.WriteString(n.w, b.String()); err != nil {
		return 0, err
	}
	return len(p), nil
}

func hasNoteLabel(p []byte) bool {
	for _, l := range noteLabels {
		if bytes.HasPrefix(p, []byte(l)) {
			return true
		}
	}
	return false
}

func noteLabel(line string) string {
	for _, l := range noteLabels {
		if strings.HasPrefix(line, l) {
			return l
		}
	}
	return ""
}
