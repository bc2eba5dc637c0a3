package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/spf13/cobra"

	"github.com/walls-dev/walls/internal/safe"
)

// copyFile copies src to dst.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Two learn runs writing the same -o at once: the file is always one
// whole plan, the one a run printed, and nothing is left behind. Before
// the fix both shared one fixed temporary name and the file was often
// invalid while both said "plan written".
func TestLearnConcurrentOutput(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "plan.json")
	variants := [][]string{nil, {"--pin"}}
	for round := range 6 {
		outs := make([]string, 2)
		errs := make([]string, 2)
		codes := make([]int, 2)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				args := append([]string{"learn", learnInv, "--flows", learnFlows, "-o", path, "--format", "json"}, variants[i]...)
				var out, errOut bytes.Buffer
				codes[i] = Main(context.Background(), args, &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
				outs[i], errs[i] = out.String(), errOut.String()
			}()
		}
		wg.Wait()
		if outs[0] == outs[1] {
			t.Fatal("the two variants must learn different plans for this test to mean anything")
		}
		for i := range 2 {
			if codes[i] != 0 || !strings.Contains(errs[i], "plan written to "+path) {
				t.Fatalf("round %d run %d: exit %d: %s", round, i, codes[i], errs[i])
			}
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(data) {
			t.Fatalf("round %d: the plan file is not valid JSON:\n%s", round, data)
		}
		if string(data) != outs[0] && string(data) != outs[1] {
			t.Fatalf("round %d: the plan file is neither run's plan", round)
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Fatalf("round %d: temporary files left behind: %v", round, entries)
		}
	}
}

// learnOut runs learn with -o target and extra arguments.
func learnOut(t *testing.T, target string, extra ...string) (string, string, int) {
	t.Helper()
	return run(t, append([]string{"learn", learnInv, "--flows", learnFlows, "-o", target}, extra...)...)
}

func TestOutputRefusesNonRegularTargets(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim.txt")
	if err := os.WriteFile(victim, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "plan.json")
	if err := os.Symlink(victim, link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	cases := map[string]string{
		"symbolic link": link,
		"folder":        dir,
	}
	if runtime.GOOS != "windows" {
		cases["device"] = os.DevNull
		cases["/dev/stdout"] = "/dev/stdout"
		fifo := filepath.Join(dir, "fifo")
		if err := mkfifo(fifo); err == nil {
			cases["FIFO"] = fifo
		}
	}
	for what, target := range cases {
		_, errOut, code := learnOut(t, target)
		if code != 2 || !strings.Contains(errOut, "-o "+target+": is ") {
			t.Errorf("%s: exit %d, want 2 refusing it: %s", what, code, errOut)
		}
	}
	if data, _ := os.ReadFile(victim); string(data) != "keep me" {
		t.Errorf("the symbolic link's target was written: %q", data)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symbolic link was replaced")
	}
}

// A planted plan.json.tmp symbolic link (the old fixed temporary name) is
// not followed: the plan is written, the link's target untouched.
func TestOutputIgnoresPlantedTemporary(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim.txt")
	if err := os.WriteFile(victim, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "plan.json")
	if err := os.Symlink(victim, path+".tmp"); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	if _, errOut, code := learnOut(t, path); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if data, _ := os.ReadFile(victim); string(data) != "keep me" {
		t.Errorf("the planted link's target was written: %q", data)
	}
	if data, err := os.ReadFile(path); err != nil || !json.Valid(data) {
		t.Errorf("no valid plan written: %v", err)
	}
}

// -o naming one of the run's inputs (a named file, a file inside a named
// folder, a hard link to one) is refused and the input left intact.
func TestOutputRefusesInputs(t *testing.T) {
	dir := t.TempDir()
	inv := filepath.Join(dir, "inventory")
	if err := os.Mkdir(inv, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(learnInv)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		copyFile(t, filepath.Join(learnInv, e.Name()), filepath.Join(inv, e.Name()))
	}
	flows := filepath.Join(dir, "flows.log")
	copyFile(t, learnFlows, flows)
	invFile := filepath.Join(inv, entries[0].Name())
	hard := filepath.Join(dir, "hard.json")
	targets := []string{invFile, flows}
	if err := os.Link(flows, hard); err == nil {
		targets = append(targets, hard)
	}
	for _, target := range targets {
		before, _ := os.ReadFile(target)
		_, errOut, code := run(t, "learn", inv, "--flows", flows, "-o", target)
		if code != 2 || !strings.Contains(errOut, "is the input") {
			t.Errorf("-o %s: exit %d, want 2 naming the input: %s", target, code, errOut)
		}
		if after, _ := os.ReadFile(target); !bytes.Equal(before, after) {
			t.Errorf("-o %s: the input was overwritten", target)
		}
	}
	// A flow folder's files are inputs too.
	flowDir := filepath.Join(dir, "flowdir")
	os.Mkdir(flowDir, 0o755)
	inner := filepath.Join(flowDir, "a.log")
	copyFile(t, learnFlows, inner)
	if _, errOut, code := run(t, "learn", inv, "--flows", flowDir, "-o", inner); code != 2 || !strings.Contains(errOut, "is the input "+inner) {
		t.Errorf("-o a file of a flow folder: exit %d: %s", code, errOut)
	}
}

// A regular file that is not an input is replaced, keeping its mode.
func TestOutputReplacesRegularFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := learnOut(t, path); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	st, err := os.Stat(path)
	data, _ := os.ReadFile(path)
	if err != nil || !json.Valid(data) {
		t.Fatalf("plan not written: %v", err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want the replaced file's 0600", st.Mode().Perm())
	}
}

// -o - is the plan on stdout, as --format json; with --format table it is
// a contradiction.
func TestOutputDashIsStdout(t *testing.T) {
	want, _, _ := run(t, "learn", learnInv, "--flows", learnFlows, "--format", "json")
	out, errOut, code := learnOut(t, "-")
	if code != 0 || out != want {
		t.Errorf("-o -: exit %d, stdout is not the plan: %s", code, errOut)
	}
	if _, err := os.Stat("-"); err == nil {
		os.Remove("-")
		t.Error("-o - wrote a file named -")
	}
	if _, errOut, code := learnOut(t, "-", "--format", "table"); code != 2 || !strings.Contains(errOut, "-o -") {
		t.Errorf("-o - --format table: exit %d: %s", code, errOut)
	}
}

// failingWriter fails every write, as /dev/full does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// Every command fails with exit 2, naming stdout, when stdout cannot be
// written, in every format; before, table output ignored the error.
func TestStdoutWriteErrorIsExit2(t *testing.T) {
	plan, _ := learnPlan(t)
	obsFlows := filepath.Join("testdata", "observe", "flows-v5.log")
	commands := [][]string{
		{"audit", learnInv},
		{"audit", learnInv, "--format", "json"},
		{"diff", learnInv, "--plan", plan},
		{"replay", learnInv, "--plan", plan, "--flows", learnFlows},
		{"learn", learnInv, "--flows", learnFlows},
		{"observe", "--flows", obsFlows},
		{"observe", "--flows", obsFlows, "--format", "csv"},
		{"check", learnInv, "--plan", plan, "--from", "10.0.2.10", "--to", "10.0.2.20", "--port", "3306"},
		{"help"},
	}
	for _, args := range commands {
		var errOut bytes.Buffer
		code := Main(context.Background(), args, &IOStreams{In: strings.NewReader(""), Out: failingWriter{}, ErrOut: &errOut})
		if code != 2 || !strings.Contains(errOut.String(), "walls: writing stdout: no space left on device") {
			t.Errorf("walls %s: exit %d, want 2 naming stdout: %s", strings.Join(args, " "), code, errOut.String())
		}
	}
}

func TestCheckedWriterKeepsFirstError(t *testing.T) {
	var buf bytes.Buffer
	w := &checkedWriter{w: io.MultiWriter(&buf, &limited{n: 3})}
	if _, err := w.Write([]byte("ab")); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("cd")); err == nil {
		t.Fatal("the second write should fail")
	}
	if _, err := w.Write([]byte("ef")); !errors.Is(err, errLimit) || !errors.Is(w.Err(), errLimit) {
		t.Errorf("after a failure every write fails with the first error: %v / %v", err, w.Err())
	}
}

var errLimit = errors.New("limit")

type limited struct{ n int }

func (l *limited) Write(p []byte) (int, error) {
	if len(p) > l.n {
		return 0, errLimit
	}
	l.n -= len(p)
	return len(p), nil
}

// withCommand registers an extra command for one test.
func withCommand(t *testing.T, c *cobra.Command) {
	saved := commands
	commands = append(append([]func(*IOStreams) *cobra.Command{}, commands...), func(*IOStreams) *cobra.Command { return c })
	t.Cleanup(func() { commands = saved })
}

// A panic is an internal error: exit 3, one line on stderr, and a report
// with the panic value, the stack, the version and the command line.
func TestPanicIsExit3WithReport(t *testing.T) {
	for _, where := range []string{"command", "goroutine"} {
		t.Run(where, func(t *testing.T) {
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			withCommand(t, &cobra.Command{Use: "boom", RunE: func(*cobra.Command, []string) error {
				if where == "command" {
					var m map[string]int
					m["x"] = 1 // a nil map write: a real runtime panic
				}
				var g safe.Group
				g.Go(func() { panic(fmt.Sprintf("worker failed\nsecond line %s", "x")) })
				g.Wait()
				return nil
			}})
			_, errOut, code := run(t, "boom", "--", "arg with space")
			if code != ExitCrash {
				t.Fatalf("exit %d, want %d: %s", code, ExitCrash, errOut)
			}
			if strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "walls: internal error") {
				t.Errorf("want one line on stderr: %q", errOut)
			}
			reports, _ := filepath.Glob(filepath.Join(tmp, "walls-crash-*.txt"))
			if len(reports) != 1 || !strings.Contains(errOut, reports[0]) {
				t.Fatalf("report %v not named on stderr: %s", reports, errOut)
			}
			data, _ := os.ReadFile(reports[0])
			report := string(data)
			for _, want := range []string{"version: ", `command: walls "boom" "--" "arg with space"`, "panic:   ", "goroutine ", "TestPanicIsExit3WithReport"} {
				if !strings.Contains(report, want) {
					t.Errorf("the report lacks %q:\n%s", want, report)
				}
			}
		})
	}
}

// NaN and infinities are refused in every float flag, naming the flag.
func TestFloatFlagsRefuseNaNAndInf(t *testing.T) {
	for _, v := range []string{"NaN", "nan", "Inf", "+Inf", "-Inf", "infinity"} {
		for _, flag := range []string{"--holdout", "--max-bad-lines"} {
			_, errOut, code := run(t, "learn", learnInv, "--flows", learnFlows, flag+"="+v)
			if code != 2 || !strings.Contains(errOut, flag+" ") || !strings.Contains(errOut, "finite") {
				t.Errorf("%s=%s: exit %d, want 2 naming the flag: %s", flag, v, code, errOut)
			}
		}
	}
	for _, args := range [][]string{{"observe", "--flows", learnFlows}, {"audit", learnInv, "--flows", learnFlows}} {
		_, errOut, code := run(t, append(args, "--max-bad-lines", "nan%")...)
		if code != 2 || !strings.Contains(errOut, "--max-bad-lines") {
			t.Errorf("%s --max-bad-lines nan%%: exit %d: %s", args[0], code, errOut)
		}
	}
}

// Empty stdin as a flow source is said, as is a run that read no records
// at all, in every flow command.
func TestEmptyFlowInputWarns(t *testing.T) {
	plan, _ := learnPlan(t)
	empty := filepath.Join(t.TempDir(), "empty.log")
	os.WriteFile(empty, nil, 0o644)
	for _, args := range [][]string{
		{"observe", "--flows", "-"},
		{"learn", learnInv, "--flows", "-"},
		{"replay", learnInv, "--plan", plan, "--flows", "-"},
		{"audit", learnInv, "--flows", "-"},
	} {
		_, errOut, _ := run(t, args...)
		if !strings.Contains(errOut, "no records read from stdin") || !strings.Contains(errOut, "no flow records read from any source") {
			t.Errorf("walls %s with empty stdin: no warning: %s", strings.Join(args, " "), errOut)
		}
	}
	_, errOut, _ := run(t, "observe", "--flows", empty)
	if strings.Contains(errOut, "stdin") || !strings.Contains(errOut, "no flow records read from any source (1 file, 0 lines") {
		t.Errorf("empty file: %s", errOut)
	}
	// Stdin with records: no warning.
	data, _ := os.ReadFile(learnFlows)
	var out, eb bytes.Buffer
	Main(context.Background(), []string{"observe", "--flows", "-"}, &IOStreams{In: bytes.NewReader(data), Out: &out, ErrOut: &eb})
	if strings.Contains(eb.String(), "no records") || strings.Contains(eb.String(), "no flow records") {
		t.Errorf("stdin with records warned: %s", eb.String())
	}
}

// Two writers of one path whose writes interleave (each waits, half
// written, for the other): the file ends as one writer's whole content.
// A shared temporary name would mix or truncate them.
func TestWriteFileAtomicInterleaved(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plan.json")
	contents := []string{strings.Repeat("a", 1<<16), strings.Repeat("b", 1<<12)}
	var half sync.WaitGroup
	half.Add(2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = writeFileAtomic("-o", path, func(w io.Writer) error {
				c := contents[i]
				if _, err := io.WriteString(w, c[:len(c)/2]); err != nil {
					return err
				}
				half.Done()
				half.Wait()
				_, err := io.WriteString(w, c[len(c)/2:])
				return err
			})
		}()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatal(errs)
	}
	data, _ := os.ReadFile(path)
	if string(data) != contents[0] && string(data) != contents[1] {
		t.Errorf("the file mixes both writers (%d bytes)", len(data))
	}
}

// A write that fails leaves the old file and no temporary behind.
func TestWriteFileAtomicFailureKeepsOld(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "plan.json")
	os.WriteFile(path, []byte("old"), 0o644)
	err := writeFileAtomic("-o", path, func(w io.Writer) error {
		io.WriteString(w, "partial")
		return syscall.ENOSPC
	})
	if err == nil || !strings.Contains(err.Error(), "no space left on device") {
		t.Fatalf("err %v", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "old" {
		t.Errorf("the old file was replaced: %q", data)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("a temporary file was left: %v", entries)
	}
}

// TestWholeFileFlagsRefuseSpecialFiles: --plan and --suppressions read
// their file whole, so a device or a named pipe is refused by type (exit 2)
// instead of being read forever.
func TestWholeFileFlagsRefuseSpecialFiles(t *testing.T) {
	for _, args := range [][]string{
		{"diff", learnInv, "--plan", os.DevNull},
		{"audit", learnInv, "--suppressions", os.DevNull},
	} {
		_, errOut, code := run(t, args...)
		if code != 2 || !strings.Contains(errOut, "not a regular file") {
			t.Errorf("%v: exit %d, want 2 refusing the device: %s", args, code, errOut)
		}
	}
}
