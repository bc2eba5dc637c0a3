package live

import (
	"context"
	"path/filepath"
	"testing"
)

// BenchmarkSnapshotLarge reads 10,000 security groups (with their 50,000
// rules in both shapes) and 100,000 interfaces from the test endpoint in
// pages of 1,000 and writes the snapshot (BENCHMARKS.md).
func BenchmarkSnapshotLarge(b *testing.B) {
	srv, o := setupB(b, "eu-west-1")
	srv.Place(testAccount, "eu-west-1").Fill(testAccount, "eu-west-1", 10000, 100000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dir := filepath.Join(b.TempDir(), "snap")
		res, err := Snapshot(context.Background(), dir, o)
		if err != nil {
			b.Fatal(err)
		}
		if n := res.Places[0].Manifest.Calls["ec2:DescribeNetworkInterfaces"]; n != 100 {
			b.Fatalf("%d interface pages, want 100", n)
		}
	}
}
