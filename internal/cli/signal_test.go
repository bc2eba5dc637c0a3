package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// cancellingReader cancels the run's context on its first read, then
// serves data: the run is interrupted while it reads its input.
type cancellingReader struct {
	cancel func()
	r      io.Reader
}

func (c *cancellingReader) Read(p []byte) (int, error) {
	c.cancel()
	return c.r.Read(p)
}

func mainCtx(ctx context.Context, in io.Reader, args ...string) (string, string, int) {
	var out, errOut bytes.Buffer
	code := Main(ctx, args, &IOStreams{In: in, Out: &out, ErrOut: &errOut})
	return out.String(), errOut.String(), code
}

func TestCancelledBeforeTheRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out, errOut, code := mainCtx(ctx, strings.NewReader(""), "observe", "--flows", filepath.Join(obsDir, "flows-v5.log"))
	if code != ExitInterrupted || out != "" || !strings.Contains(errOut, "walls: interrupted (cancelled)") {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d, no output, the interruption said", code, out, errOut, ExitInterrupted)
	}
}

func TestSIGTERMCauseExits143(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(&Interrupted{Signal: syscall.SIGTERM})
	_, errOut, code := mainCtx(ctx, strings.NewReader(""), "version")
	if code != 128+15 || !strings.Contains(errOut, "interrupted (SIGTERM)") {
		t.Fatalf("exit %d, stderr %q; want 143 naming SIGTERM", code, errOut)
	}
}

// Interrupted while observe reads stdin: the partial result is not
// written, and the exit says why.
func TestCancelledWhileObserving(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(obsDir, "flows-v5.log"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, errOut, code := mainCtx(ctx, &cancellingReader{cancel: cancel, r: bytes.NewReader(data)},
		"observe", "--flows", "-", "--format", "json")
	if code != ExitInterrupted || out != "" || !strings.Contains(errOut, "walls: interrupted (cancelled)") {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d and no output", code, out, errOut, ExitInterrupted)
	}
	// the same run uncancelled writes its observations
	out, _, code = mainCtx(context.Background(), bytes.NewReader(data), "observe", "--flows", "-", "--format", "json")
	if code != 0 || out == "" {
		t.Fatalf("uncancelled: exit %d, stdout %q", code, out)
	}
}

// Interrupted while learn reads its flows: no plan file is written.
func TestCancelledLearnWritesNoPlan(t *testing.T) {
	data, err := os.ReadFile(learnFlows)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "plan.json")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, errOut, code := mainCtx(ctx, &cancellingReader{cancel: cancel, r: bytes.NewReader(data)},
		"learn", learnInv, "--flows", "-", "-o", path)
	if code != ExitInterrupted {
		t.Fatalf("exit %d, stderr %q; want %d", code, errOut, ExitInterrupted)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("plan file after an interrupted learn: %v", err)
	}
}

// blockingReader blocks its first read until released, as a terminal
// that nobody types into: the context cannot stop it.
type blockingReader struct {
	started chan struct{}
	release chan struct{}
	once    sync.Once
}

func (b *blockingReader) Read(p []byte) (int, error) {
	b.once.Do(func() { close(b.started) })
	<-b.release
	return 0, io.EOF
}

// A command stuck in work that does not watch the context is abandoned
// after stopGrace: Main returns with the interrupted exit.
func TestStuckCommandIsAbandoned(t *testing.T) {
	defer func(g time.Duration) { stopGrace = g }(stopGrace)
	stopGrace = 10 * time.Millisecond
	in := &blockingReader{started: make(chan struct{}), release: make(chan struct{})}
	defer close(in.release)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-in.started; cancel() }()
	out, errOut, code := mainCtx(ctx, in, "observe", "--flows", "-")
	if code != ExitInterrupted || out != "" || !strings.Contains(errOut, "walls: interrupted (cancelled)") {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d", code, out, errOut, ExitInterrupted)
	}
}

func TestStoppedWriterDropsWrites(t *testing.T) {
	var b bytes.Buffer
	w := &checkedWriter{w: &b}
	w.Write([]byte("before "))
	w.stop()
	if _, err := w.Write([]byte("after")); !errors.Is(err, errStopped) {
		t.Fatalf("write after stop: %v", err)
	}
	if b.String() != "before " {
		t.Fatalf("got %q", b.String())
	}
}
