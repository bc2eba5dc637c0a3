package apply

import (
	"context"
	"net/http"
	"net/netip"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/walls-dev/walls/internal/awstest"
	"github.com/walls-dev/walls/internal/vpc"
)

const (
	acct   = "111122223333"
	region = "eu-west-1"
	key    = "AKIAWALLSAPPLYTEST01"
)

// recorder is an *ec2.Client that notes each call's action and group, in
// the order they were sent.
type recorder struct {
	*ec2.Client
	mu    sync.Mutex
	calls []string
}

func (r *recorder) note(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, s)
}

func (r *recorder) AuthorizeSecurityGroupEgress(ctx context.Context, in *ec2.AuthorizeSecurityGroupEgressInput, o ...func(*ec2.Options)) (*ec2.AuthorizeSecurityGroupEgressOutput, error) {
	r.note("authorize " + aws.ToString(in.GroupId))
	return r.Client.AuthorizeSecurityGroupEgress(ctx, in, o...)
}

func (r *recorder) RevokeSecurityGroupEgress(ctx context.Context, in *ec2.RevokeSecurityGroupEgressInput, o ...func(*ec2.Options)) (*ec2.RevokeSecurityGroupEgressOutput, error) {
	r.note("revoke " + aws.ToString(in.GroupId))
	return r.Client.RevokeSecurityGroupEgress(ctx, in, o...)
}

// world is a test endpoint with three generated groups, and a client
// reaching it through the SDK (the standard retryer without waits).
func world(t *testing.T) (*awstest.EC2, *recorder, []string) {
	t.Helper()
	srv := awstest.NewEC2(t)
	srv.AddCredentials(key, acct)
	srv.Place(acct, region).Fill(acct, region, 3, 0)
	c := ec2.New(ec2.Options{Region: region, BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider(key, "secret", ""),
		Retryer:     awstest.Retryer(5)})
	var groups []string
	for _, g := range srv.Place(acct, region).SecurityGroups {
		groups = append(groups, aws.ToString(g.GroupId))
	}
	return srv, &recorder{Client: c}, groups
}

func cidrRule(group string, proto vpc.Protocol, from, to int32, cidr, desc string) vpc.Rule {
	return vpc.Rule{GroupID: group, Egress: true, Protocol: proto, FromPort: from, ToPort: to, Description: desc,
		Peer: vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netip.MustParsePrefix(cidr)}}
}

// liveRules reads a group's egress from the server in walls' model.
func liveRules(t *testing.T, srv *awstest.EC2, group string) []vpc.Rule {
	t.Helper()
	var out []vpc.Rule
	for _, r := range srv.EgressRules(acct, region, group) {
		b := BackupRule{SecurityGroupRuleID: aws.ToString(r.SecurityGroupRuleId), IPProtocol: aws.ToString(r.IpProtocol),
			FromPort: aws.ToInt32(r.FromPort), ToPort: aws.ToInt32(r.ToPort), CidrIPv4: aws.ToString(r.CidrIpv4),
			CidrIPv6: aws.ToString(r.CidrIpv6), PrefixListID: aws.ToString(r.PrefixListId), Description: aws.ToString(r.Description)}
		if g := r.ReferencedGroupInfo; g != nil {
			b.ReferencedGroupInfo = &BackupGroupRef{GroupID: aws.ToString(g.GroupId), UserID: aws.ToString(g.UserId)}
		}
		vr, err := b.rule(group)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, vr)
	}
	return out
}

// tighten is, for every group, the change from its rules to: the two
// proposed rules (tcp 443 to the world, udp 53 to 10.0.0.2/32) and its
// prefix-list rule kept.
func tighten(t *testing.T, srv *awstest.EC2, groups []string) ([]Change, map[string][]string) {
	t.Helper()
	var out []Change
	want := map[string][]string{}
	for _, g := range groups {
		now := liveRules(t, srv, g)
		target := []vpc.Rule{cidrRule(g, vpc.ProtoTCP, 443, 443, "0.0.0.0/0", "https"), cidrRule(g, vpc.ProtoUDP, 53, 53, "10.0.0.2/32", "")}
		for _, r := range now {
			if r.Peer.Kind == vpc.PeerPrefixList {
				target = append(target, r)
			}
		}
		out = append(out, Restore(g, "", now, target))
		want[g] = []string{`tcp 22-22 ` + now[1].Peer.PrefixListID + ` ""`, `tcp 443-443 0.0.0.0/0 "https"`, `udp 53-53 10.0.0.2/32 ""`}
		sort.Strings(want[g])
	}
	return out, want
}

func snapshot(srv *awstest.EC2, groups []string) map[string][]string {
	out := map[string][]string{}
	for _, g := range groups {
		out[g] = srv.EgressTexts(acct, region, g)
	}
	return out
}

func TestRunAuthorizesBeforeRevoking(t *testing.T) {
	srv, c, groups := world(t)
	changes, want := tighten(t, srv, groups)
	rep := Run(context.Background(), c, changes, Options{Concurrency: 2})
	if rep.Err != nil {
		t.Fatal(rep.Err)
	}
	if got := snapshot(srv, groups); !reflect.DeepEqual(got, want) {
		t.Fatalf("rules %v, want %v", got, want)
	}
	// Per group, every authorize comes before the first revoke.
	revoked := map[string]bool{}
	for _, call := range c.calls {
		action, g, _ := strings.Cut(call, " ")
		if action == "revoke" {
			revoked[g] = true
		} else if revoked[g] {
			t.Errorf("%s authorized after revoking: %v", g, c.calls)
		}
	}
	for _, s := range rep.Steps {
		if s.Outcome != Done || !strings.HasPrefix(s.RuleID, "sgr-") {
			t.Errorf("step %+v: want done with a rule id", s)
		}
	}
	// Again: everything is already as wanted, nothing fails.
	rep = Run(context.Background(), c, changes, Options{})
	if rep.Err != nil {
		t.Fatal(rep.Err)
	}
	for _, s := range rep.Steps {
		if s.Outcome != AlreadyThere && s.Outcome != AlreadyGone {
			t.Errorf("second run: %+v", s)
		}
	}
	if got := snapshot(srv, groups); !reflect.DeepEqual(got, want) {
		t.Fatalf("after the second run: %v", got)
	}
}

// A failure at any call undoes what the run did: the rules are as
// before, whichever call it was.
func TestRunFailureAtEveryPositionRollsBack(t *testing.T) {
	srv, c, groups := world(t)
	changes, _ := tighten(t, srv, groups)
	total := len(Run(context.Background(), c, changes, Options{}).Steps)
	if total < 9 {
		t.Fatalf("%d calls", total)
	}
	for n := 1; n <= total; n++ {
		srv, c, groups := world(t)
		before := snapshot(srv, groups)
		changes, _ := tighten(t, srv, groups)
		srv.FailNth(n, http.StatusForbidden, "UnauthorizedOperation", "You are not authorized to perform this operation.",
			"AuthorizeSecurityGroupEgress", "RevokeSecurityGroupEgress")
		rep := Run(context.Background(), c, changes, Options{Concurrency: 3})
		if rep.Err == nil || !strings.Contains(rep.Err.Error(), "UnauthorizedOperation") {
			t.Fatalf("call %d: err %v", n, rep.Err)
		}
		if rep.RollbackErr != nil || len(rep.Left) > 0 {
			t.Fatalf("call %d: rollback %v, left %v", n, rep.RollbackErr, rep.Left)
		}
		if got := snapshot(srv, groups); !reflect.DeepEqual(got, before) {
			t.Fatalf("call %d failed: rules %v, want %v", n, got, before)
		}
	}
}

// When undoing fails too, Left says exactly what stays changed.
func TestRollbackFailureLeavesWhatItSays(t *testing.T) {
	srv, c, groups := world(t)
	g := groups[0]
	before := srv.EgressTexts(acct, region, g)
	now := liveRules(t, srv, g)
	ch := Change{GroupID: g, Add: []vpc.Rule{cidrRule(g, vpc.ProtoTCP, 443, 443, "0.0.0.0/0", "")}, Remove: now[:1]}
	// Call 1 authorizes, call 2 (the revoke) fails, call 3 (undoing
	// the authorize) fails.
	srv.FailNth(2, http.StatusForbidden, "UnauthorizedOperation", "no", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupEgress")
	srv.FailNth(3, http.StatusBadRequest, "InvalidParameterValue", "no", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupEgress")
	rep := Run(context.Background(), c, []Change{ch}, Options{})
	if rep.Err == nil || rep.RollbackErr == nil || len(rep.Left) != 1 || rep.Left[0].Action != Authorize || rep.Left[0].RuleText != "tcp 443 to 0.0.0.0/0" {
		t.Fatalf("err %v, rollback %v, left %+v", rep.Err, rep.RollbackErr, rep.Left)
	}
	want := append(append([]string(nil), before...), `tcp 443-443 0.0.0.0/0 ""`)
	sort.Strings(want)
	if got := srv.EgressTexts(acct, region, g); !reflect.DeepEqual(got, want) {
		t.Fatalf("rules %v, want %v (before and the rule left)", got, want)
	}
}

// Throttling is retried by the SDK and the change completes.
func TestRunRetriesThrottling(t *testing.T) {
	srv, c, groups := world(t)
	changes, want := tighten(t, srv, groups)
	srv.Fail("AuthorizeSecurityGroupEgress", http.StatusServiceUnavailable, 2)
	srv.Fail("RevokeSecurityGroupEgress", http.StatusServiceUnavailable, 2)
	if rep := Run(context.Background(), c, changes, Options{}); rep.Err != nil {
		t.Fatal(rep.Err)
	}
	if got := snapshot(srv, groups); !reflect.DeepEqual(got, want) {
		t.Fatalf("rules %v, want %v", got, want)
	}
	if calls := srv.Calls(); calls["ec2:AuthorizeSecurityGroupEgress"] != 6+2 {
		t.Errorf("calls %v: want the two throttled ones retried", calls)
	}
}

// A dry run changes nothing and says which calls EC2 would deny.
func TestDryRun(t *testing.T) {
	srv, c, groups := world(t)
	before := snapshot(srv, groups)
	changes, _ := tighten(t, srv, groups)
	rep := Run(context.Background(), c, changes, Options{DryRun: true})
	if rep.Err != nil {
		t.Fatal(rep.Err)
	}
	for _, s := range rep.Steps {
		if s.Outcome != WouldSucceed {
			t.Errorf("%+v", s)
		}
	}
	srv.Deny(acct, "", "RevokeSecurityGroupEgress")
	rep = Run(context.Background(), c, changes, Options{DryRun: true})
	denied := 0
	for _, s := range rep.Steps {
		if s.Outcome == WouldBeDenied {
			denied++
		} else if s.Action == Revoke || s.Outcome != WouldSucceed {
			t.Errorf("%+v", s)
		}
	}
	revokes := 0
	for _, ch := range changes {
		revokes += len(ch.Remove)
	}
	if rep.Err != nil || denied != revokes || revokes == 0 {
		t.Errorf("err %v, %d denied", rep.Err, denied)
	}
	if got := snapshot(srv, groups); !reflect.DeepEqual(got, before) {
		t.Fatalf("a dry run changed %v", got)
	}
}

// Cancelling stops between calls and undoes the run.
func TestRunInterruptedRollsBack(t *testing.T) {
	srv, c, groups := world(t)
	before := snapshot(srv, groups)
	changes, _ := tighten(t, srv, groups)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep := Run(ctx, c, changes, Options{})
	if rep.Err == nil || !strings.Contains(rep.Err.Error(), "interrupted") {
		t.Fatalf("err %v", rep.Err)
	}
	if got := snapshot(srv, groups); !reflect.DeepEqual(got, before) {
		t.Fatalf("rules %v", got)
	}
}

// countOutcome counts the steps that ended in o.
func countOutcome(steps []Step, o string) int {
	n := 0
	for _, s := range steps {
		if s.Outcome == o {
			n++
		}
	}
	return n
}

// A call carried out whose answer is lost: retried, the authorize answers
// InvalidPermission.Duplicate and the run goes on; not retried, its
// outcome is uncertain and undoing it goes by what the rule allows.
func TestRunLostAnswer(t *testing.T) {
	srv, c, groups := world(t)
	changes, want := tighten(t, srv, groups)
	srv.DropNth(1, "AuthorizeSecurityGroupEgress")
	rep := Run(context.Background(), c, changes, Options{})
	if rep.Err != nil {
		t.Fatal(rep.Err)
	}
	if countOutcome(rep.Steps, AlreadyThere) != 1 {
		t.Errorf("steps %+v: want the retried authorize already there", rep.Steps)
	}
	if got := snapshot(srv, groups); !reflect.DeepEqual(got, want) {
		t.Fatalf("rules %v, want %v", got, want)
	}

	srv, c, groups = world(t)
	before := snapshot(srv, groups)
	changes, _ = tighten(t, srv, groups)
	c.Client = ec2.New(c.Client.Options(), func(o *ec2.Options) { o.Retryer = aws.NopRetryer{} })
	srv.DropNth(2, "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupEgress")
	rep = Run(context.Background(), c, changes, Options{Concurrency: 1})
	if rep.Err == nil || rep.RollbackErr != nil {
		t.Fatalf("err %v, rollback %v", rep.Err, rep.RollbackErr)
	}
	if countOutcome(rep.Steps, Uncertain) != 1 {
		t.Errorf("steps %+v", rep.Steps)
	}
	if got := snapshot(srv, groups); !reflect.DeepEqual(got, before) {
		t.Fatalf("rules %v, want %v", got, before)
	}
}
