package apply

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/walls-dev/walls/internal/plan"
	"github.com/walls-dev/walls/internal/vpc"
)

func sampleRules(g string) []vpc.Rule {
	return []vpc.Rule{
		{ID: "sgr-0001", GroupID: g, Egress: true, Protocol: vpc.ProtoAll, FromPort: -1, ToPort: -1, Peer: vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netip.MustParsePrefix("0.0.0.0/0")}},
		{ID: "sgr-0002", GroupID: g, Egress: true, Protocol: vpc.ProtoTCP, FromPort: 443, ToPort: 443, Description: `web "tls"`, Peer: vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netip.MustParsePrefix("2001:db8::/32")}},
		{ID: "sgr-0003", GroupID: g, Egress: true, Protocol: vpc.ProtoICMP, FromPort: 8, ToPort: -1, Peer: vpc.Peer{Kind: vpc.PeerPrefixList, PrefixListID: "pl-1234"}},
		{GroupID: g, Egress: true, Protocol: vpc.ProtoUDP, FromPort: 53, ToPort: 53, Peer: vpc.Peer{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: "sg-peer", UserID: "111122223333"}}},
	}
}

// A backup written is read back to the same rules, is never overwritten,
// and leaves no temporary file behind.
func TestBackupRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "b.json")
	b := &Backup{Kind: BackupKind, Version: BackupVersion, Created: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Account: "111122223333", Region: "eu-west-1",
		Groups: []BackupGroup{NewBackupGroup("sg-a", "web", sampleRules("sg-a")), NewBackupGroup("sg-b", "", nil)}}
	if err := WriteBackup(path, b); err != nil {
		t.Fatal(err)
	}
	got, err := ReadBackup(path)
	if err != nil {
		t.Fatal(err)
	}
	rules, err := got.Groups[0].Rules()
	if err != nil {
		t.Fatal(err)
	}
	want := sampleRules("sg-a")
	for i := range want {
		want[i].Index = i
	}
	if !reflect.DeepEqual(rules, want) {
		t.Errorf("rules read back:\n%+v\nwant\n%+v", rules, want)
	}
	if r, _ := got.Groups[1].Rules(); len(r) != 0 || got.Groups[1].GroupID != "sg-b" {
		t.Errorf("the empty group: %+v", got.Groups[1])
	}
	if err := WriteBackup(path, b); !errors.Is(err, ErrExists) {
		t.Errorf("second write: %v, want ErrExists", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("folder holds %v", entries)
	}
}

func TestParseBackupErrors(t *testing.T) {
	head := `{"kind":"walls-egress-backup","version":1,"createdAt":"2026-12-01T00:00:00Z","account":"1","region":"eu-west-1","securityGroups":`
	for _, tc := range []struct{ doc, want string }{
		{`{"kind":"x","version":1}`, `kind "x"`},
		{`{"kind":"walls-egress-backup","version":2,"region":"r"}`, "version 2"},
		{head + `[{"GroupId":"sg-1","EgressRules":[{"IpProtocol":"tcp","FromPort":443,"ToPort":443}]}]}`, "0 peers"},
		{head + `[{"GroupId":"sg-1","EgressRules":[{"IpProtocol":"tcp","FromPort":443,"ToPort":80,"CidrIpv4":"10.0.0.0/8"}]}]}`, "FromPort 443, ToPort 80"},
		{head + `[{"GroupId":"sg-1","EgressRules":[{"IpProtocol":"tcp","FromPort":1,"ToPort":2,"CidrIpv4":"10.0.0.1/8"}]}]}`, "CidrIpv4"},
		{head + `[{"GroupId":"sg-1","EgressRules":[{"IpProtocol":"tcp","FromPort":1,"ToPort":2,"CidrIpv4":"10.0.0.0/8","CidrIpv6":"::/0"}]}]}`, "2 peers"},
		{head + `[{"GroupId":"sg-1","EgressRules":[{"IpProtocol":"bogus","CidrIpv4":"10.0.0.0/8"}]}]}`, "IpProtocol"},
		{head + `[{"GroupId":"x"}]}`, `GroupId "x"`},
		{head + `[{"GroupId":"sg-1"},{"GroupId":"sg-1"}]}`, "listed twice"},
		{head + `[], "secret": 1}`, `unknown field "secret"`},
		{head + "[\n{\"GroupId\": 5}]}", "b.json:2"},
		{head + `[]} {}`, "data after"},
	} {
		_, err := ParseBackup("b.json", []byte(tc.doc))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.doc, err, tc.want)
		}
	}
}

// Restore matches rules by what they allow: the rules wanted that are
// there stay (their ids kept), the others are added, the rest removed.
func TestRestore(t *testing.T) {
	now := sampleRules("sg-a")
	want := []vpc.Rule{now[1], now[1], cidrRule("sg-a", vpc.ProtoTCP, 80, 80, "10.0.0.0/8", "")}
	want[0].ID, want[1].ID = "sgr-other", ""
	c := Restore("sg-a", "web", now, want)
	if len(c.Keep) != 1 || c.Keep[0].ID != "sgr-0002" || len(c.Add) != 2 || c.Add[0].ID != "" || len(c.Remove) != 3 {
		t.Fatalf("%+v", c)
	}
	for _, r := range c.Remove {
		if plan.Key(&r) == plan.Key(&now[1]) {
			t.Errorf("removes a kept rule %v", r)
		}
	}
}

// FuzzParseBackup: no input panics the backup reader, and a backup it
// accepts writes back to one it reads to the same rules.
func FuzzParseBackup(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/backup-*.json")
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseBackup("f.json", data)
		if err != nil {
			return
		}
		for i := range b.Groups {
			rules, err := b.Groups[i].Rules()
			if err != nil {
				t.Fatal(err)
			}
			again := NewBackupGroup(b.Groups[i].GroupID, "", rules)
			rules2, err := again.Rules()
			if err != nil {
				t.Fatalf("written back: %v", err)
			}
			for j := range rules {
				if plan.Key(&rules[j]) != plan.Key(&rules2[j]) || rules[j].Description != rules2[j].Description {
					t.Fatalf("rule %d: %v became %v", j, rules[j], rules2[j])
				}
			}
		}
	})
}

// Check refuses, before any call, a rule no call can carry.
func TestCheck(t *testing.T) {
	ok := []Change{{GroupID: "sg-a", Add: sampleRules("sg-a"), Remove: sampleRules("sg-a")}}
	if err := Check(ok); err != nil {
		t.Fatal(err)
	}
	bad := sampleRules("sg-a")[3]
	bad.Peer.Group.GroupID = "aws_security_group.web"
	if err := Check([]Change{{GroupID: "sg-a", Add: []vpc.Rule{bad}}}); err == nil || !strings.Contains(err.Error(), "aws_security_group.web") {
		t.Errorf("add: %v", err)
	}
	if err := Check([]Change{{GroupID: "sg-a", Remove: []vpc.Rule{bad}}}); err == nil || !strings.Contains(err.Error(), "cannot revoke") {
		t.Errorf("remove: %v", err)
	}
	bad.ID = "sgr-1" // revoked by id: its peer need not be carried
	if err := Check([]Change{{GroupID: "sg-a", Remove: []vpc.Rule{bad}}}); err != nil {
		t.Errorf("remove by id: %v", err)
	}
}
