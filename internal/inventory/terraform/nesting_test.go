package terraform

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/walls-dev/walls/internal/vpc"
)

// nestedShapes builds, for n, a file that nests n levels deep in one of
// the ways the HCL parser or evaluator recurses on; each crashed walls
// with a fatal stack overflow at 70,000 to 200,000 levels.
var nestedShapes = map[string]func(n int) string{
	"parentheses": func(n int) string {
		return "locals { x = " + strings.Repeat("(", n) + "1" + strings.Repeat(")", n) + " }\n"
	},
	"brackets": func(n int) string {
		return "locals { x = " + strings.Repeat("[", n) + "1" + strings.Repeat("]", n) + " }\n"
	},
	"blocks": func(n int) string { return strings.Repeat("a {\n", n) + strings.Repeat("}\n", n) },
	"templates": func(n int) string {
		return "locals { x = " + strings.Repeat(`"${`, n) + "1" + strings.Repeat(`}"`, n) + " }\n"
	},
	"not":         func(n int) string { return "locals { x = " + strings.Repeat("!", n) + "true }\n" },
	"minus":       func(n int) string { return "locals { x = " + strings.Repeat("-", n) + "1 }\n" },
	"minus-space": func(n int) string { return "locals { x = " + strings.Repeat("- ", n) + "1 }\n" },
	"conditional": func(n int) string { return "locals { x = " + strings.Repeat("true ? 1 : ", n) + "1 }\n" },
	"sum":         func(n int) string { return "locals { x = 1" + strings.Repeat("+1", n) + " }\n" },
	"splat":       func(n int) string { return "locals {\n y = [1]\n x = local.y" + strings.Repeat("[*]", n) + "\n}\n" },
	"for": func(n int) string {
		return "locals { x = " + strings.Repeat("[for a in ", n) + "[1]" + strings.Repeat(" : a]", n) + " }\n"
	},
	"if-directives": func(n int) string {
		return "locals { x = \"" + strings.Repeat("%{if true}", n) + strings.Repeat("%{endif}", n) + "\" }\n"
	},
	"heredocs": func(n int) string {
		var b strings.Builder
		b.WriteString("locals {\n x = ")
		for i := 0; i < n; i++ {
			b.WriteString("<<EOT\n${")
		}
		b.WriteString("1")
		for i := 0; i < n; i++ {
			b.WriteString("}\nEOT\n")
		}
		b.WriteString("}\n")
		return b.String()
	},
}

func TestDeepNestingRefused(t *testing.T) {
	for name, shape := range nestedShapes {
		t.Run(name, func(t *testing.T) {
			src := "# line 1\n\n" + shape(100000)
			_, _, err := loadHCL(t, src)
			var ie *vpc.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("want an input error, got %v", err)
			}
			if ie.Loc.File != "main.tf" || ie.Loc.Line < 3 || !strings.Contains(ie.Msg, "nested more than 256 levels") {
				t.Fatalf("error %v: want main.tf, the line where nesting passed 256 and why", err)
			}
		})
	}
}

// Moderate nesting of every shape passes the check and parses.
func TestModerateNestingAccepted(t *testing.T) {
	for name, shape := range nestedShapes {
		t.Run(name, func(t *testing.T) {
			src := shape(40)
			if line := deepNesting([]byte(src), MaxNesting); line != 0 {
				t.Fatalf("refused at line %d:\n%s", line, src)
			}
			if _, _, err := loadHCL(t, src); err != nil && strings.Contains(err.Error(), "nested more than") {
				t.Fatal(err)
			}
		})
	}
}

func TestNestingLine(t *testing.T) {
	src := "locals {\n  a = 1\n  b = [\n" + strings.Repeat("[\n", 300) + "1" + strings.Repeat("]", 301) + "\n}\n"
	// locals' brace is level 1, b's list on line 3 level 2, and the list
	// opened on line k > 3 is level k-1: level 257 opens on line 258.
	if got := deepNesting([]byte(src), MaxNesting); got != 258 {
		t.Fatalf("line %d", got)
	}
}

// Brackets inside strings, comments and heredoc text are not code.
func TestNestingIgnoresText(t *testing.T) {
	deep := strings.Repeat("(", 10000) + strings.Repeat("{", 10000) + strings.Repeat("[", 10000)
	for name, src := range map[string]string{
		"string":     `x = "` + deep + `"`,
		"escapes":    `x = "\"` + deep + `\\"`,
		"literal":    `x = "$${` + deep + `"`,
		"hash":       "# " + deep + "\nx = 1",
		"slashes":    "// " + deep + "\nx = 1",
		"block":      "/* " + deep + "\n" + deep + " */ x = 1",
		"heredoc":    "x = <<EOT\n" + deep + "\n\"\n  EOT\ny = 1\n",
		"heredoc-in": "x = <<-EOT\n  ${\"a\"}" + deep + "\n  EOT\n",
		"operators":  "a = 1 + 1\n" + strings.Repeat("b = 1 + 1 + 1\n", 10000) + "c = [" + strings.Repeat("1 + 1,", 10000) + "]",
		"idents":     "x = " + strings.Repeat("aws-x-y-", 10000) + "z",
		"exponents":  "x = [" + strings.Repeat("1e-5, ", 10000) + "]",
		"blocks":     strings.Repeat("resource \"a\" \"b\" {\n  ingress {\n    x = [1]\n  }\n}\n", 10000),
		"parts":      `x = "` + strings.Repeat("${a}${b}", 10000) + `"`,
		"directives": `x = "` + strings.Repeat("%{if a}x%{endif}", 10000) + `"`,
	} {
		if line := deepNesting([]byte(src), MaxNesting); line != 0 {
			t.Errorf("%s: refused at line %d", name, line)
		}
	}
}

// Every Terraform file in the repository nests far below the limit.
func TestNestingOfRealFiles(t *testing.T) {
	var n int
	err := filepath.WalkDir("../../..", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".tf") && !strings.HasSuffix(p, ".tfvars") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n++
		if line := deepNesting(data, 16); line != 0 {
			t.Errorf("%s: nests more than 16 levels at line %d", p, line)
		}
		return nil
	})
	if err != nil || n == 0 {
		t.Fatalf("walked %d files: %v", n, err)
	}
}

// astDepth is the depth of the parsed syntax tree.
type astDepth struct{ cur, max int }

func (w *astDepth) Enter(hclsyntax.Node) hcl.Diagnostics {
	w.cur++
	w.max = max(w.max, w.cur)
	return nil
}
func (w *astDepth) Exit(hclsyntax.Node) hcl.Diagnostics { w.cur--; return nil }

// FuzzNesting holds the depth check to what it protects: whatever it
// accepts parses into a syntax tree of bounded depth (a few tree levels
// per counted level).
func FuzzNesting(f *testing.F) {
	addSeeds(f, "../testdata/equivalent/terraform/*.tf")
	for _, shape := range nestedShapes {
		f.Add([]byte(shape(3)))
		f.Add([]byte(shape(20)))
	}
	const limit = 16
	f.Fuzz(func(t *testing.T, data []byte) {
		if deepNesting(data, limit) != 0 {
			return
		}
		file, _ := hclsyntax.ParseConfig(data, "main.tf", hcl.InitialPos)
		if file == nil || file.Body == nil {
			return
		}
		w := &astDepth{}
		hclsyntax.Walk(file.Body.(*hclsyntax.Body), w)
		if w.max > 4*limit+8 {
			t.Fatalf("accepted at limit %d, but the syntax tree is %d deep", limit, w.max)
		}
	})
}
