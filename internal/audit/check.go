package audit

import "github.com/walls-dev/walls/internal/vpc"

// Reference points at an external control a check corresponds to: a CIS AWS
// Foundations Benchmark recommendation, an AWS Security Hub control, an AWS
// Config managed rule, or a document.
type Reference struct {
	Source string // "CIS AWS Foundations v3.0", "AWS Security Hub", "AWS Config", "AWS docs"
	ID     string // "5.4", "EC2.2", …; empty for plain documents
	URL    string
}

// Equivalent is a check of another scanner with the same intent, and how
// walls' definition differs from it (the README's comparison table).
type Equivalent struct {
	Tool       string // "trivy", "checkov"
	ID         string
	Difference string
}

// Check is one audit check as data: a stable ID, what it finds, why it
// matters, how to fix it, what it corresponds to elsewhere, and which inputs
// it needs. The engine runs its function over the normalised inventory, so a
// check is written once for every input kind.
type Check struct {
	ID          string
	Title       string
	Severity    Severity // default; a finding may carry a different one and says why
	Resource    string   // the kind of resource findings point at
	Rationale   string
	Remediation string
	References  []Reference
	Equivalents []Equivalent
	// Needs lists the inventory kinds without which the check cannot say
	// anything true; when one is missing the engine records a note instead.
	Needs []vpc.Kind
	// NeedsFlows marks the checks that run only with observations (--flows).
	NeedsFlows bool
	// NeedsAny lists the kinds of which at least one must be loaded (the SG
	// checks read rules from either API shape).
	NeedsAny []vpc.Kind

	run func(*scan)
}

// Check IDs. They are stable: a released ID is never reused for another
// meaning, so suppressions and SARIF fingerprints keep working.
const (
	OpenEgress          = "WALLS-SG-001"
	IPv6LeftOpen        = "WALLS-SG-002"
	RiskyEgress         = "WALLS-SG-003"
	AdminIngress        = "WALLS-SG-004"
	DatabaseIngress     = "WALLS-SG-005"
	DefaultGroupRules   = "WALLS-SG-006"
	DefaultGroupInUse   = "WALLS-SG-007"
	UnattachedGroup     = "WALLS-SG-008"
	MissingGroupRef     = "WALLS-SG-009"
	RedundantRule       = "WALLS-SG-010"
	RedundantAcross     = "WALLS-SG-011"
	GroupNearQuota      = "WALLS-SG-012"
	SlashZeroTypo       = "WALLS-SG-013"
	NACLShadowed        = "WALLS-NACL-001"
	NACLReturnBlocked   = "WALLS-NACL-002"
	NACLAdminIngress    = "WALLS-NACL-003"
	NACLNearQuota       = "WALLS-NACL-004"
	NACLSlashZeroTypo   = "WALLS-NACL-005"
	UnusedRule          = "WALLS-FLOW-001"
	LearnWouldTighten   = "WALLS-FLOW-002"
	ExpiredSuppression  = "WALLS-META-001"
	securityHubControls = "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html"
	cisURL              = "https://www.cisecurity.org/benchmark/amazon_web_services"
)

var sgKinds = []vpc.Kind{vpc.KindSecurityGroups, vpc.KindSecurityGroupRules}

// Catalog returns every check, in the order findings of equal severity are
// listed. It returns fresh values; callers may filter them.
func Catalog() []Check {
	return []Check{
		{
			ID:       OpenEgress,
			Title:    "Egress of all protocols or all ports to the whole internet",
			Severity: Critical,
			Resource: "security group",
			Rationale: "A rule that lets a workload send any protocol, or every port of TCP or UDP, to 0.0.0.0/0 or ::/0 " +
				"lets an intruder who breaks in send anything anywhere: exfiltration, command and control, attacks on others. " +
				"Security groups are stateful, so a workload needs egress rules only for the connections it starts itself.",
			Remediation: "Replace the rule with rules for the connections the workload starts (for example tcp 443 to the internet, " +
				"the S3 prefix list, the database's security group). `walls learn --flows …` proposes them from VPC Flow Logs.",
			References: []Reference{
				{Source: "AWS Well-Architected", ID: "SEC05-BP02", URL: "https://docs.aws.amazon.com/wellarchitected/latest/security-pillar/sec_network_protection_layered.html"},
			},
			Equivalents: []Equivalent{
				{Tool: "trivy", ID: "AVD-AWS-0104", Difference: "trivy flags any egress rule to a /0, even tcp 443; walls flags only all protocols or all ports, proved on the address set (two /1 rules count as the internet), and leaves single ports to WALLS-SG-003."},
				{Tool: "checkov", ID: "CKV_AWS_382", Difference: "checkov matches protocol -1 to 0.0.0.0/0 in the text; walls also catches tcp/udp 0-65535, ::/0 and prefix lists or CIDR sets that cover the internet."},
			},
			NeedsAny: sgKinds,
			run:      checkOpenEgress,
		},
		{
			ID:       IPv6LeftOpen,
			Title:    "IPv6 egress left open after IPv4 was tightened",
			Severity: High,
			Resource: "security group",
			Rationale: "When a VPC gets an IPv6 block AWS adds an allow-all ::/0 egress rule to groups whose egress was never changed, " +
				"and IaC examples carry both 0.0.0.0/0 and ::/0. Tightening only the IPv4 rules leaves the same door open over IPv6, " +
				"which dual-stack workloads and intruders use as readily as IPv4.",
			Remediation: "Give the IPv6 egress the same restrictions as the IPv4 egress, or remove the ::/0 rule if the workload does not use IPv6.",
			References: []Reference{
				{Source: "AWS docs", URL: "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-migrate-ipv6.html"},
			},
			NeedsAny: sgKinds,
			run:      checkIPv6LeftOpen,
		},
		{
			ID:       RiskyEgress,
			Title:    "Egress to the internet on risky ports",
			Severity: High,
			Resource: "security group",
			Rationale: "Databases, SMTP, SMB, Telnet, SSH and RDP outbound, IRC, Tor, proxy, mining and common command-and-control ports " +
				"are how an intruder exfiltrates data, spreads, or takes orders. Few workloads need to start connections to them on the internet. " +
				"Severity follows what the port carries: cleartext file transfer (FTP 20-21, TFTP 69), which package mirrors still offer, is medium; " +
				"the rest, mail, chat, anonymity, mining, file sharing and shells among them, is high.",
			Remediation: "Remove the port from the egress rules, or restrict the destination to the specific servers the workload talks to; " +
				"fetch packages from HTTPS mirrors rather than FTP. (A group open to all traffic over a family is reported by WALLS-SG-001 alone.)",
			References: []Reference{
				{Source: "AWS Well-Architected", ID: "SEC05-BP02", URL: "https://docs.aws.amazon.com/wellarchitected/latest/security-pillar/sec_network_protection_layered.html"},
				{Source: "NIST SP 800-41 Rev. 1", ID: "egress filtering", URL: "https://csrc.nist.gov/pubs/sp/800/41/r1/final"},
			},
			Equivalents: []Equivalent{
				{Tool: "trivy", ID: "AVD-AWS-0104", Difference: "trivy does not distinguish ports; walls names the risky ports a group opens to the internet, from a documented list."},
			},
			NeedsAny: sgKinds,
			run:      checkRiskyEgress,
		},
		{
			ID:       AdminIngress,
			Title:    "Ingress from the internet to administration ports",
			Severity: Critical,
			Resource: "security group",
			Rationale: "SSH, RDP, Telnet, VNC, WinRM, SMB and container or cluster control ports open to the internet are scanned " +
				"and brute-forced within minutes of exposure.",
			Remediation: "Restrict the source to known administration networks, a bastion's security group, or use AWS Systems Manager Session Manager instead.",
			References: []Reference{
				{Source: "CIS AWS Foundations v3.0", ID: "5.2", URL: cisURL},
				{Source: "CIS AWS Foundations v3.0", ID: "5.3", URL: cisURL},
				{Source: "AWS Security Hub", ID: "EC2.13", URL: securityHubControls},
				{Source: "AWS Security Hub", ID: "EC2.14", URL: securityHubControls},
				{Source: "AWS Security Hub", ID: "EC2.53", URL: securityHubControls},
				{Source: "AWS Security Hub", ID: "EC2.54", URL: securityHubControls},
			},
			Equivalents: []Equivalent{
				{Tool: "trivy", ID: "AVD-AWS-0107", Difference: "trivy flags any ingress from a /0 on any port; walls flags administration ports only (web ports open to the internet are usually intended) and proves coverage of the internet on the port rather than matching /0 text."},
				{Tool: "checkov", ID: "CKV_AWS_24, CKV_AWS_25", Difference: "checkov checks 22 and 3389 from 0.0.0.0/0 (and ::/0 in newer versions) on the rule text; walls covers more administration ports, both families and any rule combination that opens the port to the internet."},
			},
			NeedsAny: sgKinds,
			run:      checkAdminIngress,
		},
		{
			ID:       DatabaseIngress,
			Title:    "Ingress from the internet to database ports",
			Severity: High,
			Resource: "security group",
			Rationale: "Database and cache servers reachable from the internet are found by scanners and attacked for their data; " +
				"several (Redis, Memcached, Elasticsearch, old MongoDB) accept unauthenticated clients by default.",
			Remediation: "Allow the database port only from the application's security group or private CIDRs.",
			References: []Reference{
				{Source: "AWS Security Hub", ID: "EC2.19", URL: securityHubControls},
			},
			Equivalents: []Equivalent{
				{Tool: "trivy", ID: "AVD-AWS-0107", Difference: "as for WALLS-SG-004: walls restricts the check to database ports and proves internet coverage."},
			},
			NeedsAny: sgKinds,
			run:      checkDatabaseIngress,
		},
		{
			ID:       DefaultGroupRules,
			Title:    "The VPC's default security group has rules",
			Severity: High,
			Resource: "security group",
			Rationale: "Anything launched without a security group gets the VPC's default group. With its default rules it can reach " +
				"everything, and everything in the group can reach it; baselines want the default group to have no rules at all.",
			Remediation: "Remove every inbound and outbound rule from the default security group and give workloads their own groups " +
				"(in Terraform, `aws_default_security_group` with no ingress or egress blocks).",
			References: []Reference{
				{Source: "CIS AWS Foundations v3.0", ID: "5.4", URL: cisURL},
				{Source: "CIS AWS Foundations v1.2", ID: "4.3", URL: cisURL},
				{Source: "AWS Security Hub", ID: "EC2.2", URL: securityHubControls},
				{Source: "AWS Config", ID: "vpc-default-security-group-closed", URL: "https://docs.aws.amazon.com/config/latest/developerguide/vpc-default-security-group-closed.html"},
			},
			Equivalents: []Equivalent{
				{Tool: "checkov", ID: "CKV2_AWS_12", Difference: "checkov checks that the default group restricts all traffic; walls reports each direction that has rules, on every input kind including the live account."},
			},
			NeedsAny: sgKinds,
			run:      checkDefaultGroupRules,
		},
		{
			ID:       DefaultGroupInUse,
			Title:    "The VPC's default security group is attached to network interfaces",
			Severity: Medium,
			Resource: "security group",
			Rationale: "Interfaces carrying the default group usually got it by accident (launched without a group); they share one " +
				"group with unrelated workloads, so any rule added for one applies to all.",
			Remediation: "Attach a purpose-made security group to the listed interfaces and detach the default group.",
			References: []Reference{
				{Source: "AWS docs", URL: "https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html"},
			},
			Needs: []vpc.Kind{vpc.KindNetworkInterfaces},
			run:   checkDefaultGroupInUse,
		},
		{
			ID:       UnattachedGroup,
			Title:    "Security group attached to nothing",
			Severity: Low,
			Resource: "security group",
			Rationale: "An unused group is clutter that hides the groups that matter, counts against the per-Region quota, and can be " +
				"attached later with rules nobody reviewed.",
			Remediation: "Delete the group, or record why it is kept (a suppression with a reason).",
			References: []Reference{
				{Source: "AWS Security Hub", ID: "EC2.22", URL: securityHubControls},
			},
			Equivalents: []Equivalent{
				{Tool: "checkov", ID: "CKV2_AWS_5", Difference: "checkov looks for a resource in the same code that uses the group; walls counts the interfaces of every type carrying it and the rules referencing it, reports only groups from an account description, and says nothing when no interfaces were loaded."},
			},
			Needs: []vpc.Kind{vpc.KindNetworkInterfaces},
			run:   checkUnattachedGroup,
		},
		{
			ID:       MissingGroupRef,
			Title:    "Rule references a security group that does not exist",
			Severity: Medium,
			Resource: "security group",
			Rationale: "A rule that points at a deleted group (a stale rule) matches nothing today but is confusing, and in a peered " +
				"or shared VPC it is how a rule silently stopped doing what its author meant.",
			Remediation: "Delete the stale rule or point it at the group that replaced the deleted one.",
			References: []Reference{
				{Source: "AWS docs", URL: "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html#stale-rules"},
			},
			Needs: []vpc.Kind{vpc.KindSecurityGroups},
			run:   checkMissingGroupRef,
		},
		{
			ID:       RedundantRule,
			Title:    "Rule redundant with another rule of the same security group",
			Severity: Low,
			Resource: "security group",
			Rationale: "A rule whose traffic another rule of the group already allows adds nothing but review effort, counts against the " +
				"rule quota, and survives when the wider rule is tightened, which is rarely what the tightener meant.",
			Remediation: "Delete the redundant rule, or tighten the wider one and keep this one if this is the intended access.",
			NeedsAny:    sgKinds,
			run:         checkRedundantRules,
		},
		{
			ID:       RedundantAcross,
			Title:    "Rule redundant with a rule of another security group on exactly the same interfaces",
			Severity: Low,
			Resource: "security group",
			Rationale: "The rules of all groups on an interface are pooled. When two groups sit on exactly the same interfaces, a rule in " +
				"one that the other already covers allows nothing more.",
			Remediation: "Delete the redundant rule, or merge the two groups.",
			Needs:       []vpc.Kind{vpc.KindNetworkInterfaces},
			NeedsAny:    sgKinds,
			run:         checkRedundantAcross,
		},
		{
			ID:       GroupNearQuota,
			Title:    "Security group near its rule quota",
			Severity: Medium,
			Resource: "security group",
			Rationale: "AWS limits each group to 60 inbound and 60 outbound rules per address family by default, counting a customer prefix " +
				"list as its MaxEntries. A group near the limit fails the next change in the middle of an incident.",
			Remediation: "Merge rules into wider CIDRs or prefix lists, split the group, or request a quota increase (within rules × groups per interface ≤ 1,000).",
			References: []Reference{
				{Source: "AWS docs", URL: "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html"},
			},
			NeedsAny: sgKinds,
			run:      checkGroupQuota,
		},
		{
			ID:       SlashZeroTypo,
			Title:    "CIDR block written with host bits and a /0 mask",
			Severity: High,
			Resource: "security group",
			Rationale: "A block such as 192.168.1.0/0 sets address bits that a /0 mask ignores: AWS stores it as 0.0.0.0/0, the whole internet. " +
				"Nobody writes an address to mean every address: a /24 or a /32 was almost certainly meant, and the rule is open to the world by a typo.",
			Remediation: "Write the prefix length that was meant (192.168.1.0/24), or 0.0.0.0/0 if the whole internet really is the peer.",
			References: []Reference{
				{Source: "AWS docs", URL: "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"},
			},
			NeedsAny: sgKinds,
			run:      checkSlashZeroTypo,
		},
		{
			ID:       NACLShadowed,
			Title:    "Network ACL entry shadowed by earlier entries",
			Severity: Medium,
			Resource: "network ACL",
			Rationale: "A network ACL applies the first matching entry. An entry whose traffic earlier entries already decide is never used: " +
				"a deny placed after a wider allow protects nothing, and an allow after a wider deny opens nothing.",
			Remediation: "Renumber the entry before the entries that shadow it, or delete it.",
			References: []Reference{
				{Source: "AWS docs", URL: "https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html"},
			},
			Needs: []vpc.Kind{vpc.KindNetworkACLs},
			run:   checkNACLShadowed,
		},
		{
			ID:       NACLReturnBlocked,
			Title:    "Network ACL blocks the return traffic of connections the security groups allow",
			Severity: High,
			Resource: "network ACL",
			Rationale: "Network ACLs are stateless: a connection needs the request allowed one way and the replies allowed back on the " +
				"client's ephemeral ports. When only part of the ephemeral range is open, connections fail now and then, the hardest failure to debug.",
			Remediation: "Allow the return direction on the client's ephemeral ports (32768-65535 covers Linux and Windows clients; " +
				"1024-65535 for NAT gateways, load balancers and Lambda), with deny entries before it for ports that must stay closed.",
			References: []Reference{
				{Source: "AWS docs", URL: "https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html"},
			},
			Needs:    []vpc.Kind{vpc.KindNetworkACLs, vpc.KindNetworkInterfaces},
			NeedsAny: sgKinds,
			run:      checkNACLReturn,
		},
		{
			ID:          NACLAdminIngress,
			Title:       "Network ACL allows ingress from the internet to administration ports",
			Severity:    High,
			Resource:    "network ACL",
			Rationale:   "The network ACL is the subnet-wide second wall; allowing SSH or RDP from the whole internet there leaves only the security groups.",
			Remediation: "Add deny entries for the administration ports from 0.0.0.0/0 and ::/0 before the wide allow, or narrow the allow.",
			References: []Reference{
				{Source: "CIS AWS Foundations v3.0", ID: "5.1", URL: cisURL},
				{Source: "AWS Security Hub", ID: "EC2.21", URL: securityHubControls},
			},
			Equivalents: []Equivalent{
				{Tool: "trivy", ID: "AVD-AWS-0105", Difference: "trivy flags an allow entry from /0 on its own; walls evaluates the entries in order, so a deny before the allow passes, and a later allow behind a deny is not reported."},
				{Tool: "trivy", ID: "AVD-AWS-0102", Difference: "trivy flags every all-protocol allow; walls reports the administration ports such an entry opens."},
			},
			Needs: []vpc.Kind{vpc.KindNetworkACLs},
			run:   checkNACLAdminIngress,
		},
		{
			ID:          NACLNearQuota,
			Title:       "Network ACL near its entry quota",
			Severity:    Low,
			Resource:    "network ACL",
			Rationale:   "A network ACL holds 20 entries per direction and address family by default (40 at most), the default deny included.",
			Remediation: "Merge entries into wider CIDRs or port ranges, or request the increase (AWS warns of a performance impact).",
			References: []Reference{
				{Source: "AWS docs", URL: "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html"},
			},
			Needs: []vpc.Kind{vpc.KindNetworkACLs},
			run:   checkNACLQuota,
		},
		{
			ID:       NACLSlashZeroTypo,
			Title:    "Network ACL entry CIDR block written with host bits and a /0 mask",
			Severity: High,
			Resource: "network ACL",
			Rationale: "WALLS-SG-013 for network ACL entries: a block such as 10.0.0.0/0 sets address bits that a /0 mask ignores, so AWS " +
				"applies the entry to the whole internet. An allow opens the subnet to the world, a deny closes it to everyone; either way a " +
				"/16 or a /24 was almost certainly meant.",
			Remediation: "Write the prefix length that was meant (10.0.0.0/16), or 0.0.0.0/0 if the entry really is for every address.",
			References: []Reference{
				{Source: "AWS docs", URL: "https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html"},
			},
			Needs: []vpc.Kind{vpc.KindNetworkACLs},
			run:   checkNACLSlashZeroTypo,
		},
		{
			ID:       UnusedRule,
			Title:    "Rule not used by any observed traffic in the window",
			Severity: Low,
			Resource: "security group",
			Rationale: "A rule that no accepted flow of the group's interfaces matched during the observation window is a candidate for removal: " +
				"it is access nobody uses, so it is access only an intruder would.",
			Remediation: "Check that the window covers the workload's whole cycle (batch jobs, month ends), then remove the rule.",
			Needs:       []vpc.Kind{vpc.KindNetworkInterfaces},
			NeedsAny:    sgKinds,
			NeedsFlows:  true,
			run:         checkUnusedRules,
		},
		{
			ID:          LearnWouldTighten,
			Title:       "Egress that the observed traffic shows can be tightened",
			Severity:    Medium,
			Resource:    "security group",
			Rationale:   "The group allows far more egress than its interfaces were seen to start; the difference is what an intruder gets for free.",
			Remediation: "Run `walls learn` with the same flows to get the proposal, review it with `walls diff` and `walls replay`, then ship it.",
			Needs:       []vpc.Kind{vpc.KindNetworkInterfaces},
			NeedsAny:    sgKinds,
			NeedsFlows:  true,
			run:         checkLearnWouldTighten,
		},
		{
			ID:          ExpiredSuppression,
			Title:       "Suppression expired",
			Severity:    Medium,
			Resource:    "suppression",
			Rationale:   "A suppression with an expiry date was a promise to revisit the finding. Once expired, it no longer hides the finding, and says so.",
			Remediation: "Fix the finding, or renew the suppression with a new date and a reason that still holds.",
		},
	}
}

// Lookup returns the catalogue entry for id.
func Lookup(id string) (Check, bool) {
	for _, c := range Catalog() {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}
