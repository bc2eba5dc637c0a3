// Package terraform reads Terraform into walls' vpc model: the JSON of
// `terraform show -json` for a plan or a state (LoadShowJSON), and folders
// of .tf and .tf.json files, override files merged in (blocks.go), read
// statically with the HCL parser (LoadHCLDir, LoadHCLDirWithSuppressions).
//
// Both readers reduce their input to one value tree and share one builder,
// so the AWS provider's semantics (docs/semantics.md#inputs) are written once:
//   - aws_security_group and aws_default_security_group hold exactly the
//     declared inline ingress/egress blocks: the provider deletes AWS's
//     default allow-all egress, so no egress block means no egress; one
//     rule is made per peer (cidr_blocks, ipv6_cidr_blocks,
//     prefix_list_ids, security_groups, self = true as a reference to the
//     group itself);
//   - aws_security_group_rule (many peers, many rules),
//     aws_vpc_security_group_ingress_rule / _egress_rule (exactly one peer);
//     protocol "-1"/"all" and protocols other than tcp, udp, icmp and
//     icmpv6 ignore ports;
//   - aws_network_acl, aws_default_network_acl (inline entries, subnet_ids),
//     aws_network_acl_rule, aws_network_acl_association;
//   - aws_vpc (with aws_vpc_ipv4_cidr_block_association and
//     aws_vpc_ipv6_cidr_block_association adding blocks), aws_subnet,
//     aws_ec2_managed_prefix_list (+ _entry), aws_instance (as its
//     primary interface) and aws_network_interface.
//
// What a VPC, subnet or prefix list field means, and the end of a load
// (associations, sorted NACL entries, interfaces' VPCs), is written once
// for this loader and the CloudFormation one, in internal/iac.
//
// Plans: unknown references are followed through the configuration
// section (showrefs.go); .tf folders: local modules, count/for_each,
// variable files and Terraform's functions (hcl.go, modules.go, funcs.go).
// A standalone rule whose group cannot be known is kept on a placeholder
// group (RulesKnown false, an "undeclared-group" warning) named by the
// reference its security_group_id makes, as a rule of a literal sg-… id of
// a group the input does not declare is.
//
// Model ids are real ids when known, else resource addresses
// ("aws_security_group.web", "module.net.aws_subnet.a[0]"), and every
// reference to a resource resolves to the same string. What is not known
// (computed at apply time, or not resolvable statically) is reported as a
// vpc.Warning with code "unknown-value" at its location and left out,
// never guessed. Malformed values are *vpc.InputError.
package terraform
