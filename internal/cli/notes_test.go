package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// runStreams runs walls with the given streams' terminal facts and returns
// stderr.
func runStreams(t *testing.T, ios IOStreams, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	ios.In, ios.Out, ios.ErrOut = strings.NewReader(""), &out, &errOut
	if code := Main(context.Background(), args, &ios); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	return errOut.String()
}

const diffNote = "walls: note: diff without the inventory: security-group and prefix-list peers resolve to no addresses, " +
	"so what they allow counts as no longer allowed and only CIDRs prove them within the current rules; pass the inventory for the exact difference"

func TestNotesWrapOnATerminalOrWithWidth(t *testing.T) {
	path := filepath.Join("testdata", "learn", "seed-plan.json") // TestLearnGolden keeps it current
	for _, tt := range []struct {
		name  string
		ios   IOStreams
		args  []string
		width int // 0: one line
	}{
		{"a pipe", IOStreams{}, nil, 0},
		{"a pipe with COLUMNS", IOStreams{Columns: "60"}, nil, 0},
		{"--width on a pipe", IOStreams{}, []string{"--width", "60"}, 60},
		{"--width 0 on a terminal", IOStreams{ErrTTY: true, ErrTermWidth: 50}, []string{"--width", "0"}, 0},
		{"a terminal", IOStreams{ErrTTY: true, ErrTermWidth: 70}, nil, 70},
		{"a terminal and COLUMNS", IOStreams{ErrTTY: true, ErrTermWidth: 70, Columns: "80"}, nil, 80},
		{"stdout's terminal", IOStreams{ErrTTY: true, ErrTermWidth: 70, OutTTY: true, TermWidth: 90}, nil, 90},
		{"a terminal of unknown width", IOStreams{ErrTTY: true}, nil, 100},
	} {
		t.Run(tt.name, func(t *testing.T) {
			errOut := runStreams(t, tt.ios, append([]string{"diff", "--plan", path, "--format", "json"}, tt.args...)...)
			lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
			if tt.width == 0 {
				if errOut != diffNote+"\n" {
					t.Fatalf("stderr %q, want the note on one line", errOut)
				}
				return
			}
			if len(lines) < 2 {
				t.Fatalf("not wrapped to %d: %q", tt.width, errOut)
			}
			indent := strings.Repeat(" ", len("walls: note: "))
			var words []string
			for i, l := range lines {
				if len(l) > tt.width {
					t.Errorf("line %d is %d columns, want at most %d: %q", i, len(l), tt.width, l)
				}
				if i > 0 && !strings.HasPrefix(l, indent) {
					t.Errorf("line %d has no hanging indent: %q", i, l)
				}
				words = append(words, strings.TrimSpace(l))
			}
			if got := strings.Join(words, " "); got != diffNote {
				t.Errorf("wrapping changed the note:\n%s", got)
			}
		})
	}
}

// Only notes and warnings are wrapped, each line of them at a line start:
// the lines under a warning, errors and progress output are not.
func TestNoteWriterLeavesOtherLines(t *testing.T) {
	var buf bytes.Buffer
	n := &noteWriter{w: &buf, width: 40, lineStart: true}
	long := strings.Repeat("x ", 30)
	for _, s := range []string{
		"walls: warning: 2 malformed lines skipped, first ones:\n  a/very/long/file/name/that/does/not/fit.log:1: bad\n",
		"walls: error " + long + "\n",
		"\rprogress " + long,
		"\r",
		"walls: note: " + long + "\n",
		"partial ",
		"walls: note: " + long + "\n",
	} {
		if _, err := n.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	want := "walls: warning: 2 malformed lines\n                skipped, first ones:\n" +
		"  a/very/long/file/name/that/does/not/fit.log:1: bad\n" +
		"walls: error " + long + "\n" +
		"\rprogress " + long + "\r" +
		"walls: note: x x x x x x x x x x x x x x\n" +
		"             x x x x x x x x x x x x x x\n" +
		"             x x\n" +
		"partial walls: note: " + long + "\n"
	if buf.String() != want {
		t.Errorf("got\n%q\nwant\n%q", buf.String(), want)
	}
}
