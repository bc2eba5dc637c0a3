package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/pflag"

	"github.com/walls-dev/walls/internal/awsconf"
	"github.com/walls-dev/walls/internal/live"
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

// usedWithout refuses the AWS flags where nothing reads AWS: without
// --aws, and without a remote flow source (s3://, cloudwatch://,
// athena://) among flows, --profile, --region, --role-arn and
// --role-session-name would be silently ignored.
func (f *awsFlags) usedWithout(flows []string) error {
	if f.Live {
		return nil
	}
	for _, src := range flows {
		for _, scheme := range []string{"s3://", "cloudwatch://", "athena://"} {
			if strings.HasPrefix(strings.ToLower(src), scheme) {
				return nil
			}
		}
	}
	var set []string
	if f.Profile != "" {
		set = append(set, "--profile")
	}
	if len(f.Regions) > 0 {
		set = append(set, "--region")
	}
	if len(f.RoleARNs) > 0 {
		set = append(set, "--role-arn")
	}
	if f.SessionName != awsconf.DefaultSessionName && f.SessionName != "" {
		set = append(set, "--role-session-name")
	}
	if len(set) == 0 {
		return nil
	}
	return badInputf("%s say how to reach AWS, but nothing here reads AWS: add --aws to read the inventory live (or give a remote flow source: s3://, cloudwatch://, athena://)", strings.Join(set, ", "))
}

// liveOptions are the live package's options for these flags: each role
// is loaded with the first named region (or the configured one) and its
// credentials checked before any call.
func (f *awsFlags) liveOptions() live.Options {
	base := ""
	all := len(f.Regions) == 1 && strings.EqualFold(f.Regions[0], "all")
	if len(f.Regions) > 0 && !all {
		base = f.Regions[0]
	}
	return live.Options{
		Regions:  f.Regions,
		RoleARNs: f.RoleARNs,
		Version:  readBuild().Version,
		Config: func(ctx context.Context, role string) (aws.Config, error) {
			region := base
			if all && role != "" {
				// --region all names no region, but assuming a role calls
				// STS in one: the configured one, else us-east-1.
				if probe, err := awsconf.Load(ctx, awsconf.Options{Profile: f.Profile}); err == nil && probe.Region == "" {
					region = "us-east-1"
				}
			}
			return f.config(ctx, region, role)
		},
	}
}

// snapshot reads the account live into dir (which must not exist or be
// empty), drawing progress when ios shows it. Usage problems (no region,
// two roles of one account, no credentials) are bad input; access refused
// to a kind is not an error: it is in the result's Missing lines.
func (f *awsFlags) snapshot(ios *IOStreams, dir string) (*live.Result, error) {
	o := f.liveOptions()
	if ios.showProgress() {
		bar := newCountProgress(ios.ErrOut, "reading AWS")
		defer bar.Clear()
		var mu sync.Mutex
		o.Progress = func(p live.Progress) {
			mu.Lock()
			defer mu.Unlock()
			if p.Places > 0 {
				bar.ChangeMax(p.Places)
			}
			bar.Describe(fmt.Sprintf("walls: reading AWS: %d/%d account/region places, %d API calls", p.PlacesDone, p.Places, p.Calls))
			bar.Set(p.PlacesDone)
		}
	}
	res, err := live.Snapshot(ios.runContext(), dir, o)
	if err != nil {
		var ue *live.UsageError
		var ee *exitError
		if errors.As(err, &ue) || errors.As(err, &ee) {
			return nil, badInput(err)
		}
		return nil, fmt.Errorf("reading AWS: %w", err)
	}
	return res, nil
}

// newCountProgress is newProgress for counts rather than bytes (places
// read): the same bar, drawn on stderr only when the caller shows
// progress.
func newCountProgress(w io.Writer, what string) *progressbar.ProgressBar {
	return progressbar.NewOptions(-1,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("walls: "+what+":"),
		progressbar.OptionSetWidth(30),
		progressbar.OptionShowCount(),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionClearOnFinish())
}

// liveInputs reads the account live when --aws is given, into a
// temporary snapshot folder appended to paths; done removes it. The
// folder is loaded with the INPUT paths by the one loader, so a live run
// sees what loading a `walls snapshot` folder offline sees.
func (f *awsFlags) liveInputs(ios *IOStreams, paths []string) (_ []string, done func(), err error) {
	if f == nil || !f.Live {
		return paths, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "walls-live-")
	if err != nil {
		return nil, nil, err
	}
	done = func() { os.RemoveAll(tmp) }
	if _, err := f.snapshot(ios, tmp); err != nil {
		done()
		return nil, nil, err
	}
	return append(paths[:len(paths):len(paths)], tmp), done, nil
}

// sourceConfig is the SDK configuration of a remote flow source (s3://,
// cloudwatch://, athena://): one region (or the configured one) and at
// most one role.
func (f *awsFlags) sourceConfig(ctx context.Context) (aws.Config, error) {
	region, err := f.region()
	if err != nil {
		return aws.Config{}, err
	}
	role := ""
	switch len(f.RoleARNs) {
	case 0:
	case 1:
		role = f.RoleARNs[0]
	default:
		return aws.Config{}, badInputf("--role-arn %s: remote flow sources are read with one role; name one", strings.Join(f.RoleARNs, ","))
	}
	return f.config(ctx, region, role)
}
