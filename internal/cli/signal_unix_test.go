//go:build unix

package cli

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRealSignal runs this test binary again as a walls process reading
// stdin that never ends, and sends it SIGINT: once, it exits 130 after
// stopGrace; twice, the second signal ends it at once.
func TestRealSignal(t *testing.T) {
	if g := os.Getenv("WALLS_TEST_SIGNAL_CHILD"); g != "" {
		stopGrace, _ = time.ParseDuration(g)
		ctx, stop := SignalContext(context.Background(), os.Stderr)
		os.Stderr.WriteString("ready\n")
		code := Main(ctx, []string{"observe", "--flows", "-"}, &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr})
		stop()
		os.Exit(code)
	}
	start := func(grace string) (*exec.Cmd, *bufio.Reader) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRealSignal$")
		cmd.Env = append(os.Environ(), "WALLS_TEST_SIGNAL_CHILD="+grace)
		stdin, err := cmd.StdinPipe() // kept open: the child's read never ends
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { stdin.Close() })
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill() })
		r := bufio.NewReader(stderr)
		waitFor(t, r, "ready")
		return cmd, r
	}

	t.Run("once", func(t *testing.T) {
		cmd, r := start("20ms")
		cmd.Process.Signal(syscall.SIGINT)
		waitFor(t, r, "walls: SIGINT: stopping")
		waitFor(t, r, "walls: interrupted (SIGINT)")
		cmd.Wait()
		if c := cmd.ProcessState.ExitCode(); c != ExitInterrupted {
			t.Fatalf("exit %d, want %d", c, ExitInterrupted)
		}
	})
	t.Run("twice", func(t *testing.T) {
		cmd, r := start("1m")
		cmd.Process.Signal(syscall.SIGINT)
		waitFor(t, r, "walls: SIGINT: stopping")
		cmd.Process.Signal(syscall.SIGINT)
		cmd.Wait()
		ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
		if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGINT {
			t.Fatalf("second SIGINT: %v; want the process killed by SIGINT", cmd.ProcessState)
		}
	})
}

// waitFor reads stderr lines until one starts with prefix.
func waitFor(t *testing.T, r *bufio.Reader, prefix string) {
	t.Helper()
	for {
		line, err := r.ReadString('\n')
		if strings.HasPrefix(line, prefix) {
			return
		}
		if err != nil {
			t.Fatalf("child's stderr ended before %q: %v", prefix, err)
		}
	}
}
