package cli

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/pflag"

	"github.com/walls-dev/walls/internal/awsconf"
)

// awsFlags are the flags of every command that can reach AWS: --aws (read
// the account live) and how to reach it. Remote flow sources (s3://,
// cloudwatch://, athena://) use the same profile, region and role without
// --aws.
type awsFlags struct {
	Live        bool
	Profile     string
	Regions     []string
	RoleARNs    []string
	SessionName string
}

// addFlags registers the AWS flags on fs.
func (f *awsFlags) addFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&f.Live, "aws", false, "read the inventory live from AWS (with INPUT files too, both are loaded)")
	fs.StringVar(&f.Profile, "profile", "", "AWS shared-config profile (default: AWS_PROFILE, else the default profile)")
	fs.StringSliceVar(&f.Regions, "region", nil, "AWS regions, comma-separated, or all (default: the profile's or AWS_REGION)")
	fs.StringSliceVar(&f.RoleARNs, "role-arn", nil, "IAM roles to assume, one account each, comma-separated (default: the loaded credentials' own account)")
	fs.StringVar(&f.SessionName, "role-session-name", awsconf.DefaultSessionName, "session name of assumed roles")
}

// config loads the SDK configuration for one region ("" for the
// configured one) and role ("" for none), and checks that credentials can
// be had. Every failure is bad usage (exit 2) with a message saying how
// to mend it.
func (f *awsFlags) config(ctx context.Context, region, roleARN string) (aws.Config, error) {
	cfg, err := awsconf.Load(ctx, awsconf.Options{Profile: f.Profile, Region: region, RoleARN: roleARN, RoleSessionName: f.SessionName})
	if err != nil {
		return aws.Config{}, badInput(err)
	}
	if err := awsconf.Verify(ctx, cfg); err != nil {
		var nc *awsconf.NoCredentialsError
		if errors.As(err, &nc) {
			return aws.Config{}, badInput(err)
		}
		return aws.Config{}, err
	}
	return cfg, nil
}

// region is the single region of commands that read one place (remote
// flow sources): the flag's only value, or "" for the configured one.
func (f *awsFlags) region() (string, error) {
	switch len(f.Regions) {
	case 0:
		return "", nil
	case 1:
		if strings.EqualFold(f.Regions[0], "all") {
			return "", badInputf("--region all: this source reads one region; name it")
		}
		return f.Regions[0], nil
	}
	return "", badInputf("--region %s: this source reads one region; name one", strings.Join(f.Regions, ","))
}
