package audit

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/walls-dev/walls/internal/vpc"
)

// prule is a rule with the internet-reaching CIDRs of its peer.
type prule struct {
	r   *vpc.Rule
	pfx []netip.Prefix
}

// internetRules keeps the rules whose peer reaches the internet in either
// family: the only rules that can open anything to it.
func (s *scan) internetRules(rules []vpc.Rule) []prule {
	var out []prule
	for i := range rules {
		r := &rules[i]
		ps := peerPrefixes(s.inv, r)
		if len(ps) == 0 {
			continue
		}
		if reachesInternet(ps, v4) || reachesInternet(ps, v6) {
			out = append(out, prule{r: r, pfx: ps})
		}
	}
	return out
}

func groupLabel(g *vpc.SecurityGroup) string {
	if g.Undeclared {
		return g.ID + " (a group the input does not declare)"
	}
	if g.Name != "" && g.Name != g.ID {
		return g.ID + " (" + g.Name + ")"
	}
	return g.ID
}

func refs(rules []*vpc.Rule) []string {
	out := make([]string, 0, len(rules))
	seen := map[string]bool{}
	for _, r := range rules {
		if !seen[r.Ref()] {
			seen[r.Ref()] = true
			out = append(out, r.Ref())
		}
	}
	return out
}

func dirWord(egress bool) string {
	if egress {
		return "egress"
	}
	return "ingress"
}

// groupsWithRules yields the groups whose rules were loaded, in id order.
func (s *scan) groupsWithRules() []*vpc.SecurityGroup {
	var out []*vpc.SecurityGroup
	for _, id := range s.inv.SortedGroupIDs() {
		if g := s.inv.Groups[id]; g != nil && g.RulesKnown {
			out = append(out, g)
		}
	}
	return out
}

// withWhen adds to a finding the CloudFormation conditions under which the
// rules it rests on exist (vpc.Rule.When), if any.
func withWhen(f *Finding, used []*vpc.Rule) {
	var when []string
	for _, r := range used {
		if r.When != "" && !slices.Contains(when, r.When) {
			when = append(when, r.When)
		}
	}
	if len(when) > 0 {
		f.Message = strings.TrimSuffix(f.Message, ".") + " (only when " + strings.Join(when, "; or when ") + ")."
		f.key += "|" + strings.Join(when, ";")
	}
}

// groupsForRules yields, in id order, the groups whose rules can be judged
// one by one: those whose rules were loaded, and undeclared groups
// (vpc.UndeclaredGroup), whose listed rules are real even though the group
// may have others. Openness to the internet does not depend on the group.
func (s *scan) groupsForRules() []*vpc.SecurityGroup {
	var out []*vpc.SecurityGroup
	for _, id := range s.inv.SortedGroupIDs() {
		if g := s.inv.Groups[id]; g != nil && (g.RulesKnown || g.Undeclared) {
			out = append(out, g)
		}
	}
	return out
}

// ruleFinding fills the rule and location of a finding from the first
// rule. A finding that rests on rules of one branch of an undecidable
// CloudFormation condition says which (vpc.Rule.When).
func ruleFinding(f Finding, g *vpc.SecurityGroup, used []*vpc.Rule) Finding {
	withWhen(&f, used)
	f.ResourceID = g.ID
	if len(used) > 0 {
		f.Rule = ruleJSON(used[0])
		f.RuleRef = used[0].Ref()
		f.Location = locationOf(used[0].Source)
		f.Related = refs(used)
	}
	if f.Location == nil {
		f.Location = locationOf(g.Source)
	}
	return f
}

// checkOpenEgress: WALLS-SG-001.
func checkOpenEgress(s *scan) {
	defaults := map[string][]*vpc.SecurityGroup{} // by template file
	var files []string
	for _, g := range s.groupsForRules() {
		stated := make([]vpc.Rule, 0, len(g.Egress))
		for _, r := range g.Egress {
			if r.Assumed {
				if defaults[r.Source.File] == nil {
					files = append(files, r.Source.File)
				}
				defaults[r.Source.File] = append(defaults[r.Source.File], g)
				continue
			}
			stated = append(stated, r)
		}
		rs := s.internetRules(stated)
		if len(rs) == 0 {
			continue
		}
		var parts, keys []string
		var used []*vpc.Rule
		o4, o6 := s.openings(rs)
		for _, o := range []*opening{o4, o6} {
			f := o.f
			if o.all {
				u := o.allUsed()
				parts = append(parts, "all traffic to "+peerText(u, f))
				keys = append(keys, "all/"+f.String())
				used = append(used, u...)
				continue
			}
			for _, proto := range []vpc.Protocol{vpc.ProtoTCP, vpc.ProtoUDP} {
				if ok, u := o.allPorts(proto); ok {
					parts = append(parts, "every "+strings.ToUpper(proto.String())+" port to "+peerText(u, f))
					keys = append(keys, proto.String()+"/"+f.String())
					used = append(used, u...)
				}
			}
		}
		if len(parts) == 0 {
			continue
		}
		s.add(ruleFinding(Finding{
			Message: fmt.Sprintf("%s allows %s: whatever runs on its interfaces can send anything anywhere.",
				groupLabel(g), joinAnd(parts)),
			key: strings.Join(keys, ","),
		}, g, used))
	}
	for _, file := range files {
		defaultEgressFinding(s, file, defaults[file])
	}
}

// portFindings runs a port list against one direction of every group.
// On egress, a family open to all traffic is left to WALLS-SG-001, which
// says more in one line than a list of every risky port would.
func portFindings(s *scan, egress bool, ports []Port, verb string) {
	for _, g := range s.groupsForRules() {
		rs := s.internetRules(g.Rules(egress))
		if len(rs) == 0 {
			continue
		}
		o4, o6 := s.openings(rs)
		opens := map[family]*opening{v4: o4, v6: o6}
		skip := map[family]bool{}
		if egress {
			for _, f := range []family{v4, v6} {
				skip[f] = opens[f].all
			}
		}
		var labels, advice []string
		var used []*vpc.Rule
		var sev Severity
		for _, p := range ports {
			var fams []string
			for _, f := range []family{v4, v6} {
				if skip[f] {
					continue
				}
				if ok, _, u := opens[f].firstOpen(p.Protocol, p.From, p.To); ok {
					fams = append(fams, f.any())
					used = append(used, u...)
				}
			}
			if len(fams) > 0 {
				labels = append(labels, p.Label()+" ("+strings.Join(fams, ", ")+")")
				sev = max(sev, cmp.Or(p.Severity, s.check.Severity))
				if p.Advice != "" && !slices.Contains(advice, p.Advice) {
					advice = append(advice, p.Advice)
				}
			}
		}
		if len(labels) == 0 {
			continue
		}
		shown := labels
		more := ""
		if len(shown) > 8 {
			more = fmt.Sprintf(" and %d more", len(shown)-8)
			shown = shown[:8]
		}
		word := "port"
		if len(labels) > 1 {
			word = "ports"
		}
		msg := fmt.Sprintf("%s %s on %d %s: %s%s.", groupLabel(g), verb, len(labels), word,
			strings.Join(shown, ", "), more)
		if len(advice) > 0 {
			msg += " " + strings.Join(advice, "; ") + "."
		}
		f := ruleFinding(Finding{Message: msg, Severity: sev, key: strings.Join(labels, ",")}, g, used)
		f.Related = append(refs(used), labels...)
		s.add(f)
	}
}

// checkRiskyEgress: WALLS-SG-003.
func checkRiskyEgress(s *scan) {
	portFindings(s, true, EgressRiskyPorts(), "allows connections out to the whole internet")
}

// checkAdminIngress: WALLS-SG-004.
func checkAdminIngress(s *scan) {
	portFindings(s, false, AdminPorts(), "admits connections from the whole internet")
}

// checkDatabaseIngress: WALLS-SG-005.
func checkDatabaseIngress(s *scan) {
	portFindings(s, false, DatabasePorts(), "admits connections from the whole internet")
}

// checkIPv6LeftOpen: WALLS-SG-002. Compares, segment by segment of the
// protocol × port space, what egress opens to the IPv6 internet with what it
// opens to the IPv4 internet.
func checkIPv6LeftOpen(s *scan) {
	for _, g := range s.groupsWithRules() {
		rs := s.internetRules(g.Egress)
		if len(rs) == 0 {
			continue
		}
		has6 := false
		for _, p := range rs {
			for _, x := range p.pfx {
				has6 = has6 || famOf(x) == v6
			}
		}
		if !has6 {
			continue
		}
		o4, o6 := s.openings(rs)
		open4, _ := o4.space()
		open6, used := o6.space()
		extra := open6.minus(open4)
		if extra.empty() {
			continue
		}
		v4text := "nothing"
		if !open4.empty() {
			v4text = "only " + spaceText(open4)
		}
		s.add(ruleFinding(Finding{
			Message: fmt.Sprintf("%s allows %s to the IPv6 internet but %s to the IPv4 internet: IPv6 was left open (%s more over IPv6).",
				groupLabel(g), spaceText(open6), v4text, spaceText(extra)),
			key: spaceText(extra),
		}, g, used))
	}
}

// checkDefaultGroupRules: WALLS-SG-006.
func checkDefaultGroupRules(s *scan) {
	for _, g := range s.groupsWithRules() {
		if !g.IsDefault() || len(g.Ingress)+len(g.Egress) == 0 {
			continue
		}
		var all []*vpc.Rule
		for i := range g.Ingress {
			all = append(all, &g.Ingress[i])
		}
		for i := range g.Egress {
			all = append(all, &g.Egress[i])
		}
		f := ruleFinding(Finding{
			Message: fmt.Sprintf("The default security group %s of %s has %d inbound and %d outbound rules; anything launched without a group gets them.",
				g.ID, orUnknown(g.VpcID, "its VPC"), len(g.Ingress), len(g.Egress)),
			key: fmt.Sprintf("%d/%d", len(g.Ingress), len(g.Egress)),
		}, g, all)
		f.Location = locationOf(g.Source)
		if f.Location == nil {
			f.Location = locationOf(all[0].Source)
		}
		s.add(f)
	}
}

func orUnknown(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

func eniList(enis []*vpc.Interface) string {
	ids := make([]string, 0, 5)
	for i, e := range enis {
		if i == 5 {
			ids = append(ids, fmt.Sprintf("%d more", len(enis)-5))
			break
		}
		ids = append(ids, e.ID)
	}
	return joinAnd(ids)
}

// checkDefaultGroupInUse: WALLS-SG-007.
func checkDefaultGroupInUse(s *scan) {
	for _, id := range s.inv.SortedGroupIDs() {
		g := s.inv.Groups[id]
		if !g.IsDefault() {
			continue
		}
		m := s.ix.Members[g.ID]
		if len(m) == 0 {
			continue
		}
		s.add(Finding{
			ResourceID: g.ID,
			Message: fmt.Sprintf("The default security group %s is attached to %s: %s.",
				g.ID, plural(len(m), "network interface"), eniList(m)),
			Related:  eniIDs(m),
			Location: locationOf(g.Source),
			key:      "in-use",
		})
	}
}

func eniIDs(enis []*vpc.Interface) []string {
	out := make([]string, len(enis))
	for i, e := range enis {
		out[i] = e.ID
	}
	return out
}

// checkUnattachedGroup: WALLS-SG-008. A group is attached when an
// interface of any type carries it (instances, and the interfaces AWS
// services make for load balancers, VPC endpoints, NAT gateways, Lambda
// functions, EKS clusters, RDS databases, …), or when another group's rule
// references it. Default groups are left out: they cannot be deleted.
//
// Only a description of an account lists every interface. Code defines
// groups that load balancers, endpoints, clusters, databases and
// functions use, resources the loaders do not read or that live in other
// code: a group from code that no loaded interface carries is not
// flagged, and a note says its attachment could not be established.
func checkUnattachedGroup(s *scan) {
	referenced := map[string]bool{}
	for _, id := range s.inv.SortedGroupIDs() {
		g := s.inv.Groups[id]
		for _, egress := range []bool{false, true} {
			for _, r := range g.Rules(egress) {
				if r.Peer.Kind == vpc.PeerGroup && r.Peer.Group.GroupID != g.ID {
					referenced[r.Peer.Group.GroupID] = true
				}
			}
		}
	}
	var fromCode []string
	for _, g := range s.groupsWithRules() {
		if g.IsDefault() || len(s.ix.Members[g.ID]) > 0 || referenced[g.ID] {
			continue
		}
		if !fromAccount(g) {
			fromCode = append(fromCode, g.ID)
			continue
		}
		s.add(Finding{ResourceID: g.ID, Message: fmt.Sprintf("%s is attached to no network interface.", groupLabel(g)),
			Location: locationOf(g.Source), key: "unattached"})
	}
	if len(fromCode) > 0 {
		s.note("attachment could not be established for %s from code that no loaded interface carries (%s): "+
			"code may attach a group to load balancers, VPC endpoints, EKS clusters, RDS databases or Lambda functions, which walls does not load, "+
			"or to resources outside the input; describe the account to check them", plural(len(fromCode), "security group"), joinAnd(limitN(fromCode, 5)))
	}
}

func appendOnce(xs []string, x string) []string {
	if slices.Contains(xs, x) {
		return xs
	}
	return append(xs, x)
}

// checkMissingGroupRef: WALLS-SG-009. A reference is checked only when the
// referenced group would be in the input: same account (or unknown), not
// across a peering connection; a deleted peering makes the rule stale.
func checkMissingGroupRef(s *scan) {
	iac := 0
	for _, g := range s.groupsWithRules() {
		if !fromAccount(g) {
			// Code may reference groups it does not define (made elsewhere):
			// absence from the input proves nothing there.
			iac++
			continue
		}
		for _, egress := range []bool{false, true} {
			rules := g.Rules(egress)
			for i := range rules {
				r := &rules[i]
				if r.Peer.Kind != vpc.PeerGroup {
					continue
				}
				ref := r.Peer.Group
				var why string
				switch {
				case strings.EqualFold(ref.PeeringStatus, "deleted"):
					why = fmt.Sprintf("references %s across peering connection %s, which was deleted: the rule is stale", ref.GroupID, orUnknown(ref.PeeringConnectionID, "(unknown)"))
				case ref.PeeringConnectionID != "" || ref.UserID != "" && g.OwnerID != "" && ref.UserID != g.OwnerID:
					continue // in another account or VPC: not in this input by design
				case !s.groupExists(ref.GroupID):
					why = fmt.Sprintf("references %s, which is not among the %d security groups loaded", ref.GroupID, len(s.inv.Groups))
				default:
					continue
				}
				s.add(Finding{
					ResourceID: g.ID, Rule: ruleJSON(r), RuleRef: r.Ref(), Location: locationOf(r.Source),
					Message: fmt.Sprintf("%s rule %s (%s) %s.", groupLabel(g), r.Ref(), r.String(), why),
					Related: []string{ref.GroupID},
					key:     ruleKey(r) + "|" + ref.GroupID,
				})
			}
		}
	}
	if iac > 0 {
		s.note("%d security groups come from code, where a referenced group may be defined elsewhere; their references were not checked", iac)
	}
}

// fromAccount reports whether a group was read from a description of an
// account (AWS CLI output, a snapshot), whose group list is complete for
// its Region, rather than from code.
func fromAccount(g *vpc.SecurityGroup) bool {
	return strings.HasPrefix(g.Source.Path, "SecurityGroups") || strings.HasPrefix(g.Source.Path, "SecurityGroupRules")
}

// groupExists: the group's rules were loaded, or an interface carries it.
func (s *scan) groupExists(id string) bool {
	if g := s.inv.Groups[id]; g != nil && g.RulesKnown {
		return true
	}
	return len(s.ix.Members[id]) > 0
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// defaultEgressFinding says once per template what CloudFormation's
// implicit egress is: every group declared without SecurityGroupEgress
// keeps the allow-all rule AWS gives a new group (docs/semantics.md#inputs).
// One finding lists the groups; its rule reference is "default-egress", so
// a suppression can cover it alone.
func defaultEgressFinding(s *scan, file string, groups []*vpc.SecurityGroup) {
	var ids, names []string
	var used []*vpc.Rule
	for _, g := range groups {
		ids = append(ids, g.ID)
		names = append(names, cmp.Or(g.Declared.Address, g.ID)) // the template's own name
		for i := range g.Egress {
			if g.Egress[i].Assumed {
				used = append(used, &g.Egress[i])
				break
			}
		}
	}
	shown := names
	more := ""
	if len(shown) > 8 {
		more = fmt.Sprintf(" and %d more", len(shown)-8)
		shown = shown[:8]
	}
	f := Finding{
		ResourceID: file,
		Message: fmt.Sprintf("%s declared without SecurityGroupEgress (%s%s) keep the egress AWS gives every new group, all traffic to 0.0.0.0/0: CloudFormation removes it only when the template declares egress rules.",
			plural(len(ids), "group"), joinAnd(shown), more),
		Rule:     ruleJSON(used[0]),
		RuleRef:  "default-egress",
		Location: locationOf(groups[0].Source),
		Related:  ids,
		key:      "default-egress",
	}
	if len(ids) == 1 {
		f.Message = strings.Replace(f.Message, " keep the egress", " keeps the egress", 1)
	}
	withWhen(&f, used)
	s.add(f)
}

// slashZeroMessage words a block written with address bits under a /0
// mask (WALLS-SG-013 on rules, WALLS-NACL-005 on NACL entries): what
// holds it ("sg-1 (web) allows tcp 22 from"), the block as written, what
// AWS does with it ("opens the rule") and the block AWS reads.
func slashZeroMessage(subject, written, does string, read netip.Prefix) string {
	return fmt.Sprintf("%s %s: a /0 mask ignores the address, so AWS %s to the whole internet (%s); a longer prefix was almost certainly meant.",
		subject, written, does, read)
}

// checkSlashZeroTypo: WALLS-SG-013. The input wrote a block with address
// bits under a /0 mask; AWS reads the whole internet.
func checkSlashZeroTypo(s *scan) {
	for _, g := range s.groupsForRules() {
		for _, egress := range []bool{false, true} {
			rules := g.Rules(egress)
			for i := range rules {
				r := &rules[i]
				if r.Peer.Kind != vpc.PeerCIDR || r.Peer.Written == "" {
					continue
				}
				dir := "from"
				if egress {
					dir = "to"
				}
				what := "all traffic"
				if r.Protocol != vpc.ProtoAll {
					what = r.Protocol.String() + " " + r.PortText()
				}
				s.add(ruleFinding(Finding{
					Message: slashZeroMessage(groupLabel(g)+" allows "+what+" "+dir, r.Peer.Written, "opens the rule", r.Peer.Prefix),
					key:     dirWord(egress) + "/" + r.Peer.Written + "/" + r.PortText(),
				}, g, []*vpc.Rule{r}))
			}
		}
	}
}
