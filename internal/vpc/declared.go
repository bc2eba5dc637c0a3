package vpc

// Tools that declare security groups and rules as code (Declared.Tool).
const (
	ToolTerraform      = "terraform"
	ToolCloudFormation = "cloudformation"
)

// Declared names the infrastructure-as-code resource a security group or
// rule was read from, so that a change can be written back in the same
// language (walls export). It is empty for inventories read from the AWS
// API (AWS CLI JSON).
type Declared struct {
	// Tool is ToolTerraform or ToolCloudFormation.
	Tool string
	// Address is the Terraform resource address as the module writes it
	// (aws_security_group.web, aws_vpc_security_group_egress_rule.https),
	// or the CloudFormation logical id (WebSecurityGroup).
	Address string
	// Type is the resource type (aws_security_group,
	// aws_vpc_security_group_egress_rule, AWS::EC2::SecurityGroupEgress).
	Type string
	// Inline marks a rule written inside its group's resource: an egress
	// or ingress block of aws_security_group, an item of the
	// SecurityGroupEgress property of AWS::EC2::SecurityGroup.
	Inline bool
}

// UndeclaredGroup is a security group that rules in the input attach to
// but that the input does not declare: a literal sg-… id in a Terraform
// rule, a data.aws_security_group, a CloudFormation !ImportValue or a
// parameter without Default. Its ID is the reference as written ("sg-0abc",
// "!ImportValue net-WebSG"), Undeclared is set and RulesKnown is not: the
// rules the input holds are real AWS rules, so every check that judges a
// rule on its own (is it open to the internet, on which ports) audits
// them, while checks that need the group's whole rule set (redundancy,
// quota, IPv6 left open) leave the group alone. Loaders make one with
// this function, so both IaC readers represent such groups alike.
func UndeclaredGroup(inv *Inventory, id string, src Location) *SecurityGroup {
	if g := inv.Groups[id]; g != nil {
		return g
	}
	g := &SecurityGroup{ID: id, Name: id, Undeclared: true, Source: src}
	inv.Groups[id] = g
	return g
}
