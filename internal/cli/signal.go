package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// ExitInterrupted is the exit code of a run stopped by SIGINT (Ctrl-C) or
// by its context being cancelled: 128 + 2, as shells report a command that
// SIGINT ended. A run stopped by SIGTERM exits 143 (128 + 15). Neither is a
// verdict: the run did not finish.
const ExitInterrupted = 130

// Interrupted is the cancellation cause SignalContext gives its context.
type Interrupted struct{ Signal os.Signal }

func (e *Interrupted) Error() string { return "interrupted by " + signalName(e.Signal) }

// signalName is the conventional name of SIGINT and SIGTERM.
func signalName(s os.Signal) string {
	switch s {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}

// SignalContext returns a context that the first SIGINT or SIGTERM
// cancels, with an *Interrupted cause. After that first signal it says on
// stderr that walls is stopping and gives both signals back their default
// action, so a second one ends the process at once, whatever the run is
// doing. stop releases the signals; call it when the run is over.
func SignalContext(parent context.Context, stderr io.Writer) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signals := []os.Signal{os.Interrupt, syscall.SIGTERM}
	signal.Notify(ch, signals...)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			signal.Reset(signals...) // the next one kills, as if walls did not catch it
			fmt.Fprintf(stderr, "walls: %s: stopping (press Ctrl-C again to quit at once)\n", signalName(s))
			cancel(&Interrupted{Signal: s})
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(nil)
	}
}

// interruptedCode is the exit code of a run whose context ctx was
// cancelled: 128 + the signal's number when a signal did it, else
// ExitInterrupted.
func interruptedCode(ctx context.Context) int {
	var in *Interrupted
	if errors.As(context.Cause(ctx), &in) {
		if s, ok := in.Signal.(syscall.Signal); ok && s > 0 && s < 64 {
			return 128 + int(s)
		}
	}
	return ExitInterrupted
}

// interruptedMessage is the one line a stopped run prints on stderr.
func interruptedMessage(ctx context.Context) string {
	why := "cancelled"
	var in *Interrupted
	if errors.As(context.Cause(ctx), &in) {
		why = signalName(in.Signal)
	}
	return "walls: interrupted (" + why + "): the run stopped before it finished; its output, if any, is incomplete " +
		"(plan files are written whole or not at all)"
}

// stopGrace is how long Main waits, once the run's context is cancelled,
// for the command to wind down. Reading flow logs stops within it; work
// that does not watch the context (parsing one large inventory file, a
// read from a terminal that never ends) is abandoned: Main returns, and
// nothing the command writes afterwards reaches stdout or stderr.
var stopGrace = 2 * time.Second
