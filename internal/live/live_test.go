package live

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/walls-dev/walls/internal/awsconf"
	"github.com/walls-dev/walls/internal/awstest"
	"github.com/walls-dev/walls/internal/inventory"
	"github.com/walls-dev/walls/internal/vpc"
)

const (
	testAccount = "111122223333"
	testKey     = "AKIAWALLSTESTKEY0001"
	testSecret  = "wallsTestSecretNeverPrinted/0123456789"
	testToken   = "wallsTestSessionTokenNeverWritten"
)

// setup starts the test endpoint, isolates the SDK's environment and
// returns options reading through awsconf as the CLI does.
func setup(t *testing.T, region string) (*awstest.EC2, Options) {
	return setupB(t, region)
}

func setupB(t testing.TB, region string) (*awstest.EC2, Options) {
	t.Helper()
	srv := awstest.NewEC2(t)
	srv.AddCredentials(testKey, testAccount)
	awstest.Isolate(t, srv.URL, region, testKey, testSecret, testToken)
	o := Options{Version: "v0.0.0-test", Now: func() time.Time { return time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC) },
		Config: func(ctx context.Context, role string) (aws.Config, error) {
			cfg, err := awsconf.Load(ctx, awsconf.Options{RoleARN: role})
			if err != nil {
				return aws.Config{}, err
			}
			if cfg.RetryMode != aws.RetryModeAdaptive {
				return aws.Config{}, fmt.Errorf("retry mode %q, want adaptive", cfg.RetryMode)
			}
			// The tests check that awsconf configures the adaptive mode,
			// then retry with the standard mode it builds on (the same
			// retryable codes and statuses) without its waits: the
			// adaptive mode's client-side rate limiter sleeps seconds
			// after a throttle, which is the SDK's behaviour to test, not
			// walls'.
			cfg.Retryer = func() aws.Retryer { return awstest.Retryer(10) }
			return cfg, awsconf.Verify(ctx, cfg)
		}}
	return srv, o
}

// sortedKeys returns the keys of m, sorted (nil when m is empty).
func sortedKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// compare checks that inv holds exactly what the model place holds, kind
// by kind.
func compare(t *testing.T, p *awstest.Place, inv *vpc.Inventory) {
	t.Helper()
	ids := func(n int, id func(int) string) []string {
		out := make([]string, n)
		for i := range n {
			out[i] = id(i)
		}
		sort.Strings(out)
		return out
	}
	for _, c := range []struct {
		kind      string
		want, got []string
	}{
		{"security groups", ids(len(p.SecurityGroups), func(i int) string { return *p.SecurityGroups[i].GroupId }), sortedKeys(inv.Groups)},
		{"interfaces", ids(len(p.NetworkInterfaces), func(i int) string { return *p.NetworkInterfaces[i].NetworkInterfaceId }), sortedKeys(inv.Interfaces)},
		{"NACLs", ids(len(p.NetworkAcls), func(i int) string { return *p.NetworkAcls[i].NetworkAclId }), sortedKeys(inv.NACLs)},
		{"subnets", ids(len(p.Subnets), func(i int) string { return *p.Subnets[i].SubnetId }), sortedKeys(inv.Subnets)},
		{"VPCs", ids(len(p.Vpcs), func(i int) string { return *p.Vpcs[i].VpcId }), sortedKeys(inv.VPCs)},
		{"prefix lists", ids(len(p.PrefixLists), func(i int) string { return *p.PrefixLists[i].PrefixListId }), sortedKeys(inv.PrefixLists)},
	} {
		if !slices.Equal(c.want, c.got) {
			t.Errorf("%s: loaded %d %v…, model has %d %v…", c.kind, len(c.got), c.got[:min(3, len(c.got))], len(c.want), c.want[:min(3, len(c.want))])
		}
	}
	// Every modern rule, with its direction, protocol, ports and peer.
	want := map[string]string{}
	for _, r := range p.SecurityGroupRules {
		peer := aws.ToString(r.CidrIpv4) + aws.ToString(r.CidrIpv6) + aws.ToString(r.PrefixListId)
		if r.ReferencedGroupInfo != nil {
			peer = aws.ToString(r.ReferencedGroupInfo.GroupId)
		}
		want[*r.SecurityGroupRuleId] = fmt.Sprintf("%s egress=%v %s %d-%d %s", *r.GroupId, *r.IsEgress, *r.IpProtocol, *r.FromPort, *r.ToPort, peer)
	}
	got := map[string]string{}
	for _, g := range inv.Groups {
		for _, rs := range [][]vpc.Rule{g.Ingress, g.Egress} {
			for _, r := range rs {
				peer := r.Peer.PrefixListID + r.Peer.Group.GroupID
				if r.Peer.Kind == vpc.PeerCIDR {
					peer = r.Peer.Prefix.String()
				}
				got[r.ID] = fmt.Sprintf("%s egress=%v %s %d-%d %s", r.GroupID, r.Egress, r.Protocol, r.FromPort, r.ToPort, peer)
			}
		}
	}
	if len(got) != len(want) {
		t.Errorf("rules: loaded %d, model has %d", len(got), len(want))
	}
	for id, w := range want {
		if g := got[id]; g != w && !strings.Contains(w, " -1 ") {
			t.Errorf("rule %s: loaded %q, model %q", id, g, w)
		}
	}
	for _, e := range p.NetworkInterfaces {
		x := inv.Interfaces[*e.NetworkInterfaceId]
		if x == nil {
			continue
		}
		var gs []string
		for _, g := range e.Groups {
			gs = append(gs, *g.GroupId)
		}
		if !slices.Equal(x.GroupIDs, gs) || len(x.PrivateIPs) != 1 || x.PrivateIPs[0].String() != *e.PrivateIpAddress {
			t.Errorf("interface %s: loaded groups %v ips %v, model %v %s", x.ID, x.GroupIDs, x.PrivateIPs, gs, *e.PrivateIpAddress)
		}
	}
	for _, n := range p.NetworkAcls {
		x := inv.NACLs[*n.NetworkAclId]
		if x != nil && len(x.Inbound)+len(x.Outbound) != len(n.Entries) {
			t.Errorf("NACL %s: loaded %d entries, model %d", x.ID, len(x.Inbound)+len(x.Outbound), len(n.Entries))
		}
	}
	for id, es := range p.Entries {
		x := inv.PrefixLists[id]
		if x == nil || !x.EntriesKnown || len(x.Entries) != len(es) {
			t.Errorf("prefix list %s: loaded %+v, model has %d entries", id, x, len(es))
			continue
		}
		for i, e := range es {
			if x.Entries[i].String() != *e.Cidr {
				t.Errorf("prefix list %s entry %d: %s, model %s", id, i, x.Entries[i], *e.Cidr)
			}
		}
	}
}

func TestSnapshotEqualsModel(t *testing.T) {
	srv, o := setup(t, "eu-west-1")
	p := srv.Place(testAccount, "eu-west-1")
	p.Fill(testAccount, "eu-west-1", 40, 60)
	srv.PageCap(7) // many pages of every kind
	dir := filepath.Join(t.TempDir(), "snap")
	res, err := Snapshot(context.Background(), dir, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Places) != 1 || res.Places[0].Account != testAccount || res.Places[0].Region != "eu-west-1" {
		t.Fatalf("places %+v", res.Places)
	}
	if m := res.Missing(); len(m) != 0 {
		t.Errorf("missing %v", m)
	}
	inv, err := inventory.Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range vpc.AllKinds {
		if !inv.Loaded[k] {
			t.Errorf("%s not loaded", k)
		}
	}
	compare(t, p, inv)
	// Pages: 40 groups in pages of 7 is 6 calls, 60 interfaces 9.
	calls := srv.Calls()
	if calls["ec2:DescribeSecurityGroups"] != 6 || calls["ec2:DescribeNetworkInterfaces"] != 9 {
		t.Errorf("calls %v, want 6 DescribeSecurityGroups and 9 DescribeNetworkInterfaces pages", calls)
	}
	m := res.Places[0].Manifest
	if res.Calls["ec2:DescribeSecurityGroups"] != 6 || res.Calls["sts:GetCallerIdentity"] != 1 {
		t.Errorf("run calls %v, want each call counted once", res.Calls)
	}
	if m.Calls["ec2:DescribeSecurityGroups"] != 6 || m.Version != "v0.0.0-test" {
		t.Errorf("manifest %+v", m)
	}
	data, err := os.ReadFile(filepath.Join(dir, testAccount, "eu-west-1", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	back, _, err := inventory.ParseManifest("manifest.json", data)
	if err != nil || back.Calls["ec2:DescribeNetworkInterfaces"] != 9 || back.Account != testAccount {
		t.Errorf("manifest on disk %s: %v", data, err)
	}
	for _, f := range []string{FileSecurityGroups, FileSecurityGroupRules, FileNetworkInterfaces, FileNetworkACLs, FileSubnets, FileVPCs, FilePrefixLists} {
		if _, err := os.Stat(filepath.Join(dir, testAccount, "eu-west-1", f)); err != nil {
			t.Error(err)
		}
	}
	awstest.NoSecretsUnder(t, dir, testKey, testSecret, testToken)
}

func TestSnapshotWritesCLIShape(t *testing.T) {
	srv, o := setup(t, "eu-west-1")
	p := srv.Place(testAccount, "eu-west-1")
	p.SecurityGroups = []types.SecurityGroup{{GroupId: aws.String("sg-0a"), GroupName: aws.String("web"), Description: aws.String("d"),
		OwnerId: aws.String(testAccount), VpcId: aws.String("vpc-1"), IpPermissions: []types.IpPermission{},
		IpPermissionsEgress: []types.IpPermission{{IpProtocol: aws.String("-1"), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}}}
	dir := filepath.Join(t.TempDir(), "snap")
	if _, err := Snapshot(context.Background(), dir, o); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, testAccount, "eu-west-1", FileSecurityGroups))
	if err != nil {
		t.Fatal(err)
	}
	want := `{
    "SecurityGroups": [
        {
            "Description": "d",
            "GroupId": "sg-0a",
            "GroupName": "web",
            "IpPermissions": [],
            "IpPermissionsEgress": [
                {
                    "IpProtocol": "-1",
                    "IpRanges": [
                        {
                            "CidrIp": "0.0.0.0/0"
                        }
                    ]
                }
            ],
            "OwnerId": "111122223333",
            "VpcId": "vpc-1"
        }
    ]
}
`
	if string(b) != want {
		t.Errorf("security-groups.json:\n%s\nwant\n%s", b, want)
	}
	b, _ = os.ReadFile(filepath.Join(dir, testAccount, "eu-west-1", FileNetworkACLs))
	if string(b) != "{\n    \"NetworkAcls\": []\n}\n" {
		t.Errorf("an empty kind is written as an empty list, got %s", b)
	}
}

func TestSnapshotRetriesThrottlingAnd5xx(t *testing.T) {
	srv, o := setup(t, "eu-west-1")
	srv.Place(testAccount, "eu-west-1").Fill(testAccount, "eu-west-1", 10, 10)
	srv.Fail("DescribeSecurityGroups", 503, 3)
	srv.Fail("GetCallerIdentity", 503, 1)
	srv.Fail("DescribeNetworkInterfaces", 500, 2)
	dir := filepath.Join(t.TempDir(), "snap")
	if _, err := Snapshot(context.Background(), dir, o); err != nil {
		t.Fatal(err)
	}
	calls := srv.Calls()
	if calls["ec2:DescribeSecurityGroups"] != 4 || calls["ec2:DescribeNetworkInterfaces"] != 3 {
		t.Errorf("calls %v: want 3 throttled + 1 and 2 failed + 1", calls)
	}
	inv, err := inventory.Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	compare(t, srv.Place(testAccount, "eu-west-1"), inv)
}

func TestSnapshotDeniedKindIsMissing(t *testing.T) {
	srv, o := setup(t, "eu-west-1")
	p := srv.Place(testAccount, "eu-west-1")
	p.Fill(testAccount, "eu-west-1", 10, 10)
	srv.Deny(testAccount, "eu-west-1", "DescribeNetworkAcls")
	dir := filepath.Join(t.TempDir(), "snap")
	res, err := Snapshot(context.Background(), dir, o)
	if err != nil {
		t.Fatal(err)
	}
	want := "ec2:DescribeNetworkAcls denied in 111122223333/eu-west-1: NACL hops not evaluated"
	if m := res.Missing(); len(m) != 1 || m[0] != want {
		t.Fatalf("missing %q, want %q", m, want)
	}
	if _, err := os.Stat(filepath.Join(dir, testAccount, "eu-west-1", FileNetworkACLs)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a denied kind must not be written: %v", err)
	}
	inv, err := inventory.Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if inv.Loaded[vpc.KindNetworkACLs] {
		t.Error("NACLs marked loaded")
	}
	for _, k := range []vpc.Kind{vpc.KindSecurityGroups, vpc.KindNetworkInterfaces, vpc.KindSubnets, vpc.KindVPCs, vpc.KindPrefixLists} {
		if !inv.Loaded[k] {
			t.Errorf("%s not loaded", k)
		}
	}
	found := false
	for _, w := range inv.Warnings {
		found = found || w.Message == want
	}
	if !found {
		t.Errorf("loading the snapshot offline does not say %q: %+v", want, inv.Warnings)
	}
}

func TestSnapshotDeniedEntries(t *testing.T) {
	srv, o := setup(t, "eu-west-1")
	srv.Place(testAccount, "eu-west-1").Fill(testAccount, "eu-west-1", 5, 5)
	srv.Deny(testAccount, "", "GetManagedPrefixListEntries")
	dir := filepath.Join(t.TempDir(), "snap")
	res, err := Snapshot(context.Background(), dir, o)
	if err != nil {
		t.Fatal(err)
	}
	if m := res.Missing(); len(m) != 1 || !strings.HasPrefix(m[0], "ec2:GetManagedPrefixListEntries denied in 111122223333/eu-west-1") {
		t.Fatalf("missing %q", m)
	}
	inv, err := inventory.Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	for id, pl := range inv.PrefixLists {
		if pl.EntriesKnown {
			t.Errorf("%s: entries known though their reading was denied", id)
		}
	}
}

func TestSnapshotAssumedRolesAndAllRegions(t *testing.T) {
	srv, o := setup(t, "eu-west-1")
	srv.SetRegions("eu-west-1", "us-east-1", "ap-south-1")
	roles := []string{"arn:aws:iam::222233334444:role/walls", "arn:aws:iam::555566667777:role/walls"}
	for _, r := range roles {
		srv.AddRole(r)
	}
	for i, acct := range []string{"222233334444", "555566667777"} {
		for j, region := range []string{"eu-west-1", "us-east-1", "ap-south-1"} {
			srv.Place(acct, region).Fill(acct, region, 3+i+j, 4)
		}
	}
	o.RoleARNs, o.Regions = roles, []string{"all"}
	o.Concurrency = 2
	var last Progress
	o.Progress = func(p Progress) { last = p }
	dir := filepath.Join(t.TempDir(), "snap")
	res, err := Snapshot(context.Background(), dir, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Places) != 6 {
		t.Fatalf("%d places, want 2 accounts × 3 regions", len(res.Places))
	}
	for _, pl := range res.Places {
		sub, err := inventory.Load([]string{pl.Dir})
		if err != nil {
			t.Fatal(err)
		}
		compare(t, srv.Place(pl.Account, pl.Region), sub)
	}
	if last.Places != 6 || last.PlacesDone != 6 || last.Calls == 0 {
		t.Errorf("last progress %+v", last)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("%d account folders, want 2", len(entries))
	}
	inv, err := inventory.Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, pl := range res.Places {
		n += len(srv.Place(pl.Account, pl.Region).SecurityGroups)
	}
	if len(inv.Groups) != n {
		t.Errorf("the whole snapshot loads %d groups, want %d", len(inv.Groups), n)
	}
	secrets := []string{testKey, testSecret, testToken}
	secrets = append(secrets, srv.AssumedKeys()...)
	awstest.NoSecretsUnder(t, dir, secrets...)
	if got := srv.Actions(); !slices.Equal(got, PolicyActions()) {
		t.Errorf("the server saw %v; the policy lists %v", got, PolicyActions())
	}
}

func TestSnapshotRefusesUsedFolder(t *testing.T) {
	_, o := setup(t, "eu-west-1")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "old.json"), []byte("{}"), 0o644)
	_, err := Snapshot(context.Background(), dir, o)
	var ue *UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("err %v", err)
	}
}

func TestSnapshotNoRegion(t *testing.T) {
	_, o := setup(t, "")
	_, err := Snapshot(context.Background(), filepath.Join(t.TempDir(), "s"), o)
	var ue *UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "--region") {
		t.Fatalf("err %v", err)
	}
}

func TestSnapshotFailureLeavesNothing(t *testing.T) {
	srv, o := setup(t, "eu-west-1")
	srv.Place(testAccount, "eu-west-1").Fill(testAccount, "eu-west-1", 10, 10)
	srv.Fail("DescribeSubnets", 500, 50) // more than the retries
	dir := filepath.Join(t.TempDir(), "snap")
	if _, err := Snapshot(context.Background(), dir, o); err == nil || !strings.Contains(err.Error(), "DescribeSubnets") {
		t.Fatalf("err %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("a failed snapshot left %d entries in %s", len(entries), dir)
	}
}
