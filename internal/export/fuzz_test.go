package export_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"golang.org/x/text/unicode/norm"
	"gopkg.in/yaml.v3"

	"github.com/walls-dev/walls/internal/export"
	"github.com/walls-dev/walls/internal/plan"
)

// FuzzDescription: whatever a rule's description holds, the Terraform
// parses and its description attribute evaluates to it, the
// CloudFormation decodes to it, and the script's quoted JSON reads back
// to it through bash's single-quote rules.
func FuzzDescription(f *testing.F) {
	for _, s := range []string{fancy, "", "${", "%{", "$${x}", "'", `"`, `\`, "a\nb", "# x", "- y", ": z", "é→✓", "\x00", "*/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, desc string) {
		if !utf8.ValidString(desc) || len(desc) > 255 {
			return
		}
		rule := r("tcp", 443, 443, "0.0.0.0/0", desc)
		p := &plan.Plan{Version: plan.Version, SecurityGroups: []plan.Group{{GroupID: "sg-1", Status: plan.StatusProposed,
			CurrentEgress: []plan.Rule{}, ProposedEgress: []plan.Rule{rule}}}}
		changes, err := export.Changes(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		tf := export.Terraform(changes, nil, header)
		file, diags := hclsyntax.ParseConfig(tf, "out.tf", hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatalf("terraform does not parse: %v\n%s", diags, tf)
		}
		body := file.Body.(*hclsyntax.Body)
		var got string
		for _, b := range body.Blocks {
			if a := b.Body.Attributes["description"]; a != nil {
				v, diags := a.Expr.Value(nil)
				if diags.HasErrors() {
					t.Fatalf("description does not evaluate: %v\n%s", diags, tf)
				}
				got = v.AsString()
			}
		}
		// HCL reads strings in Unicode normal form C, as Terraform does.
		if desc != "" && got != norm.NFC.String(desc) {
			t.Errorf("terraform description %q, want %q", got, norm.NFC.String(desc))
		}

		cfn, err := export.CloudFormation(changes, nil, header)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Resources map[string]struct {
				Properties struct{ Description string }
			}
		}
		if err := yaml.Unmarshal(cfn, &doc); err != nil {
			t.Fatalf("cloudformation does not decode: %v\n%s", err, cfn)
		}
		for _, res := range doc.Resources {
			if res.Properties.Description != desc {
				t.Errorf("cloudformation description %q, want %q", res.Properties.Description, desc)
			}
		}

		sh, err := export.AWSCLI(changes, header)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := export.Permission(&changes[0].Add[0].Rule, true)
		_, arg, ok := strings.Cut(string(sh), "--ip-permissions ")
		if !ok {
			t.Fatalf("no --ip-permissions:\n%s", sh)
		}
		if got, ok := unquote(arg); !ok || got != string(want) {
			t.Errorf("script argument reads %q, want %q", got, want)
		}
		for _, l := range strings.Split(string(sh), "\n") {
			if strings.HasPrefix(l, "#") && strings.ContainsAny(l, "\r") {
				t.Errorf("a comment line holds a line break: %q", l)
			}
		}
	})
}

// unquote reads one bash word made of single-quoted parts and \' (as
// shQuote writes it) up to a newline.
func unquote(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); {
		switch {
		case s[i] == '\n':
			return b.String(), true
		case s[i] == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return "", false
			}
			b.WriteString(s[i+1 : i+1+j])
			i += j + 2
		case strings.HasPrefix(s[i:], `\'`):
			b.WriteByte('\'')
			i += 2
		default:
			return "", false
		}
	}
	return b.String(), true
}
