package awsconf

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// isolate points the SDK at empty config files, no credentials in the
// environment, and an instance-metadata endpoint that refuses at once.
func isolate(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no role here", http.StatusNotFound)
	}))
	t.Cleanup(imds.Close)
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE":                        filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE":            filepath.Join(dir, "credentials"),
		"AWS_ACCESS_KEY_ID":                      "",
		"AWS_SECRET_ACCESS_KEY":                  "",
		"AWS_SESSION_TOKEN":                      "",
		"AWS_PROFILE":                            "",
		"AWS_DEFAULT_PROFILE":                    "",
		"AWS_WEB_IDENTITY_TOKEN_FILE":            "",
		"AWS_ROLE_ARN":                           "",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI":     "",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
		"AWS_EC2_METADATA_SERVICE_ENDPOINT":      imds.URL,
		"AWS_REGION":                             "eu-west-1",
	} {
		t.Setenv(k, v)
	}
}

func TestVerifyWithoutCredentials(t *testing.T) {
	isolate(t)
	cfg, err := Load(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = Verify(context.Background(), cfg)
	var nc *NoCredentialsError
	if !errors.As(err, &nc) {
		t.Fatalf("Verify = %v, want NoCredentialsError", err)
	}
	if !strings.Contains(err.Error(), "--profile") || !strings.Contains(err.Error(), "AWS_ACCESS_KEY_ID") {
		t.Errorf("message does not say how to provide credentials: %v", err)
	}
}

func TestVerifyStaticCredentials(t *testing.T) {
	isolate(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret-never-printed")
	cfg, err := Load(context.Background(), Options{Region: "us-east-2"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "us-east-2" {
		t.Errorf("region %q, want the flag's us-east-2", cfg.Region)
	}
	if err := Verify(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
}

func TestUnknownProfile(t *testing.T) {
	isolate(t)
	_, err := Load(context.Background(), Options{Profile: "nosuch"})
	var ce *ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "nosuch") {
		t.Fatalf("Load = %v, want a ConfigError naming the profile", err)
	}
}
