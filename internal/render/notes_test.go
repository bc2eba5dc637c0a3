package render

import (
	"strings"
	"testing"
)

func TestWrapHanging(t *testing.T) {
	t.Parallel()
	const label = "walls: warning: "
	path := "/very/long/path/to/some/terraform/module/that/goes/on/and/on/main.tf:12:"
	for _, tt := range []struct {
		name, s string
		width   int
		want    string
	}{
		{"fits", "short", 40, label + "short\n"},
		{"unlimited", strings.Repeat("word ", 30), 0, label + strings.Repeat("word ", 30) + "\n"},
		{"hanging indent", "one two three four five six seven eight nine ten", 40,
			label + "one two three four five\n" +
				"                six seven eight nine ten\n"},
		{"a path stays whole", "see " + path + " the rule", 50,
			label + "see\n" +
				"                " + path + "\n" +
				"                the rule\n"},
		{"a quoted value stays whole", `value "a b c d e f g" is not a CIDR block`, 40,
			label + `value "a b c d e f g" is` + "\n" +
				"                not a CIDR block\n"},
		{"escaped quote", `x "a \" b c d e f" y`, 30,
			label + `x` + "\n" +
				"                " + `"a \" b c d e f"` + "\n" +
				"                y\n"},
		{"apostrophe", "the group's rules don't match anything at all", 40,
			label + "the group's rules don't\n" +
				"                match anything at all\n"},
		{"single-quoted", "file 'my dir/a b.json' cannot be read today", 40,
			label + "file 'my dir/a b.json'\n" +
				"                cannot be read today\n"},
		{"unclosed quote", `a "b c d e f g h i j k`, 30,
			label + `a "b c d e f g` + "\n" +
				"                h i j k\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := WrapHanging(label, tt.s, tt.width); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// Wrapping only moves spaces: joining the lines gives the message back,
// and no line is wider than the width unless it is one word.
func TestWrapHangingKeepsText(t *testing.T) {
	t.Parallel()
	msg := `reading "flow logs/2026 01.gz" at s3://bucket/prefix/with/a/long/key/name.log.gz: 3 records skipped, the group's rules are unchanged`
	for width := 20; width <= 120; width += 7 {
		out := WrapHanging("walls: note: ", msg, width)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		var words []string
		for i, l := range lines {
			if i > 0 && !strings.HasPrefix(l, strings.Repeat(" ", len("walls: note: "))) {
				t.Fatalf("width %d: line %d not indented: %q", width, i, l)
			}
			body := strings.TrimSpace(strings.TrimPrefix(l, "walls: note: "))
			if len(l) > width && strings.Contains(body, " ") && !strings.Contains(body, `"`) {
				t.Errorf("width %d: line %q is wider and could be broken", width, l)
			}
			words = append(words, body)
		}
		if got := strings.Join(words, " "); got != msg {
			t.Errorf("width %d: text changed:\n%s", width, got)
		}
	}
}

// FuzzWrapHanging: for any message and width, wrapping ends every line in
// a newline, indents every line after the first, and only turns spaces
// into line breaks: the words, quoted values included, come back whole.
func FuzzWrapHanging(f *testing.F) {
	f.Add(`value "a b c" at /a/b/c.tf:3: the group's rules`, 40)
	f.Add(`x "a \" b" 'y z' `+"`q r`"+` "unclosed`, 20)
	f.Add("", 0)
	f.Fuzz(func(t *testing.T, s string, width int) {
		if strings.ContainsAny(s, "\n\r\t") || width > 1000 {
			t.Skip() // callers wrap one line at a time
		}
		const label = "walls: note: "
		out := WrapHanging(label, s, width)
		if !strings.HasSuffix(out, "\n") || !strings.HasPrefix(out, label) {
			t.Fatalf("%q", out)
		}
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		for i, l := range lines[1:] {
			if !strings.HasPrefix(l, "             ") {
				t.Fatalf("line %d not indented: %q", i+1, l)
			}
		}
		var got []string
		for _, l := range lines {
			got = append(got, strings.Fields(strings.TrimPrefix(l, label))...)
		}
		if want := strings.Fields(s); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("words changed:\n%q\n%q", got, want)
		}
	})
}
