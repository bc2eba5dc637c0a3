package flowsrc

import (
	"strings"
	"testing"
	"time"
)

// FuzzParseS3URL: no panic; an accepted URL names a bucket, and the
// folder it denotes parses back to itself.
func FuzzParseS3URL(f *testing.F) {
	for _, s := range []string{"s3://bucket", "s3://bucket/logs", "s3://b/AWSLogs/", "s3://", "s3:///x", "s3://a b/c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		b, p, err := ParseS3URL(v)
		if err != nil {
			return
		}
		if b == "" || p != "" && !strings.HasSuffix(p, "/") {
			t.Fatalf("%q: bucket %q prefix %q", v, b, p)
		}
		b2, p2, err := ParseS3URL("s3://" + b + "/" + p)
		if err != nil || b2 != b || p2 != p {
			t.Fatalf("%q: not stable: %q %q %v", v, b2, p2, err)
		}
	})
}

// FuzzParseCloudWatchURL: no panic; an accepted URL rebuilds to one that
// parses the same.
func FuzzParseCloudWatchURL(f *testing.F) {
	for _, s := range []string{"cloudwatch://flows", "cloudwatch:///aws/vpc/flows/eni-0a", "cloudwatch://", "cloudwatch://a/tgw-1", "cloudwatch://x y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		g, p, err := ParseCloudWatchURL(v)
		if err != nil {
			return
		}
		c := &CloudWatch{Group: g, StreamPrefix: p}
		g2, p2, err := ParseCloudWatchURL(c.Name())
		if err != nil || g2 != g || p2 != p {
			t.Fatalf("%q -> %q: %q %q %v", v, c.Name(), g2, p2, err)
		}
	})
}

// FuzzLayout: the folder and file-name classifiers never panic, and a
// window that holds every time never prunes.
func FuzzLayout(f *testing.F) {
	for _, s := range []string{
		"logs/AWSLogs/111122223333/vpcflowlogs/eu-west-1/2026/11/29/",
		"AWSLogs/aws-account-id=1/aws-service=vpcflowlogs/aws-region=x/year=2026/month=13/day=99/hour=-1/",
		"AWSLogs/o-abcdefghij/111122223333/vpcflowlogs/r/99999/",
		"AWSLogs/111122223333/CloudTrail/",
		"x/111122223333_vpcflowlogs_eu-west-1_fl-1_20261129T1200Z_ab.log.gz",
		"x/1_vpcflowlogs_r_f_99999999T9999Z_h.log",
	} {
		f.Add(s)
	}
	wide := &lister{opts: S3Options{Window: Window{Since: time.Unix(-1<<40, 0), Until: time.Unix(1<<40, 0)}}}
	narrow := &lister{opts: S3Options{Window: Window{Since: time.Unix(1795507200, 0), Until: time.Unix(1795507800, 0)}}}
	f.Fuzz(func(t *testing.T, key string) {
		narrow.keepFolder(key)
		narrow.keepFile(key)
		if keep, why := wide.keepFolder(key); !keep && why == "" {
			t.Fatalf("%q pruned by a window holding every time", key)
		}
		if !wide.keepFile(key) {
			t.Fatalf("%q: file pruned by a window holding every time", key)
		}
	})
}
