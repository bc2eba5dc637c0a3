package awstest

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"
)

func client(srv *EC2, key string) *ec2.Client {
	return ec2.New(ec2.Options{Region: "eu-west-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(key, "secret", "")})
}

// The endpoint speaks EC2's dialect as the SDK reads it: MaxResults out of
// the call's range and unknown keys are refused with EC2's error codes,
// and pages end when nextToken does.
func TestEC2Dialect(t *testing.T) {
	srv := NewEC2(t)
	srv.AddCredentials("AKIDTEST", "111122223333")
	srv.Place("111122223333", "eu-west-1").Fill("111122223333", "eu-west-1", 12, 3)
	c := client(srv, "AKIDTEST")
	ctx := context.Background()
	_, err := c.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{MaxResults: aws.Int32(1000)})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValue" {
		t.Errorf("NACLs with MaxResults 1000: %v, want InvalidParameterValue (EC2 takes 5-100)", err)
	}
	out, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{MaxResults: aws.Int32(5)})
	if err != nil || len(out.SecurityGroups) != 5 || aws.ToString(out.NextToken) == "" {
		t.Fatalf("first page: %v, %d groups, token %v", err, len(out.SecurityGroups), out.NextToken)
	}
	out, err = c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{MaxResults: aws.Int32(10), NextToken: out.NextToken})
	if err != nil || len(out.SecurityGroups) != 7 || out.NextToken != nil {
		t.Fatalf("last page: %v, %d groups, token %v", err, len(out.SecurityGroups), out.NextToken)
	}
	if g := out.SecurityGroups[0]; aws.ToString(g.Description) != "generated <&> group" || len(g.IpPermissions) != 2 ||
		aws.ToString(g.IpPermissions[1].UserIdGroupPairs[0].GroupId) == "" {
		t.Errorf("group decoded as %+v", g)
	}
	_, err = client(srv, "AKIDUNKNOWN").DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if !errors.As(err, &ae) || ae.ErrorCode() != "AuthFailure" {
		t.Errorf("unknown key: %v", err)
	}
	srv.Deny("111122223333", "", "DescribeVpcs")
	_, err = c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if !errors.As(err, &ae) || ae.ErrorCode() != "UnauthorizedOperation" {
		t.Errorf("denied: %v", err)
	}
	srv.Fail("DescribeSubnets", http.StatusServiceUnavailable, 1)
	_, err = c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
	if !errors.As(err, &ae) || ae.ErrorCode() != "RequestLimitExceeded" {
		t.Errorf("throttled: %v", err)
	}
	if got := srv.Calls(); got["ec2:DescribeSecurityGroups"] != 2 || got["ec2:DescribeSubnets"] != 1 {
		t.Errorf("calls %v", got)
	}
}

// FuzzSigV4Scope: no Authorization header may panic the scope reader, and
// a key it returns is the one the header names.
func FuzzSigV4Scope(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/ec2/aws4_request, SignedHeaders=host, Signature=abc")
	f.Add("Credential=")
	f.Add("Credential=a/b")
	f.Fuzz(func(t *testing.T, h string) {
		r, _ := http.NewRequest("POST", "http://x", nil)
		r.Header.Set("Authorization", h)
		key, _, _ := SigV4Scope(r)
		if key != "" && !strings.Contains(r.Header.Get("Authorization"), "Credential="+key) {
			t.Fatalf("key %q not in %q", key, h)
		}
	})
}
