package awstest

// mutate.go: AuthorizeSecurityGroupEgress and RevokeSecurityGroupEgress.
// A change is made to the place's SecurityGroupRules and to the legacy
// IpPermissionsEgress of its group alike, so both shapes stay one account
// of the rules; slices are replaced, never edited in place, since a page
// being encoded may hold the old ones.

import (
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// mutating are the actions that change a place.
var mutating = map[string]bool{"AuthorizeSecurityGroupEgress": true, "RevokeSecurityGroupEgress": true}

// nthFault is a fault planned for the n-th call (1-based, counted from
// when it was planned) among the named actions.
type nthFault struct {
	actions   map[string]bool
	n         int
	status    int
	code, msg string
}

// FailNth makes the n-th call (1-based, counted from now) among actions
// fail with status, code and message: a 4xx code such as
// UnauthorizedOperation is not retried by the SDK, RequestLimitExceeded
// (503) is. The call changes nothing.
func (s *EC2) FailNth(n, status int, code, msg string, actions ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := &nthFault{actions: map[string]bool{}, n: n, status: status, code: code, msg: msg}
	for _, a := range actions {
		f.actions[a] = true
	}
	s.nth = append(s.nth, f)
}

// DropNth makes the n-th call (1-based, counted from now) among actions
// (of the two that change egress)
// be carried out but answered by closing the connection: the client
// cannot tell whether it happened (the SDK retries such a call).
func (s *EC2) DropNth(n int, actions ...string) {
	s.FailNth(n, 0, dropCode, "", actions...)
}

// dropCode marks a planned fault that carries the call out and drops
// the answer.
const dropCode = "(dropped)"

// discard is a ResponseWriter that keeps nothing.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// drop closes the connection of w without an answer.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// nthFaultFor counts a call of action against the planned faults and
// returns the one that falls on it (nil for none). Called under s.mu.
func (s *EC2) nthFaultFor(action string) *nthFault {
	var hit *nthFault
	keep := s.nth[:0]
	for _, f := range s.nth {
		if !f.actions[action] {
			keep = append(keep, f)
			continue
		}
		f.n--
		if f.n == 0 {
			if hit == nil {
				hit = f
			}
			continue
		}
		keep = append(keep, f)
	}
	s.nth = keep
	return hit
}

// EgressRules returns the egress rules of group in account and region
// as SecurityGroupRules, in the order they were made.
func (s *EC2) EgressRules(account, region, group string) []types.SecurityGroupRule {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.places[account+"/"+region]
	if p == nil {
		return nil
	}
	var out []types.SecurityGroupRule
	for _, r := range p.SecurityGroupRules {
		if aws.ToString(r.GroupId) == group && aws.ToBool(r.IsEgress) {
			out = append(out, r)
		}
	}
	return out
}

// RuleText names a rule by what it allows and its description,
// "tcp 443-443 10.0.0.0/8 \"web\"" (ids left out), for comparing rule
// sets across changes that give rules new ids.
func RuleText(r types.SecurityGroupRule) string {
	peer := aws.ToString(r.CidrIpv4) + aws.ToString(r.CidrIpv6) + aws.ToString(r.PrefixListId)
	if g := r.ReferencedGroupInfo; g != nil {
		peer = aws.ToString(g.GroupId)
	}
	return fmt.Sprintf("%s %d-%d %s %q", aws.ToString(r.IpProtocol), aws.ToInt32(r.FromPort), aws.ToInt32(r.ToPort), peer, aws.ToString(r.Description))
}

// EgressTexts is EgressRules as sorted RuleText lines.
func (s *EC2) EgressTexts(account, region, group string) []string {
	var out []string
	for _, r := range s.EgressRules(account, region, group) {
		out = append(out, RuleText(r))
	}
	sort.Strings(out)
	return out
}

// serveMutation answers the two changing calls for id's account in place
// (key "account/region"): DryRun first (DryRunOperation, 412, when the
// call is allowed), then the change itself, all or nothing.
func (s *EC2) serveMutation(w http.ResponseWriter, form url.Values, action, key string) {
	if form.Get("DryRun") == "true" {
		ec2Error(w, http.StatusPreconditionFailed, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
		return
	}
	group := form.Get("GroupId")
	perms, err := readPermissions(form)
	if err != nil {
		ec2Error(w, http.StatusBadRequest, "InvalidParameterValue", err.Error())
		return
	}
	ruleIDs := indexed(form, "SecurityGroupRuleId")
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.places[key]
	gi := -1
	if p != nil {
		for i := range p.SecurityGroups {
			if aws.ToString(p.SecurityGroups[i].GroupId) == group {
				gi = i
			}
		}
	}
	if gi < 0 {
		ec2Error(w, http.StatusBadRequest, "InvalidGroup.NotFound", "The security group '"+group+"' does not exist")
		return
	}
	existing := map[string]int{} // rule key → index in p.SecurityGroupRules
	for i, r := range p.SecurityGroupRules {
		if aws.ToString(r.GroupId) == group && aws.ToBool(r.IsEgress) {
			existing[ruleKey(r)] = i
		}
	}
	var b xmlBuf
	switch action {
	case "AuthorizeSecurityGroupEgress":
		if len(perms) == 0 {
			ec2Error(w, http.StatusBadRequest, "MissingParameter", "The request must contain the parameter ipPermissions")
			return
		}
		seen := map[string]bool{}
		for _, r := range perms {
			k := ruleKey(r)
			if _, dup := existing[k]; dup || seen[k] {
				ec2Error(w, http.StatusBadRequest, "InvalidPermission.Duplicate",
					fmt.Sprintf("the specified rule \"peer: %s, %s, ALLOW\" already exists", peerText(r), portText(r)))
				return
			}
			seen[k] = true
		}
		rules := append([]types.SecurityGroupRule(nil), p.SecurityGroupRules...)
		b.text("return", "true")
		b.open("securityGroupRuleSet")
		for _, r := range perms {
			s.nRules++
			r.SecurityGroupRuleId = aws.String(fmt.Sprintf("sgr-0a%015x", s.nRules))
			r.GroupId, r.GroupOwnerId, r.IsEgress = aws.String(group), p.SecurityGroups[gi].OwnerId, aws.Bool(true)
			rules = append(rules, r)
			b.open("item")
			encodeSGRule(&b, &r)
			b.close("item")
		}
		b.close("securityGroupRuleSet")
		p.SecurityGroupRules = rules
	case "RevokeSecurityGroupEgress":
		if (len(perms) == 0) == (len(ruleIDs) == 0) {
			ec2Error(w, http.StatusBadRequest, "InvalidParameterCombination", "Specify either security group rule IDs or IP permissions, not both and not neither.")
			return
		}
		drop := map[int]bool{}
		for _, id := range ruleIDs {
			found := false
			for i, r := range p.SecurityGroupRules {
				if aws.ToString(r.SecurityGroupRuleId) == id && aws.ToString(r.GroupId) == group && aws.ToBool(r.IsEgress) {
					drop[i], found = true, true
				}
			}
			if !found {
				ec2Error(w, http.StatusBadRequest, "InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '"+id+"' does not exist")
				return
			}
		}
		for _, r := range perms {
			i, ok := existing[ruleKey(r)]
			if !ok {
				ec2Error(w, http.StatusBadRequest, "InvalidPermission.NotFound", "The specified rule does not exist in this security group.")
				return
			}
			drop[i] = true
		}
		var rules []types.SecurityGroupRule
		b.text("return", "true")
		b.open("revokedSecurityGroupRuleSet")
		for i, r := range p.SecurityGroupRules {
			if !drop[i] {
				rules = append(rules, r)
				continue
			}
			b.open("item")
			b.str("securityGroupRuleId", r.SecurityGroupRuleId)
			b.str("groupId", r.GroupId)
			b.bool("isEgress", r.IsEgress)
			encodeRuleMatch(&b, &r)
			if g := r.ReferencedGroupInfo; g != nil {
				b.str("referencedGroupId", g.GroupId)
			}
			b.str("description", r.Description)
			b.close("item")
		}
		b.close("revokedSecurityGroupRuleSet")
		p.SecurityGroupRules = rules
	}
	// The legacy shape of the group, rebuilt from its rules: one
	// permission per rule.
	groups := append([]types.SecurityGroup(nil), p.SecurityGroups...)
	var egress []types.IpPermission
	for _, r := range p.SecurityGroupRules {
		if aws.ToString(r.GroupId) == group && aws.ToBool(r.IsEgress) {
			egress = append(egress, permissionOf(r))
		}
	}
	groups[gi].IpPermissionsEgress = egress
	p.SecurityGroups = groups
	writeEC2(w, action, b.Bytes())
}

// permissionOf is a rule in the legacy shape.
func permissionOf(r types.SecurityGroupRule) types.IpPermission {
	pm := types.IpPermission{IpProtocol: r.IpProtocol}
	if p := aws.ToString(r.IpProtocol); p != "-1" {
		pm.FromPort, pm.ToPort = r.FromPort, r.ToPort
	}
	switch {
	case r.CidrIpv4 != nil:
		pm.IpRanges = []types.IpRange{{CidrIp: r.CidrIpv4, Description: r.Description}}
	case r.CidrIpv6 != nil:
		pm.Ipv6Ranges = []types.Ipv6Range{{CidrIpv6: r.CidrIpv6, Description: r.Description}}
	case r.PrefixListId != nil:
		pm.PrefixListIds = []types.PrefixListId{{PrefixListId: r.PrefixListId, Description: r.Description}}
	case r.ReferencedGroupInfo != nil:
		g := r.ReferencedGroupInfo
		pm.UserIdGroupPairs = []types.UserIdGroupPair{{GroupId: g.GroupId, UserId: g.UserId, VpcId: g.VpcId,
			VpcPeeringConnectionId: g.VpcPeeringConnectionId, Description: r.Description}}
	}
	return pm
}

// ruleKey is what makes two rules of one group the same rule for EC2:
// protocol, ports and peer; not the description.
func ruleKey(r types.SecurityGroupRule) string {
	return portText(r) + "|" + peerText(r)
}

func portText(r types.SecurityGroupRule) string {
	return fmt.Sprintf("%s %d %d", aws.ToString(r.IpProtocol), aws.ToInt32(r.FromPort), aws.ToInt32(r.ToPort))
}

func peerText(r types.SecurityGroupRule) string {
	switch {
	case r.CidrIpv4 != nil:
		return aws.ToString(r.CidrIpv4)
	case r.CidrIpv6 != nil:
		return aws.ToString(r.CidrIpv6)
	case r.PrefixListId != nil:
		return aws.ToString(r.PrefixListId)
	case r.ReferencedGroupInfo != nil:
		return aws.ToString(r.ReferencedGroupInfo.GroupId)
	}
	return ""
}

// indexed reads a query-protocol list: prefix.1, prefix.2, … in order.
func indexed(form url.Values, prefix string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := form[prefix+"."+strconv.Itoa(i)]
		if !ok {
			return out
		}
		out = append(out, v[0])
	}
}

// has reports whether any key of form starts with prefix.
func has(form url.Values, prefix string) bool {
	for k := range form {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// readPermissions reads IpPermissions.N.… into one rule per peer, with
// the protocol, ports and CIDRs as EC2 stores them (names for tcp, udp,
// icmp and icmpv6; -1 ports for all protocols; canonical prefixes).
func readPermissions(form url.Values) ([]types.SecurityGroupRule, error) {
	var out []types.SecurityGroupRule
	for i := 1; has(form, fmt.Sprintf("IpPermissions.%d.", i)); i++ {
		pre := fmt.Sprintf("IpPermissions.%d.", i)
		proto, err := protocolName(form.Get(pre + "IpProtocol"))
		if err != nil {
			return nil, err
		}
		base := types.SecurityGroupRule{IpProtocol: aws.String(proto), FromPort: aws.Int32(-1), ToPort: aws.Int32(-1)}
		if proto != "-1" {
			for _, f := range []struct {
				name string
				to   **int32
			}{{"FromPort", &base.FromPort}, {"ToPort", &base.ToPort}} {
				v := form.Get(pre + f.name)
				if v == "" {
					if proto == "tcp" || proto == "udp" {
						return nil, fmt.Errorf("%s%s: required for %s", pre, f.name, proto)
					}
					continue
				}
				n, err := strconv.Atoi(v)
				if err != nil || n < -1 || n > 65535 {
					return nil, fmt.Errorf("%s%s: invalid value %q", pre, f.name, v)
				}
				*f.to = aws.Int32(int32(n))
			}
		}
		desc := func(p string) *string {
			if v, ok := form[p+"Description"]; ok {
				return aws.String(v[0])
			}
			return nil
		}
		for j := 1; has(form, fmt.Sprintf("%sIpRanges.%d.", pre, j)); j++ {
			p := fmt.Sprintf("%sIpRanges.%d.", pre, j)
			c, err := canonical(form.Get(p+"CidrIp"), true)
			if err != nil {
				return nil, err
			}
			r := base
			r.CidrIpv4, r.Description = aws.String(c), desc(p)
			out = append(out, r)
		}
		for j := 1; has(form, fmt.Sprintf("%sIpv6Ranges.%d.", pre, j)); j++ {
			p := fmt.Sprintf("%sIpv6Ranges.%d.", pre, j)
			c, err := canonical(form.Get(p+"CidrIpv6"), false)
			if err != nil {
				return nil, err
			}
			r := base
			r.CidrIpv6, r.Description = aws.String(c), desc(p)
			out = append(out, r)
		}
		for j := 1; has(form, fmt.Sprintf("%sPrefixListIds.%d.", pre, j)); j++ {
			p := fmt.Sprintf("%sPrefixListIds.%d.", pre, j)
			r := base
			r.PrefixListId, r.Description = aws.String(form.Get(p+"PrefixListId")), desc(p)
			out = append(out, r)
		}
		for j := 1; has(form, fmt.Sprintf("%sGroups.%d.", pre, j)); j++ {
			p := fmt.Sprintf("%sGroups.%d.", pre, j)
			r := base
			g := &types.ReferencedSecurityGroup{GroupId: aws.String(form.Get(p + "GroupId"))}
			if v := form.Get(p + "UserId"); v != "" {
				g.UserId = aws.String(v)
			}
			if v := form.Get(p + "VpcId"); v != "" {
				g.VpcId = aws.String(v)
			}
			if v := form.Get(p + "VpcPeeringConnectionId"); v != "" {
				g.VpcPeeringConnectionId = aws.String(v)
			}
			r.ReferencedGroupInfo, r.Description = g, desc(p)
			out = append(out, r)
		}
	}
	return out, nil
}

// protocolName is the protocol as EC2 stores it.
func protocolName(s string) (string, error) {
	switch strings.ToLower(s) {
	case "-1", "all":
		return "-1", nil
	case "tcp", "6":
		return "tcp", nil
	case "udp", "17":
		return "udp", nil
	case "icmp", "1":
		return "icmp", nil
	case "icmpv6", "58":
		return "icmpv6", nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 255 {
		return "", fmt.Errorf("invalid protocol %q", s)
	}
	return s, nil
}

func canonical(s string, v4 bool) (string, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil || p.Addr().Is4() != v4 {
		return "", fmt.Errorf("CIDR block %s is malformed", s)
	}
	return p.Masked().String(), nil
}
