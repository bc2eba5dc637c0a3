package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/walls-dev/walls/internal/vpc"
)

// ipPermission is one EC2 IpPermission, as --ip-permissions takes it.
type ipPermission struct {
	IPProtocol       string        `json:"IpProtocol"`
	FromPort         *int32        `json:"FromPort,omitempty"`
	ToPort           *int32        `json:"ToPort,omitempty"`
	IPRanges         []ipRange     `json:"IpRanges,omitempty"`
	IPv6Ranges       []ipv6Range   `json:"Ipv6Ranges,omitempty"`
	PrefixListIDs    []prefixID    `json:"PrefixListIds,omitempty"`
	UserIDGroupPairs []groupIDPair `json:"UserIdGroupPairs,omitempty"`
}

type ipRange struct {
	CidrIP      string `json:"CidrIp"`
	Description string `json:"Description,omitempty"`
}

type ipv6Range struct {
	CidrIPv6    string `json:"CidrIpv6"`
	Description string `json:"Description,omitempty"`
}

type prefixID struct {
	PrefixListID string `json:"PrefixListId"`
	Description  string `json:"Description,omitempty"`
}

type groupIDPair struct {
	GroupID                string `json:"GroupId"`
	UserID                 string `json:"UserId,omitempty"`
	VpcID                  string `json:"VpcId,omitempty"`
	VpcPeeringConnectionID string `json:"VpcPeeringConnectionId,omitempty"`
	Description            string `json:"Description,omitempty"`
}

// Permission is a rule as one EC2 IpPermission (the JSON
// authorize-security-group-egress and revoke-security-group-egress take),
// with its description when withDescription (revoking matches rules
// without it).
func Permission(r *vpc.Rule, withDescription bool) ([]byte, error) {
	p := ipPermission{IPProtocol: r.Protocol.String()}
	desc := ""
	if withDescription {
		desc = r.Description
	}
	if r.Protocol.HasPorts() || r.Protocol.IsICMP() {
		from, to := r.FromPort, r.ToPort
		p.FromPort, p.ToPort = &from, &to
	}
	switch r.Peer.Kind {
	case vpc.PeerCIDR:
		if r.Peer.Prefix.Addr().Is4() {
			p.IPRanges = []ipRange{{r.Peer.Prefix.String(), desc}}
		} else {
			p.IPv6Ranges = []ipv6Range{{r.Peer.Prefix.String(), desc}}
		}
	case vpc.PeerPrefixList:
		p.PrefixListIDs = []prefixID{{r.Peer.PrefixListID, desc}}
	case vpc.PeerGroup:
		g := r.Peer.Group
		if !IsGroupID(g.GroupID) {
			return nil, fmt.Errorf("%s references group %s, which has no id (sg-…) in the input", ruleText(r), g.GroupID)
		}
		p.UserIDGroupPairs = []groupIDPair{{GroupID: g.GroupID, UserID: g.UserID, VpcID: g.VpcID,
			VpcPeeringConnectionID: g.PeeringConnectionID, Description: desc}}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode([]ipPermission{p}); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// AWSCLI writes the changes as a bash script in review order: every
// authorize-security-group-egress of new rules first, then every
// revoke-security-group-egress of rules that go (by rule id when the
// input held it, else by the rule itself), so that no moment allows less
// than the proposal. Each new rule carries its evidence in comments.
// Groups must be known by their ids (sg-…): an inventory read from .tf
// files or a template names them by address, and is refused.
func AWSCLI(changes []Change, header []string) ([]byte, error) {
	var b strings.Builder
	b.WriteString("#!/usr/bin/env bash\n")
	for _, h := range header {
		b.WriteString(shComment(h))
	}
	b.WriteString("#\n# New rules are authorized first, then the rules that go are revoked, so that no\n" +
		"# moment allows less than the proposal. Rules that stay are left as they are.\n")
	b.WriteString("set -euo pipefail\n")
	for i := range changes {
		c := &changes[i]
		if !IsGroupID(c.GroupID) {
			return nil, fmt.Errorf("%s has no security group id (sg-…) in the input: the AWS CLI needs one; export from the AWS CLI JSON or terraform show -json of the state", c.GroupID)
		}
	}
	b.WriteString("\n# 1. Authorize the new rules.\n")
	n := 0
	for i := range changes {
		c := &changes[i]
		for _, pr := range c.Add {
			perm, err := Permission(&pr.Rule, true)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", c.GroupID, err)
			}
			b.WriteString("\n" + shComment(fmt.Sprintf("%s: new: %s", groupName(c), ruleText(&pr.Rule))))
			for _, l := range evidenceLines(pr.Evidence) {
				b.WriteString(shComment(l))
			}
			fmt.Fprintf(&b, "aws ec2 authorize-security-group-egress --group-id %s \\\n  --ip-permissions %s\n", shQuote(c.GroupID), shQuote(string(perm)))
			n++
		}
	}
	if n == 0 {
		b.WriteString("# (none)\n")
	}
	b.WriteString("\n# 2. Revoke the rules that go.\n")
	n = 0
	for i := range changes {
		c := &changes[i]
		for j := range c.Remove {
			r := &c.Remove[j]
			b.WriteString("\n" + shComment(fmt.Sprintf("%s: goes: %s", groupName(c), ruleTextDesc(r))))
			if id := RuleID(r); id != "" {
				fmt.Fprintf(&b, "aws ec2 revoke-security-group-egress --group-id %s \\\n  --security-group-rule-ids %s\n", shQuote(c.GroupID), shQuote(id))
			} else {
				perm, err := Permission(r, false)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", c.GroupID, err)
				}
				fmt.Fprintf(&b, "aws ec2 revoke-security-group-egress --group-id %s \\\n  --ip-permissions %s\n", shQuote(c.GroupID), shQuote(string(perm)))
			}
			n++
		}
	}
	if n == 0 {
		b.WriteString("# (none)\n")
	}
	return []byte(b.String()), nil
}

func groupName(c *Change) string {
	if c.GroupName != "" && c.GroupName != c.GroupID {
		return c.GroupID + " (" + c.GroupName + ")"
	}
	return c.GroupID
}

func shComment(s string) string {
	s = strings.TrimRight(OneLine(s), " ")
	if s == "" {
		return "#\n"
	}
	return "# " + s + "\n"
}

// shQuote quotes s for bash: single quotes, each ' written as '\”.
// Ids that need no quoting are left bare, for reading.
func shQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' || r == '/') {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
