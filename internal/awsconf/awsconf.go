// Package awsconf loads the AWS SDK configuration every live command uses:
// the SDK's standard chain (environment, shared config and credentials
// files, profiles, SSO, web identity, container and instance roles), the
// endpoint overrides it honours (AWS_ENDPOINT_URL and the per-service
// variables), the adaptive retry mode, and an optional role to assume.
package awsconf

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/logging"
)

// Options are the AWS flags the live commands share.
type Options struct {
	// Profile names a shared-config profile; empty means the SDK's choice
	// (AWS_PROFILE, else "default").
	Profile string
	// Region overrides the configured region; empty means the SDK's choice.
	Region string
	// RoleARN, when set, is assumed with the loaded credentials.
	RoleARN string
	// RoleSessionName names the assumed-role session; empty means "walls".
	RoleSessionName string
	// MaxAttempts bounds attempts per call under the adaptive retry mode;
	// 0 means 10.
	MaxAttempts int
}

// DefaultSessionName is the assumed-role session name when none is given.
const DefaultSessionName = "walls"

// CredentialTimeout bounds how long Verify waits for the credential chain
// (the instance-metadata probe is its slowest link on a machine without
// credentials).
const CredentialTimeout = 12 * time.Second

// Load returns the SDK configuration for o. It does not contact AWS; call
// Verify to learn early whether credentials can be had.
func Load(ctx context.Context, o Options) (aws.Config, error) {
	attempts := o.MaxAttempts
	if attempts <= 0 {
		attempts = 10
	}
	opts := []func(*config.LoadOptions) error{
		config.WithRetryMode(aws.RetryModeAdaptive),
		config.WithRetryMaxAttempts(attempts),
		// The SDK logs to the process's stderr by default (an IMDSv1
		// fallback, a response without a checksum): walls says what
		// matters itself, in its own words, and keeps stderr for that.
		config.WithLogger(logging.Nop{}),
		config.WithClientLogMode(0),
	}
	if o.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.Profile))
	}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, &ConfigError{Err: err, Profile: o.Profile}
	}
	cfg = withPlainBodies(cfg)
	if o.RoleARN != "" {
		cfg = AssumeRole(cfg, o.RoleARN, o.RoleSessionName)
	}
	return cfg, nil
}

// AssumeRole returns a copy of cfg whose credentials are those of roleARN,
// assumed (and refreshed before they expire) with cfg's credentials.
func AssumeRole(cfg aws.Config, roleARN, sessionName string) aws.Config {
	if sessionName == "" {
		sessionName = DefaultSessionName
	}
	out := cfg.Copy()
	prov := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = sessionName
	})
	out.Credentials = aws.NewCredentialsCache(prov)
	return out
}

// Verify retrieves credentials within CredentialTimeout. A failure is a
// *NoCredentialsError whose message says how to provide them; it never
// holds a secret.
func Verify(ctx context.Context, cfg aws.Config) error {
	if cfg.Credentials == nil {
		return &NoCredentialsError{Err: errors.New("no credential provider configured")}
	}
	ctx, cancel := context.WithTimeout(ctx, CredentialTimeout)
	defer cancel()
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		if ctx.Err() != nil && !errors.Is(err, context.Canceled) {
			err = fmt.Errorf("no credentials within %s: %w", CredentialTimeout, err)
		}
		return &NoCredentialsError{Err: err}
	}
	return nil
}

// NoCredentialsError says that the SDK's chain found no usable credentials.
type NoCredentialsError struct{ Err error }

func (e *NoCredentialsError) Error() string {
	return "no usable AWS credentials (" + firstLine(e.Err.Error()) + "); provide them as the AWS CLI takes them: " +
		"--profile NAME or AWS_PROFILE (after `aws configure` or `aws sso login`), " +
		"AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a web identity token (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN), " +
		"or run where a container or instance role is available"
}

func (e *NoCredentialsError) Unwrap() error { return e.Err }

// ConfigError is a configuration that cannot be loaded (an unknown
// profile, a malformed config file).
type ConfigError struct {
	Err     error
	Profile string
}

func (e *ConfigError) Error() string {
	msg := firstLine(e.Err.Error())
	if e.Profile != "" && strings.Contains(msg, e.Profile) {
		return "AWS configuration: " + msg + "; list the profiles with `aws configure list-profiles`"
	}
	return "AWS configuration: " + msg
}

func (e *ConfigError) Unwrap() error { return e.Err }

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
