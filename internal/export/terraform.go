package export

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/walls-dev/walls/internal/vpc"
)

// Terraform resource types the export writes or reads.
const (
	tfRuleType  = "aws_vpc_security_group_egress_rule"
	tfGroupType = "aws_security_group"
)

// Terraform writes the changes as Terraform: one
// aws_vpc_security_group_egress_rule per proposed rule of each group,
// import blocks for the proposed rules that exist already (by rule id),
// removed blocks for the rule resources that go, and comments for what
// Terraform cannot do from this module. A group whose egress the input
// wrote as inline egress blocks of its aws_security_group gets the
// replacement blocks instead (as comments to paste), since the provider
// must not manage one group's rules both ways. inv resolves referenced
// groups to their resource addresses; it may be nil. The output is
// hclwrite-formatted: terraform fmt leaves it as it is. The provider
// facts it relies on are in docs/semantics.md#exports.
func Terraform(changes []Change, inv *vpc.Inventory, header []string) []byte {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	comment(body, header...)
	comment(body, "Terraform 1.7 or later (removed blocks); AWS provider 5.x or later (aws_vpc_security_group_egress_rule).")
	names := map[string]bool{}
	for ci := range changes {
		c := &changes[ci]
		body.AppendNewline()
		comment(body, groupHeading(c)...)
		if c.Inline(vpc.ToolTerraform) {
			tfInline(body, c, inv)
			continue
		}
		label := tfLabel(c)
		var deleted []string
		for _, pr := range allProposed(c) {
			name := uniqueName(names, label+"_egress_"+fmt.Sprint(pr.Index+1))
			var ex *vpc.Rule
			if pr.kept != nil {
				ex = &pr.kept.Existing
				if d := ex.Declared; d.Tool == vpc.ToolTerraform && d.Type == tfRuleType && plainAddr(d.Address) {
					// The module declares this rule already: the new block
					// takes its name and replaces it.
					delete(names, name)
					name = uniqueName(names, strings.TrimPrefix(d.Address, tfRuleType+"."))
					deleted = append(deleted, fmt.Sprintf("%s (%s)", d.Address, ex.Source))
				}
			}
			body.AppendNewline()
			if ex != nil {
				comment(body, "exists and stays: "+ruleText(ex))
			} else {
				comment(body, "new: "+ruleText(&pr.Rule))
			}
			comment(body, evidenceLines(pr.Evidence)...)
			blk := body.AppendNewBlock("resource", []string{tfRuleType, name}).Body()
			blk.SetAttributeRaw("security_group_id", groupRefTokens(c.Group, c.GroupID, inv))
			tfRuleAttrs(blk, &pr.Rule, c, inv)
			if ex == nil {
				continue
			}
			if d := ex.Declared; d.Tool == vpc.ToolTerraform && d.Type == tfRuleType && plainAddr(d.Address) {
				continue
			}
			addr := tfRuleType + "." + name
			body.AppendNewline()
			if d := ex.Declared; d.Tool == vpc.ToolTerraform && !d.Inline {
				// Another resource (aws_security_group_rule, or one in a
				// module or with an instance key) manages it: forget that
				// one without destroying the rule.
				if plainRemovable(d.Address) {
					tfRemoved(body, d.Address, false)
				} else {
					comment(body, "Forget "+d.Address+" without destroying its rule: terraform state rm '"+d.Address+"'")
				}
				deleted = append(deleted, fmt.Sprintf("%s (%s)", d.Address, ex.Source))
			}
			if id := RuleID(ex); id != "" {
				imp := body.AppendNewBlock("import", nil).Body()
				imp.SetAttributeTraversal("to", traversal(addr))
				imp.SetAttributeValue("id", cty.StringVal(id))
			} else {
				gid := c.GroupID
				if !IsGroupID(gid) {
					gid = "<the group's id>"
				}
				comment(body, "The input does not hold this rule's id (sgr-…): import it into "+addr+" by hand",
					"(aws ec2 describe-security-group-rules --filters Name=group-id,Values="+gid+"),",
					"or terraform apply fails: AWS refuses a duplicate rule.")
			}
		}
		var revoke []string
		destroyed := map[string]bool{}
		for i := range c.Remove {
			r := &c.Remove[i]
			d := r.Declared
			if d.Tool != vpc.ToolTerraform || d.Inline || !plainRemovable(d.Address) || keptAddress(c, d.Address) {
				revoke = append(revoke, ruleTextDesc(r))
				continue
			}
			if destroyed[d.Address] {
				continue
			}
			destroyed[d.Address] = true
			body.AppendNewline()
			comment(body, "goes: "+ruleTextDesc(r), "delete the resource block at "+r.Source.String())
			tfRemoved(body, d.Address, true)
		}
		if len(deleted) > 0 {
			body.AppendNewline()
			comment(body, "Delete these resource blocks from the module: the blocks above replace them:")
			comment(body, bullets(deleted)...)
		}
		if len(revoke) > 0 {
			body.AppendNewline()
			comment(body, "These rules go but no resource of this module manages them; revoke them once the",
				"rules above exist (walls export --format awscli writes the commands):")
			comment(body, bullets(revoke)...)
		}
	}
	return hclwrite.Format(f.Bytes())
}

// proposedRef is a proposed rule and, when it exists already, the rule
// it is.
type proposedRef struct {
	Proposed
	kept *Kept
}

// allProposed lists the group's proposed rules in the plan's order.
func allProposed(c *Change) []proposedRef {
	out := make([]proposedRef, 0, len(c.Add)+len(c.Keep))
	a, k := 0, 0
	for a < len(c.Add) || k < len(c.Keep) {
		if k < len(c.Keep) && (a == len(c.Add) || c.Keep[k].Index < c.Add[a].Index) {
			out = append(out, proposedRef{Proposed: c.Keep[k].Proposed, kept: &c.Keep[k]})
			k++
			continue
		}
		out = append(out, proposedRef{Proposed: c.Add[a]})
		a++
	}
	return out
}

// keptAddress reports whether a kept rule is declared by the resource at
// addr (one aws_security_group_rule can declare several rules).
func keptAddress(c *Change, addr string) bool {
	for i := range c.Keep {
		if c.Keep[i].Existing.Declared.Address == addr {
			return true
		}
	}
	return false
}

func groupHeading(c *Change) []string {
	name := c.GroupID
	if c.GroupName != "" && c.GroupName != c.GroupID {
		name += " (" + c.GroupName + ")"
	}
	h := fmt.Sprintf("%s: %d egress rules to add, %d that stay, %d to remove", OneLine(name), len(c.Add), len(c.Keep), len(c.Remove))
	out := []string{h}
	if c.Group != nil && c.Group.Declared.Address != "" {
		out = append(out, fmt.Sprintf("declared as %s at %s", c.Group.Declared.Address, c.Group.Source))
	}
	return out
}

// tfInline writes the replacement inline egress blocks of a group whose
// egress is inline, as comments.
func tfInline(body *hclwrite.Body, c *Change, inv *vpc.Inventory) {
	f := hclwrite.NewEmptyFile()
	for _, pr := range allProposed(c) {
		tfInlineBlock(f.Body(), &pr.Rule, c, inv, pr.Evidence)
	}
	where := c.Group.Declared.Address
	if c.Group.Source.File != "" {
		where += " (" + c.Group.Source.String() + ")"
	}
	lines := []string{
		where + " writes its egress rules as inline egress blocks, which must not be",
		"mixed with aws_vpc_security_group_egress_rule resources for the same group.",
		fmt.Sprintf("Replace its egress blocks with these %d:", len(c.Add)+len(c.Keep)),
	}
	if len(c.Add)+len(c.Keep) == 0 {
		lines[2] = "Remove all its egress blocks and set egress = [] (no egress at all)."
	}
	comment(body, lines...)
	text := strings.TrimRight(string(hclwrite.Format(f.Bytes())), "\n")
	if text != "" {
		comment(body, strings.Split(text, "\n")...)
	}
	// Rule resources that also manage the group's egress (a module that
	// mixes both) leave the state without touching the rules: the inline
	// blocks govern them from now on.
	seen := map[string]bool{}
	for i := range c.Current {
		r := &c.Current[i]
		d := r.Declared
		if d.Tool != vpc.ToolTerraform || d.Inline || seen[d.Address] {
			continue
		}
		seen[d.Address] = true
		body.AppendNewline()
		comment(body, d.Address+" also manages this group's egress: delete its block at "+r.Source.String()+";",
			"the inline blocks above govern its rule from now on.")
		if plainRemovable(d.Address) {
			tfRemoved(body, d.Address, false)
		}
	}
}

// tfInlineBlock appends one egress block of aws_security_group.
func tfInlineBlock(body *hclwrite.Body, r *vpc.Rule, c *Change, inv *vpc.Inventory, ev interface{}) {
	blk := body.AppendNewBlock("egress", nil).Body()
	from, to := int64(r.FromPort), int64(r.ToPort)
	if !r.Protocol.HasPorts() && !r.Protocol.IsICMP() {
		from, to = 0, 0 // the provider wants 0 for protocols without ports
	}
	blk.SetAttributeValue("protocol", cty.StringVal(r.Protocol.String()))
	blk.SetAttributeValue("from_port", cty.NumberIntVal(from))
	blk.SetAttributeValue("to_port", cty.NumberIntVal(to))
	switch r.Peer.Kind {
	case vpc.PeerCIDR:
		name := "cidr_blocks"
		if r.Peer.Prefix.Addr().Is6() {
			name = "ipv6_cidr_blocks"
		}
		blk.SetAttributeValue(name, cty.ListVal([]cty.Value{cty.StringVal(r.Peer.Prefix.String())}))
	case vpc.PeerPrefixList:
		blk.SetAttributeValue("prefix_list_ids", cty.ListVal([]cty.Value{cty.StringVal(r.Peer.PrefixListID)}))
	case vpc.PeerGroup:
		if r.Peer.Group.GroupID == c.GroupID && r.Peer.Group.UserID == "" {
			blk.SetAttributeValue("self", cty.True)
		} else {
			blk.SetAttributeRaw("security_groups", hclwrite.TokensForTuple([]hclwrite.Tokens{peerGroupTokens(r.Peer.Group, inv)}))
		}
	}
	if r.Description != "" {
		blk.SetAttributeValue("description", cty.StringVal(r.Description))
	}
}

// tfRuleAttrs sets the attributes of an aws_vpc_security_group_egress_rule
// other than security_group_id.
func tfRuleAttrs(blk *hclwrite.Body, r *vpc.Rule, c *Change, inv *vpc.Inventory) {
	blk.SetAttributeValue("ip_protocol", cty.StringVal(r.Protocol.String()))
	if r.Protocol.HasPorts() || r.Protocol.IsICMP() {
		blk.SetAttributeValue("from_port", cty.NumberIntVal(int64(r.FromPort)))
		blk.SetAttributeValue("to_port", cty.NumberIntVal(int64(r.ToPort)))
	}
	switch r.Peer.Kind {
	case vpc.PeerCIDR:
		name := "cidr_ipv4"
		if r.Peer.Prefix.Addr().Is6() {
			name = "cidr_ipv6"
		}
		blk.SetAttributeValue(name, cty.StringVal(r.Peer.Prefix.String()))
	case vpc.PeerPrefixList:
		blk.SetAttributeValue("prefix_list_id", cty.StringVal(r.Peer.PrefixListID))
	case vpc.PeerGroup:
		if r.Peer.Group.GroupID == c.GroupID && r.Peer.Group.UserID == "" {
			blk.SetAttributeRaw("referenced_security_group_id", groupRefTokens(c.Group, c.GroupID, inv))
		} else {
			blk.SetAttributeRaw("referenced_security_group_id", peerGroupTokens(r.Peer.Group, inv))
		}
	}
	if r.Description != "" {
		blk.SetAttributeValue("description", cty.StringVal(r.Description))
	}
}

// peerGroupTokens is a referenced group as Terraform names it: its
// resource's id when the input declared it in Terraform, else its id
// (account/sg-… for another account's group).
func peerGroupTokens(ref vpc.GroupRef, inv *vpc.Inventory) hclwrite.Tokens {
	if ref.UserID == "" || inv != nil && inv.Groups[ref.GroupID] != nil && inv.Groups[ref.GroupID].OwnerID == ref.UserID {
		var g *vpc.SecurityGroup
		if inv != nil {
			g = inv.Groups[ref.GroupID]
		}
		return groupRefTokens(g, ref.GroupID, inv)
	}
	return hclwrite.TokensForValue(cty.StringVal(ref.UserID + "/" + ref.GroupID))
}

// groupRefTokens is the expression for a group's id: its resource's id
// attribute when Terraform declares it in this module, else the literal id.
func groupRefTokens(g *vpc.SecurityGroup, id string, _ *vpc.Inventory) hclwrite.Tokens {
	if g != nil && g.Declared.Tool == vpc.ToolTerraform && rootAddr(g.Declared.Address) {
		return hclwrite.TokensForTraversal(traversal(g.Declared.Address + ".id"))
	}
	if !IsGroupID(id) && rootAddr(id) {
		// A .tf folder names an undeclared group by the reference it used.
		return hclwrite.TokensForTraversal(traversal(id + ".id"))
	}
	return hclwrite.TokensForValue(cty.StringVal(id))
}

var (
	plainAddrRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*\.[A-Za-z_][A-Za-z0-9_-]*$`)
	rootAddrRE  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*\.[A-Za-z_][A-Za-z0-9_-]*(\[(\d+|"[^"\\]*")\])?$`)
	labelRE     = regexp.MustCompile(`[^A-Za-z0-9_]+`)
)

// plainAddr: type.name, no module path, no instance key.
func plainAddr(a string) bool { return plainAddrRE.MatchString(a) }

// rootAddr: type.name or type.name[key], in the root module.
func rootAddr(a string) bool { return rootAddrRE.MatchString(a) }

// plainRemovable: an address a removed block may name (module path
// allowed, no instance keys).
func plainRemovable(a string) bool {
	if strings.Contains(a, "[") {
		return false
	}
	_, diags := hclsyntax.ParseTraversalAbs([]byte(a), "", hcl.InitialPos)
	return !diags.HasErrors()
}

func traversal(s string) hcl.Traversal {
	t, diags := hclsyntax.ParseTraversalAbs([]byte(s), "", hcl.InitialPos)
	if diags.HasErrors() {
		panic(fmt.Sprintf("export: not a traversal: %q", s)) // callers check the address first
	}
	return t
}

func tfRemoved(body *hclwrite.Body, addr string, destroy bool) {
	rm := body.AppendNewBlock("removed", nil).Body()
	rm.SetAttributeTraversal("from", traversal(addr))
	rm.AppendNewBlock("lifecycle", nil).Body().SetAttributeValue("destroy", cty.BoolVal(destroy))
}

// tfLabel is the name stem of a group's rule resources: its resource's
// name when Terraform declares it, else its name or id.
func tfLabel(c *Change) string {
	s := c.GroupName
	if c.Group != nil && c.Group.Declared.Tool == vpc.ToolTerraform {
		a := c.Group.Declared.Address
		if i := strings.LastIndex(a, "."); i >= 0 {
			s = a[i+1:]
		}
	}
	if s == "" {
		s = c.GroupID
	}
	s = strings.Trim(labelRE.ReplaceAllString(strings.ToLower(s), "_"), "_")
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] == '_') {
		s = "sg_" + s
	}
	return s
}

func uniqueName(used map[string]bool, name string) string {
	n := name
	for i := 2; used[n]; i++ {
		n = fmt.Sprintf("%s_%d", name, i)
	}
	used[n] = true
	return n
}

func bullets(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = "  - " + x
	}
	return out
}

// comment appends "# line" comments.
func comment(body *hclwrite.Body, lines ...string) {
	var b bytes.Buffer
	for _, l := range lines {
		l = strings.TrimRight(OneLine(l), " ")
		if l == "" {
			b.WriteString("#\n")
			continue
		}
		b.WriteString("# " + l + "\n")
	}
	if b.Len() > 0 {
		body.AppendUnstructuredTokens(hclwrite.Tokens{{Type: hclsyntax.TokenComment, Bytes: b.Bytes()}})
	}
}
