package export

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/walls-dev/walls/internal/vpc"
)

const cfnEgressType = "AWS::EC2::SecurityGroupEgress"

// CloudFormation writes the changes as a CloudFormation template of
// AWS::EC2::SecurityGroupEgress resources, one per proposed rule, whose
// GroupId is !GetAtt Logical.GroupId for a group the input template
// declares and the literal id otherwise. A proposed rule an existing
// standalone resource of the template already is keeps that resource's
// logical id. A group whose egress the template writes inline (or leaves
// to CloudFormation's default) gets the replacement SecurityGroupEgress
// items instead, as comments: standalone rules would add to the inline
// ones, not replace them. Its rules that reference template groups stay
// resources, as a reference inside the property can make a cycle. What CloudFormation cannot do from this
// template (rules that go or stay but no resource of it manages) is
// listed in comments. The CloudFormation facts it relies on are in
// docs/semantics.md#exports.
func CloudFormation(changes []Change, inv *vpc.Inventory, header []string) ([]byte, error) {
	res := &yaml.Node{Kind: yaml.MappingNode}
	var notes []string
	names := map[string]bool{}
	for ci := range changes {
		c := &changes[ci]
		head := groupHeading(c)
		inline := c.Inline(vpc.ToolCloudFormation)
		if inline {
			lines, err := cfnInline(c, inv)
			if err != nil {
				return nil, err
			}
			notes = append(notes, "")
			notes = append(notes, head...)
			notes = append(notes, lines...)
		}
		label := cfnLabel(c)
		first := true
		reused := map[string]bool{}
		for _, pr := range allProposed(c) {
			if inline && !templatePeer(&pr.Rule, c, inv) {
				continue // in the SecurityGroupEgress items above
			}
			name := uniqueName(names, fmt.Sprintf("%sEgress%d", label, pr.Index+1))
			lines := []string{}
			if first {
				lines = append(lines, head...)
				first = false
			}
			if pr.kept != nil {
				ex := &pr.kept.Existing
				if d := ex.Declared; d.Tool == vpc.ToolCloudFormation && !d.Inline && d.Type == cfnEgressType {
					delete(names, name)
					name = uniqueName(names, d.Address)
					reused[d.Address] = true
					lines = append(lines, "exists and stays: "+ruleText(ex)+"; replaces the resource at "+ex.Source.String())
				} else if !inline {
					notes = append(notes, fmt.Sprintf("%s: exists and stays, not declared in this template (declaring it again would fail as a duplicate): %s",
						c.GroupID, ruleText(ex)))
					continue
				} else {
					lines = append(lines, "exists and stays (now as its own resource): "+ruleText(ex))
				}
			} else {
				lines = append(lines, "new: "+ruleText(&pr.Rule))
			}
			if u := pr.Rule.Peer.Group.UserID; u != "" && (c.Group == nil || c.Group.OwnerID != u) {
				lines = append(lines, "the referenced group belongs to account "+u+": DestinationSecurityGroupId names no account,",
					"so this is right only when that is the stack's account")
			}
			lines = append(lines, evidenceLines(pr.Evidence)...)
			key := &yaml.Node{Kind: yaml.ScalarNode, Value: name, HeadComment: commentText(lines)}
			props := cfnRuleProps(&pr.Rule, c, inv, true)
			res.Content = append(res.Content, key, mapping(
				"Type", scalar(cfnEgressType),
				"Properties", props))
		}
		if inline {
			// Every other standalone egress resource of the group goes: its
			// rule is in the items above, or goes with the plan.
			for i := range c.Current {
				r := &c.Current[i]
				if d := r.Declared; d.Tool == vpc.ToolCloudFormation && !d.Inline && d.Type == cfnEgressType && !reused[d.Address] {
					notes = append(notes, fmt.Sprintf("%s: delete resource %s (%s): %s", c.GroupID, d.Address, r.Source, ruleTextDesc(r)))
				}
			}
			continue
		}
		for i := range c.Remove {
			r := &c.Remove[i]
			if d := r.Declared; d.Tool == vpc.ToolCloudFormation && !d.Inline && d.Type == cfnEgressType {
				notes = append(notes, fmt.Sprintf("%s: goes: delete resource %s (%s): %s", c.GroupID, d.Address, r.Source, ruleTextDesc(r)))
			} else {
				notes = append(notes, fmt.Sprintf("%s: goes, but no resource of this template manages it; revoke it once the rules above exist (walls export --format awscli): %s",
					c.GroupID, ruleTextDesc(r)))
			}
		}
	}
	doc := mapping(
		"AWSTemplateFormatVersion", scalarStr("2010-09-09"),
		"Description", scalarStr("Security group egress proposed by walls"),
		"Resources", res)
	doc.HeadComment = commentText(header)
	if len(notes) > 0 {
		doc.FootComment = commentText(notes)
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{doc}}); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// templatePeer reports whether a rule's peer is a group of the input
// template: such a rule is written as its own resource, since a
// reference inside SecurityGroupEgress can make a dependency cycle
// between two groups, which CloudFormation refuses.
func templatePeer(r *vpc.Rule, c *Change, inv *vpc.Inventory) bool {
	if r.Peer.Kind != vpc.PeerGroup {
		return false
	}
	g := c.Group
	if r.Peer.Group.GroupID != c.GroupID {
		g = nil
		if inv != nil {
			g = inv.Groups[r.Peer.Group.GroupID]
		}
	}
	return g != nil && g.Declared.Tool == vpc.ToolCloudFormation && g.Declared.Type == "AWS::EC2::SecurityGroup"
}

// cfnInline words, as comment lines (without the "# "), the replacement
// SecurityGroupEgress items of a group whose template writes its egress
// inline: the proposed rules other than references to template groups.
func cfnInline(c *Change, inv *vpc.Inventory) ([]string, error) {
	list := &yaml.Node{Kind: yaml.SequenceNode}
	standalone := 0
	for _, pr := range allProposed(c) {
		if templatePeer(&pr.Rule, c, inv) {
			standalone++
			continue
		}
		list.Content = append(list.Content, cfnRuleProps(&pr.Rule, c, inv, false))
	}
	where := c.Group.Declared.Address
	if c.Group.Source.File != "" {
		where += " (" + c.Group.Source.String() + ")"
	}
	out := []string{where + " writes its egress in its SecurityGroupEgress property (or leaves it to",
		"CloudFormation's default allow-all), so AWS::EC2::SecurityGroupEgress resources would add to those",
		"rules, not replace them."}
	if standalone > 0 {
		out = append(out, fmt.Sprintf("Proposed rules that reference template groups (%d) are resources above: a reference inside", standalone),
			"the property can make a dependency cycle.")
	}
	if len(list.Content) == 0 {
		return append(out, "No other rule is proposed, but CloudFormation keeps AWS's default allow-all egress when the",
			"property is empty or absent, so \"no other egress\" has no exact template form. The usual stand-in is",
			"one rule, IpProtocol \"-1\" to CidrIp 127.0.0.1/32 (loopback, which never leaves the instance);",
			"or revoke the rules that go with walls export --format awscli."), nil
	}
	out = append(out, "Set the SecurityGroupEgress of "+c.Group.Declared.Address+" to:")
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(mapping("SecurityGroupEgress", list)); err != nil {
		return nil, err
	}
	enc.Close()
	return append(out, strings.Split(strings.TrimRight(b.String(), "\n"), "\n")...), nil
}

// cfnRuleProps is a rule's properties; standalone adds GroupId.
func cfnRuleProps(r *vpc.Rule, c *Change, inv *vpc.Inventory, standalone bool) *yaml.Node {
	var kv []any
	if standalone {
		kv = append(kv, "GroupId", cfnGroupRef(c.Group, c.GroupID))
	}
	kv = append(kv, "IpProtocol", scalarStr(r.Protocol.String()))
	if r.Protocol.HasPorts() || r.Protocol.IsICMP() {
		kv = append(kv, "FromPort", scalarInt(r.FromPort), "ToPort", scalarInt(r.ToPort))
	}
	switch r.Peer.Kind {
	case vpc.PeerCIDR:
		if r.Peer.Prefix.Addr().Is4() {
			kv = append(kv, "CidrIp", scalarStr(r.Peer.Prefix.String()))
		} else {
			kv = append(kv, "CidrIpv6", scalarStr(r.Peer.Prefix.String()))
		}
	case vpc.PeerPrefixList:
		kv = append(kv, "DestinationPrefixListId", scalarStr(r.Peer.PrefixListID))
	case vpc.PeerGroup:
		var g *vpc.SecurityGroup
		if inv != nil {
			g = inv.Groups[r.Peer.Group.GroupID]
		}
		if r.Peer.Group.GroupID == c.GroupID {
			g = c.Group
		}
		kv = append(kv, "DestinationSecurityGroupId", cfnGroupRef(g, r.Peer.Group.GroupID))
	}
	if r.Description != "" {
		kv = append(kv, "Description", scalarStr(r.Description))
	}
	return mapping(kv...)
}

// cfnGroupRef is !GetAtt Logical.GroupId for a group the template
// declares (the id in a VPC; !Ref gives the name for default-VPC groups),
// else the literal id.
func cfnGroupRef(g *vpc.SecurityGroup, id string) *yaml.Node {
	if g != nil && g.Declared.Tool == vpc.ToolCloudFormation && g.Declared.Type == "AWS::EC2::SecurityGroup" {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!GetAtt", Value: g.Declared.Address + ".GroupId"}
	}
	return scalarStr(id)
}

// cfnLabel is a logical-id stem for a group's rules: alphanumeric.
func cfnLabel(c *Change) string {
	s := c.GroupName
	if c.Group != nil && c.Group.Declared.Tool == vpc.ToolCloudFormation {
		s = c.Group.Declared.Address
	}
	if s == "" {
		s = c.GroupID
	}
	var b strings.Builder
	up := true
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			if up && r >= 'a' && r <= 'z' {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			up = false
		default:
			up = true
		}
	}
	out := b.String()
	if out == "" || out[0] >= '0' && out[0] <= '9' {
		out = "Sg" + out
	}
	return out
}

func commentText(lines []string) string {
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		l = strings.TrimRight(OneLine(l), " ")
		if l == "" {
			b.WriteString("#")
		} else {
			b.WriteString("# " + l)
		}
	}
	return b.String()
}

func mapping(kv ...any) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i < len(kv); i += 2 {
		m.Content = append(m.Content, scalar(kv[i].(string)), kv[i+1].(*yaml.Node))
	}
	return m
}

func scalar(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: s} }

// scalarStr is a string scalar, quoted when YAML would read it as
// another type.
func scalarStr(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

func scalarInt(v int32) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(int(v))}
}
