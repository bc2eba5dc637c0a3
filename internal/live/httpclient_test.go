package live

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/walls-dev/walls/internal/awsconf"
)

// TestPlainBodiesOnFastEndpoint: against an endpoint that answers at once,
// large pages read without retries must never fail with a connection
// closed under the response (see awsconf's plainBodyClient, which Load installs).
func TestPlainBodiesOnFastEndpoint(t *testing.T) {
	srv, _ := setup(t, "eu-west-1")
	srv.Place(testAccount, "eu-west-1").Fill(testAccount, "eu-west-1", 2000, 10)
	cfg, err := awsconf.Load(context.Background(), awsconf.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.RetryMaxAttempts = 1
	c := ec2.NewFromConfig(cfg)
	for i := range 30 {
		if _, err := c.DescribeSecurityGroupRules(context.Background(), &ec2.DescribeSecurityGroupRulesInput{MaxResults: aws.Int32(1000)}); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
}
