package awstest

// helpers.go: what tests that reach these servers through the SDK share.

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// Isolate points the SDK of the test's process at endpoint for every
// service, with static credentials accessKeyID/secret (and session token
// when not empty) in region, and nothing else: no config or credentials
// files, no profile, and an instance-metadata endpoint that refuses at
// once. Pass an empty accessKeyID for a machine without credentials.
func Isolate(t testing.TB, endpoint, region, accessKeyID, secret, token string) {
	t.Helper()
	dir := t.TempDir()
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no role here", http.StatusNotFound)
	}))
	t.Cleanup(imds.Close)
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE":                        filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE":            filepath.Join(dir, "credentials"),
		"AWS_ACCESS_KEY_ID":                      accessKeyID,
		"AWS_SECRET_ACCESS_KEY":                  secret,
		"AWS_SESSION_TOKEN":                      token,
		"AWS_PROFILE":                            "",
		"AWS_DEFAULT_PROFILE":                    "",
		"AWS_WEB_IDENTITY_TOKEN_FILE":            "",
		"AWS_ROLE_ARN":                           "",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI":     "",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
		"AWS_EC2_METADATA_SERVICE_ENDPOINT":      imds.URL,
		"AWS_REGION":                             region,
		"AWS_DEFAULT_REGION":                     "",
		"AWS_ENDPOINT_URL":                       endpoint,
	} {
		t.Setenv(k, v)
	}
}

// Retryer is the SDK's standard retryer making at most maxAttempts
// attempts with no wait between them: a test keeps the SDK's own
// decisions of what to retry (codes, statuses, lost connections) without
// its back-off delays.
func Retryer(maxAttempts int) aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = maxAttempts
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
	})
}

// NoSecretsUnder fails the test for each file under dir that holds one
// of secrets (empty ones are skipped): walls never writes a credential.
func NoSecretsUnder(t testing.TB, dir string, secrets ...string) {
	t.Helper()
	filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, _ := os.ReadFile(path)
		for _, s := range secrets {
			if s != "" && strings.Contains(string(b), s) {
				t.Errorf("%s holds a credential", path)
			}
		}
		return nil
	})
}
