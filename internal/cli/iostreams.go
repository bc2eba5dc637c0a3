package cli

import (
	"context"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"

	"github.com/walls-dev/walls/internal/render"
)

// IOStreams is the command's standard input and output. Tests pass buffers;
// main passes the process's files. IsTerminal decides the default output
// format (table on a terminal, JSON otherwise is never assumed: table stays
// the default, docs/semantics.md#walls-choices) and whether progress is drawn.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// OutTTY and ErrTTY report whether stdout / stderr are terminals.
	OutTTY bool
	ErrTTY bool
	// TermWidth is stdout's width in columns when it is a terminal, else 0;
	// Columns is the COLUMNS environment variable. Both only feed width.
	TermWidth int
	Columns   string
	// ErrTermWidth is stderr's width in columns when it is a terminal,
	// else 0; it only feeds noteWidth.
	ErrTermWidth int
	// widthFlag is --width when given (root.go), else nil.
	widthFlag *int
	// quiet is --quiet: no progress bars, whatever stderr is.
	quiet bool
	// ctx is the run's context, which Main sets: commands stop between
	// phases once it is cancelled (runContext).
	ctx context.Context
}

// runContext is the run's context, never nil.
func (s *IOStreams) runContext() context.Context {
	if s.ctx == nil {
		return context.Background()
	}
	return s.ctx
}

// showProgress reports whether long work draws a progress bar: only on a
// terminal, and never with --quiet.
func (s *IOStreams) showProgress() bool { return s.ErrTTY && !s.quiet }

// System returns the process's streams.
func System() *IOStreams {
	s := &IOStreams{
		In:      os.Stdin,
		Out:     os.Stdout,
		ErrOut:  os.Stderr,
		OutTTY:  term.IsTerminal(int(os.Stdout.Fd())),
		ErrTTY:  term.IsTerminal(int(os.Stderr.Fd())),
		Columns: os.Getenv("COLUMNS"),
	}
	if s.OutTTY {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil && w > 0 {
			s.TermWidth = w
		}
	}
	if s.ErrTTY {
		if w, _, err := term.GetSize(int(os.Stderr.Fd())); err == nil && w > 0 {
			s.ErrTermWidth = w
		}
	}
	return s
}

// minWidth is the narrowest --width walls accepts, 0 apart.
const minWidth = 40

// width is the number of columns tables and prose are fitted to: --width
// when given (0: no limit), else COLUMNS when it is a number of at least
// minWidth, else the terminal's width when stdout is one, else
// render.DefaultWidth. JSON, CSV, SARIF and Markdown are never fitted.
func (s *IOStreams) width() int {
	if s.widthFlag != nil {
		return *s.widthFlag
	}
	if n, err := strconv.Atoi(strings.TrimSpace(s.Columns)); err == nil && n >= minWidth {
		return n
	}
	if s.TermWidth > 0 {
		return max(s.TermWidth, minWidth)
	}
	return render.DefaultWidth
}
