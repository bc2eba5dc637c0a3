package awstest

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
)

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// Authorize and revoke change both shapes of the group's rules, answer
// with the SDK's element names, and refuse with EC2's codes: a duplicate,
// a rule or rule id that is not there, a dry run, a denied dry run, and
// a fault planned for the n-th call.
func TestEC2EgressChanges(t *testing.T) {
	const acct, region = "111122223333", "eu-west-1"
	srv := NewEC2(t)
	srv.AddCredentials("AKIDTEST", acct)
	srv.Place(acct, region).Fill(acct, region, 2, 0)
	c := client(srv, "AKIDTEST")
	ctx := context.Background()
	g := aws.ToString(srv.Place(acct, region).SecurityGroups[0].GroupId)
	before := srv.EgressTexts(acct, region, g)
	perm := types.IpPermission{IpProtocol: aws.String("6"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
		IpRanges:   []types.IpRange{{CidrIp: aws.String("10.1.2.3/16"), Description: aws.String("web")}},
		Ipv6Ranges: []types.Ipv6Range{{CidrIpv6: aws.String("2001:db8::/32")}}}
	out, err := c.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{GroupId: aws.String(g), IpPermissions: []types.IpPermission{perm}})
	if err != nil || len(out.SecurityGroupRules) != 2 || aws.ToString(out.SecurityGroupRules[0].SecurityGroupRuleId) == "" ||
		aws.ToString(out.SecurityGroupRules[0].CidrIpv4) != "10.1.0.0/16" || aws.ToString(out.SecurityGroupRules[0].IpProtocol) != "tcp" {
		t.Fatalf("authorize: %v %+v", err, out)
	}
	after := srv.EgressTexts(acct, region, g)
	if len(after) != len(before)+2 {
		t.Fatalf("rules %q after authorize, %q before", after, before)
	}
	// The legacy shape says the same.
	sg := srv.Place(acct, region).SecurityGroups[0]
	if len(sg.IpPermissionsEgress) != len(after) {
		t.Errorf("legacy shape has %d permissions, rules %d", len(sg.IpPermissionsEgress), len(after))
	}
	_, err = c.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{GroupId: aws.String(g), IpPermissions: []types.IpPermission{{
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443), IpRanges: []types.IpRange{{CidrIp: aws.String("10.1.0.0/16")}}}}})
	if code(err) != "InvalidPermission.Duplicate" {
		t.Errorf("duplicate: %v", err)
	}
	_, err = c.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{DryRun: aws.Bool(true), GroupId: aws.String(g), IpPermissions: []types.IpPermission{perm}})
	if code(err) != "DryRunOperation" {
		t.Errorf("dry run: %v", err)
	}
	id := out.SecurityGroupRules[0].SecurityGroupRuleId
	rv, err := c.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: aws.String(g), SecurityGroupRuleIds: []string{*id}})
	if err != nil || len(rv.RevokedSecurityGroupRules) != 1 || aws.ToString(rv.RevokedSecurityGroupRules[0].SecurityGroupRuleId) != *id {
		t.Fatalf("revoke by id: %v %+v", err, rv)
	}
	_, err = c.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: aws.String(g), SecurityGroupRuleIds: []string{*id}})
	if code(err) != "InvalidSecurityGroupRuleId.NotFound" {
		t.Errorf("revoke a revoked id: %v", err)
	}
	v6 := types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443), Ipv6Ranges: []types.Ipv6Range{{CidrIpv6: aws.String("2001:db8::/32")}}}
	if _, err = c.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: aws.String(g), IpPermissions: []types.IpPermission{v6}}); err != nil {
		t.Fatalf("revoke by permission: %v", err)
	}
	_, err = c.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: aws.String(g), IpPermissions: []types.IpPermission{v6}})
	if code(err) != "InvalidPermission.NotFound" {
		t.Errorf("revoke a revoked permission: %v", err)
	}
	if got := srv.EgressTexts(acct, region, g); !reflect.DeepEqual(got, before) {
		t.Errorf("rules %q, want %q", got, before)
	}
	srv.Deny(acct, "", "RevokeSecurityGroupEgress")
	_, err = c.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{DryRun: aws.Bool(true), GroupId: aws.String(g), IpPermissions: []types.IpPermission{v6}})
	if code(err) != "UnauthorizedOperation" {
		t.Errorf("denied dry run: %v", err)
	}
	srv.FailNth(2, http.StatusForbidden, "UnauthorizedOperation", "no", "AuthorizeSecurityGroupEgress")
	for i, want := range []string{"", "UnauthorizedOperation", ""} {
		p := types.IpPermission{IpProtocol: aws.String("udp"), FromPort: aws.Int32(int32(100 + i)), ToPort: aws.Int32(int32(100 + i)),
			PrefixListIds: []types.PrefixListId{{PrefixListId: aws.String("pl-1")}}}
		_, err := c.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{GroupId: aws.String(g), IpPermissions: []types.IpPermission{p}})
		if code(err) != want {
			t.Errorf("call %d: %v, want %q", i+1, err, want)
		}
	}
	if got := srv.EgressTexts(acct, region, g); len(got) != len(before)+2 {
		t.Errorf("after the fault: %q", got)
	}
	_, err = c.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{GroupId: aws.String("sg-nope"), IpPermissions: []types.IpPermission{perm}})
	if code(err) != "InvalidGroup.NotFound" {
		t.Errorf("unknown group: %v", err)
	}
}

// FuzzReadPermissions: no form body panics the permission reader, and
// each rule it returns has one peer and a protocol EC2 stores.
func FuzzReadPermissions(f *testing.F) {
	f.Add("IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=443&IpPermissions.1.ToPort=443&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.1%2F8&IpPermissions.1.IpRanges.1.Description=web")
	f.Add("IpPermissions.1.IpProtocol=-1&IpPermissions.1.Ipv6Ranges.1.CidrIpv6=%3A%3A%2F0&IpPermissions.1.PrefixListIds.1.PrefixListId=pl-1&IpPermissions.1.Groups.1.GroupId=sg-1")
	f.Add("IpPermissions.1.IpProtocol=udp&IpPermissions.1.FromPort=x")
	f.Add("IpPermissions.2.IpProtocol=icmp")
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		rules, err := readPermissions(form)
		if err != nil {
			return
		}
		for _, r := range rules {
			n := 0
			for _, p := range []*string{r.CidrIpv4, r.CidrIpv6, r.PrefixListId} {
				if p != nil {
					n++
				}
			}
			if r.ReferencedGroupInfo != nil {
				n++
			}
			if n != 1 {
				t.Fatalf("%d peers in %+v", n, r)
			}
			if _, err := protocolName(aws.ToString(r.IpProtocol)); err != nil {
				t.Fatalf("protocol %q", aws.ToString(r.IpProtocol))
			}
		}
	})
}
