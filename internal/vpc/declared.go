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
