// Package cli wires walls' commands. Each command lives in its own file with
// an options struct, the flags that fill it, and a run function that tests
// call directly with buffers; cobra wiring stays thin.
package cli

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Exit codes, the public contract (README.md).
const (
	ExitOK       = 0
	ExitFinding  = 1 // the command worked and found what it was asked to fail on / denied
	ExitBadInput = 2
	ExitCrash    = 3 // an internal error (a bug in walls), never bad input: see the report file
	// ExitInterrupted (130, signal.go): stopped by SIGINT or a cancelled
	// context; 143 for SIGTERM.
)

// exitError carries an exit code out of a run function. A nil-message error
// with code 1 is a verdict, not a failure, and prints nothing.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// badInput wraps an error as exit code 2.
func badInput(err error) error { return &exitError{code: ExitBadInput, err: err} }

// badInputf formats a bad-usage / bad-input error (exit code 2).
func badInputf(format string, a ...any) error {
	return badInput(fmt.Errorf(format, a...))
}

// verdict returns exit code 1 without a message: the answer is in the output.
func verdict() error { return &exitError{code: ExitFinding} }

// NewRootCmd builds the walls command tree.
func NewRootCmd(io *IOStreams) *cobra.Command {
	root := &cobra.Command{
		Use:   "walls",
		Short: "Walls at every turn: tighten AWS security groups and network ACLs",
		Long: `walls tightens the network layer of AWS VPCs.

It audits security groups and network ACLs for open doors, learns from VPC
Flow Logs which connections each workload starts, proposes the least egress
that keeps it working, and proves what a change would block before it ships.

Exit codes: 0 success, 1 a negative answer, 2 bad usage, bad input or output
that could not be written (stdout included), 3 an internal error (a bug in
walls: the message names a report file to attach to a bug report), 130
interrupted by Ctrl-C (SIGINT; 143 for SIGTERM): the run did not finish.
A second Ctrl-C quits at once.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.Version = versionText()
	root.SetVersionTemplate("{{.Version}}")
	root.SetIn(io.In)
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return badInput(err) })
	var width int
	root.PersistentFlags().IntVar(&width, "width", 0,
		"fit tables and text to N columns, 0 for no limit (default: COLUMNS, else the terminal's width, else 100)")
	root.PersistentFlags().BoolVarP(&io.quiet, "quiet", "q", false,
		"draw no progress bars (they are drawn only when stderr is a terminal)")
	root.PersistentPreRunE = func(c *cobra.Command, _ []string) error {
		if f := c.Flags().Lookup("width"); f != nil && f.Changed {
			if width != 0 && width < minWidth {
				return badInputf("--width %d: want 0 (no limit) or at least %d columns", width, minWidth)
			}
			io.widthFlag = &width
		}
		io.wrapNotes() // notes and warnings on stderr fit the width too
		return checkFloatFlags(c)
	}
	for _, add := range commands {
		root.AddCommand(add(io))
	}
	return root
}

// commands lists every subcommand's constructor; each command file appends
// itself in an init function so adding a command touches one file.
var commands []func(*IOStreams) *cobra.Command

func register(f func(*IOStreams) *cobra.Command) { commands = append(commands, f) }

// Main runs walls with args and returns the process exit code. Writes to
// ios.Out are checked: when stdout cannot be written (a full disk, a closed
// pipe) the run fails with exit 2, whatever the command answered. A panic
// in the command is an internal error: exit 3, with a report file
// (crashReport).
//
// ctx is the run's: cancelling it (SignalContext does on SIGINT or
// SIGTERM) stops the command's long work — reading flow logs, and
// between phases — and the run exits ExitInterrupted (143 for SIGTERM)
// with one line on stderr. A command that does not stop within stopGrace
// is abandoned: Main returns, and the command's later writes are dropped.
func Main(ctx context.Context, args []string, ios *IOStreams) (code int) {
	if ctx == nil {
		ctx = context.Background()
	}
	out := &checkedWriter{w: ios.Out}
	errOut := &checkedWriter{w: ios.ErrOut}
	streams := *ios
	streams.Out, streams.ErrOut, streams.ctx = out, errOut, ctx
	if ctx.Err() != nil {
		fmt.Fprintln(ios.ErrOut, interruptedMessage(ctx))
		return interruptedCode(ctx)
	}
	type result struct {
		code  int
		panic any
		stack []byte
	}
	done := make(chan result, 1) // buffered: an abandoned run's goroutine still ends
	go func() {
		var r result
		defer func() {
			if p := recover(); p != nil {
				r.panic, r.stack = p, debug.Stack()
			}
			done <- r
		}()
		r.code = execute(ctx, args, &streams)
	}()
	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		grace := time.NewTimer(stopGrace)
		defer grace.Stop()
		select {
		case r = <-done:
		case <-grace.C:
			if changing.Load() == 0 {
				out.stop()
				errOut.stop()
				fmt.Fprintln(ios.ErrOut, interruptedMessage(ctx))
				return interruptedCode(ctx)
			}
			// A change to an AWS account is never abandoned half-made:
			// apply and rollback stop between calls and undo what they did.
			r = <-done
		}
	}
	if r.panic != nil {
		return crashed(ios.ErrOut, r.panic, r.stack, args)
	}
	if r.code >= ExitInterrupted {
		return r.code
	}
	if err := out.Err(); err != nil {
		fmt.Fprintf(ios.ErrOut, "walls: writing stdout: %v\n", unwrapPath(err))
		return ExitBadInput
	}
	return r.code
}

// changing counts the changes to an AWS account under way (apply,
// rollback): Main waits for them past stopGrace.
var changing atomic.Int32

// execute runs the command tree and turns its error into an exit code. A
// command that fails once ctx is cancelled was interrupted, whatever its
// error says (reading flow logs reports the cancellation as a read error).
func execute(ctx context.Context, args []string, io *IOStreams) int {
	root := NewRootCmd(io)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	if ctx.Err() != nil {
		fmt.Fprintln(io.ErrOut, interruptedMessage(ctx))
		return interruptedCode(ctx)
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(io.ErrOut, "walls: "+ee.err.Error())
		}
		return ee.code
	}
	// cobra's own usage errors (unknown command, bad args) are bad usage.
	fmt.Fprintln(io.ErrOut, "walls: "+err.Error())
	return ExitBadInput
}

// checkFloatFlags refuses NaN and infinities in every floating-point flag
// of the command: no range check can be trusted with them (every
// comparison with NaN is false).
func checkFloatFlags(c *cobra.Command) error {
	var bad error
	c.Flags().Visit(func(f *pflag.Flag) {
		if bad != nil {
			return
		}
		switch f.Value.Type() {
		case "float64", "float32", "float64Slice", "float32Slice":
		default:
			return
		}
		for _, s := range strings.Split(strings.Trim(f.Value.String(), "[]"), ",") {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
				bad = badInputf("--%s %s: want a finite number", f.Name, strings.TrimSpace(s))
				return
			}
		}
	})
	return bad
}
