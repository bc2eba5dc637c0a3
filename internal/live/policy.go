package live

import (
	"encoding/json"
	"sort"
)

// inventoryActions are the calls a snapshot makes, each an IAM action:
// the reads of every kind, the region list for --region all, and the
// caller identity (which no policy can deny, listed for completeness).
var inventoryActions = []string{
	"ec2:DescribeSecurityGroups",
	"ec2:DescribeSecurityGroupRules",
	"ec2:DescribeNetworkInterfaces",
	"ec2:DescribeNetworkAcls",
	"ec2:DescribeSubnets",
	"ec2:DescribeVpcs",
	"ec2:DescribeManagedPrefixLists",
	"ec2:GetManagedPrefixListEntries",
	"ec2:DescribeRegions",
	"sts:GetCallerIdentity",
}

// assumeActions are called with --role-arn, by the credentials walls
// starts from; the policy belongs to that identity, the others to each
// role assumed.
var assumeActions = []string{"sts:AssumeRole"}

// flowActions are what the remote flow-log sources call: S3 objects, a
// CloudWatch Logs group (and the flow-log definition giving its format),
// and Athena with the Glue catalogue and the S3 result location.
var flowActions = []string{
	"ec2:DescribeFlowLogs",
	"s3:ListBucket",
	"s3:GetObject",
	"s3:GetBucketLocation",
	"s3:PutObject",
	"logs:FilterLogEvents",
	"logs:GetLogEvents",
	"athena:StartQueryExecution",
	"athena:GetQueryExecution",
	"athena:GetQueryResults",
	"athena:StopQueryExecution",
	"glue:GetDatabase",
	"glue:GetTable",
	"glue:GetPartitions",
}

// PolicyActions lists, sorted, every action the live inventory calls:
// the read statement and sts:AssumeRole.
func PolicyActions() []string {
	out := append(append([]string(nil), inventoryActions...), assumeActions...)
	sort.Strings(out)
	return out
}

type statement struct {
	Sid      string   `json:"Sid"`
	Effect   string   `json:"Effect"`
	Action   []string `json:"Action"`
	Resource string   `json:"Resource"`
}

// Policy is the least-privilege IAM policy document walls needs, as
// indented JSON: the inventory reads (Describe and Get actions take no
// resource-level restriction, hence "*"), sts:AssumeRole for --role-arn
// (narrow its Resource to the roles), and, in its own statement, what the
// remote flow-log sources read (narrow to the buckets, log groups,
// workgroups and tables used).
func Policy() []byte {
	sorted := func(xs []string) []string {
		out := append([]string(nil), xs...)
		sort.Strings(out)
		return out
	}
	doc := struct {
		Version   string      `json:"Version"`
		Statement []statement `json:"Statement"`
	}{"2012-10-17", []statement{
		{"WallsInventoryRead", "Allow", sorted(inventoryActions), "*"},
		{"WallsAssumeRoleArnOnly", "Allow", sorted(assumeActions), "*"},
		{"WallsFlowLogSources", "Allow", sorted(flowActions), "*"},
	}}
	b, _ := json.MarshalIndent(doc, "", "  ") // a fixed document always marshals
	return append(b, '\n')
}

// applyActions are what walls apply and walls rollback call to change
// egress (and, with --dry-run, ask about), besides the inventory reads.
var applyActions = []string{
	"ec2:AuthorizeSecurityGroupEgress",
	"ec2:RevokeSecurityGroupEgress",
}

// ApplyActions lists, sorted, the actions that change egress.
func ApplyActions() []string {
	out := append([]string(nil), applyActions...)
	sort.Strings(out)
	return out
}

// ApplyPolicy is the IAM policy document walls apply and walls rollback
// need besides Policy's read statement: one statement, labelled
// WallsApplyEgressChanges, with the two actions that change egress. It is
// apart so that the read-only policy stays read-only; narrow its Resource
// to the security groups walls may change
// (arn:aws:ec2:REGION:ACCOUNT:security-group/sg-…).
func ApplyPolicy() []byte {
	doc := struct {
		Version   string      `json:"Version"`
		Statement []statement `json:"Statement"`
	}{"2012-10-17", []statement{{"WallsApplyEgressChanges", "Allow", ApplyActions(), "*"}}}
	b, _ := json.MarshalIndent(doc, "", "  ") // a fixed document always marshals
	return append(b, '\n')
}
