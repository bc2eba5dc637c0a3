package awsconf

import (
	"context"
	"errors"
	"strings"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"

	"github.com/walls-dev/walls/internal/awstest"
)

func TestVerifyWithoutCredentials(t *testing.T) {
	awstest.Isolate(t, "", "eu-west-1", "", "", "")
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
	awstest.Isolate(t, "", "eu-west-1", "", "", "")
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
	awstest.Isolate(t, "", "eu-west-1", "", "", "")
	_, err := Load(context.Background(), Options{Profile: "nosuch"})
	var ce *ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "nosuch") {
		t.Fatalf("Load = %v, want a ConfigError naming the profile", err)
	}
}

// TestLoadKeepsTheSDKTransport: the plain-body wrapper must wrap the SDK's
// own client (10 idle connections a host), not net/http's default (2), or
// concurrent reads of one endpoint keep reconnecting.
func TestLoadKeepsTheSDKTransport(t *testing.T) {
	awstest.Isolate(t, "http://127.0.0.1:1", "eu-west-1", "AKIDEXAMPLE", "secret", "")
	t.Setenv("AWS_CA_BUNDLE", "")
	cfg, err := Load(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	pb, ok := cfg.HTTPClient.(plainBodyClient)
	if !ok {
		t.Fatalf("HTTPClient is %T, want plainBodyClient", cfg.HTTPClient)
	}
	if _, ok := pb.inner.(*awshttp.BuildableClient); !ok {
		t.Fatalf("wrapped client is %T, want the SDK's *http.BuildableClient", pb.inner)
	}
}
