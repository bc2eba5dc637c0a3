package cli

import (
	"context"
	"io"
	"os"

	"golang.org/x/term"
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

// System returns the process's streams.
func System() *IOStreams {
	return &IOStreams{
		In:     os.Stdin,
		Out:    os.Stdout,
		ErrOut: os.Stderr,
		OutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		ErrTTY: term.IsTerminal(int(os.Stderr.Fd())),
	}
}
