package terraform

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/walls-dev/walls/internal/vpc"
)

// Suppression is an inline `# walls:ignore WALLS-XXX reason text` comment in
// a .tf file (also `//` or `/* */`): the author accepts finding CheckID for
// one resource or one rule.
//
// The comment applies to the block that starts on the next line of code
// below it or, written at the end of a line, to the innermost block holding
// that line. Resource is the address of the resource the block belongs to;
// for a security group or NACL declared in the folder that address is its
// model id. Loc is the block's file and header line, which is the
// vpc.Location (Source) of every model object the block declares.
//
// For a resource with count or for_each, Resource is the address without
// the instance key and covers every instance: it matches resource ids equal
// to it or starting with it followed by "[".
//
// Rule says how an audit engine matches it:
//   - Rule false (a resource block such as aws_security_group.web): drop
//     findings with this CheckID whose resource id is Resource (they cover
//     the group and all of its rules).
//   - Rule true (a nested ingress/egress/dynamic block, or a standalone rule
//     resource such as aws_security_group_rule, aws_vpc_security_group_*_rule
//     or aws_network_acl_rule): drop findings with this CheckID whose
//     location (the vpc.Rule or vpc.NACLEntry Source) equals Loc.
//
// Rules made by a dynamic block all carry the line of its `dynamic` header,
// and so does Loc for a comment on it.
type Suppression = vpc.Suppression

// ruleResources declare one rule each; a suppression on them is rule-level.
var ruleResources = map[string]bool{
	"aws_security_group_rule": true, "aws_vpc_security_group_ingress_rule": true,
	"aws_vpc_security_group_egress_rule": true, "aws_network_acl_rule": true,
}

var ignoreRE = regexp.MustCompile(`^(?:#|//|/\*)\s*walls:ignore\b\s*(\S*)\s*(.*?)\s*(?:\*/)?\s*$`)
var checkIDRE = regexp.MustCompile(`^WALLS-[A-Za-z0-9][A-Za-z0-9-]*$`)

// suppressions finds the walls:ignore comments of one file.
func (m *hclModule) suppressions(file string, src []byte, body *hclsyntax.Body, inv *vpc.Inventory) []Suppression {
	toks, _ := hclsyntax.LexConfig(src, file, hcl.InitialPos)
	type span struct {
		addr       string
		start, end int
		header     int
		rule       bool
	}
	var spans []span
	for _, blk := range body.Blocks {
		if blk.Type != "resource" || len(blk.Labels) != 2 {
			continue
		}
		addr := blk.Labels[0] + "." + blk.Labels[1]
		rl := blk.DefRange().Start.Line
		spans = append(spans, span{addr: addr, start: rl, end: blk.Range().End.Line, header: rl, rule: ruleResources[blk.Labels[0]]})
		for _, nb := range blk.Body.Blocks {
			nl := nb.DefRange().Start.Line
			spans = append(spans, span{addr: addr, start: nb.DefRange().Start.Line, end: nb.Range().End.Line, header: nl, rule: true})
		}
	}
	innermost := func(line int) *span {
		var best *span
		for i := range spans {
			s := &spans[i]
			if s.start <= line && line <= s.end && (best == nil || s.end-s.start < best.end-best.start) {
				best = s
			}
		}
		return best
	}
	// codeLines marks lines holding something other than comments.
	codeLines := map[int]bool{}
	for _, t := range toks {
		switch t.Type {
		case hclsyntax.TokenComment, hclsyntax.TokenNewline, hclsyntax.TokenEOF:
		default:
			codeLines[t.Range.Start.Line] = true
		}
	}
	last := 0
	for _, t := range toks {
		if t.Range.End.Line > last {
			last = t.Range.End.Line
		}
	}
	var out []Suppression
	for _, t := range toks {
		if t.Type != hclsyntax.TokenComment {
			continue
		}
		mm := ignoreRE.FindStringSubmatch(strings.TrimSpace(string(t.Bytes)))
		if mm == nil {
			continue
		}
		line := t.Range.Start.Line
		cloc := vpc.Location{File: file, Line: line}
		if !checkIDRE.MatchString(mm[1]) {
			inv.Warn(vpc.Warning{Code: "bad-suppression", Message: fmt.Sprintf("walls:ignore %q: want a check id such as WALLS-SG-001 followed by a reason", mm[1]), Source: cloc})
			continue
		}
		target := line
		if !codeLines[line] {
			target = line + 1
			for target <= last && !codeLines[target] {
				target++
			}
		}
		s := innermost(target)
		if s == nil {
			inv.Warn(vpc.Warning{Code: "bad-suppression", Message: fmt.Sprintf("walls:ignore %s is not above or beside a resource or rule block", mm[1]), Source: cloc})
			continue
		}
		out = append(out, Suppression{CheckID: mm[1], Resource: s.addr, Reason: mm[2], Loc: vpc.Location{File: file, Line: s.header}, Rule: s.rule})
	}
	return out
}
