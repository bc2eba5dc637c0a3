package apply

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/walls-dev/walls/internal/jsonpos"
	"github.com/walls-dev/walls/internal/plan"
	"github.com/walls-dev/walls/internal/vpc"
)

// BackupKind and BackupVersion mark a backup file.
const (
	BackupKind    = "walls-egress-backup"
	BackupVersion = 1
)

// Backup is the exact egress rules of the groups a change touches, read
// live just before it: what walls rollback restores. It holds rules,
// group ids, account and region, never a credential.
type Backup struct {
	Kind    string    `json:"kind"`
	Version int       `json:"version"`
	Created time.Time `json:"createdAt"`
	Account string    `json:"account"`
	Region  string    `json:"region"`
	// Plan is the plan file the change came from ("" for a rollback).
	Plan   string        `json:"plan,omitempty"`
	Groups []BackupGroup `json:"securityGroups"`
}

// BackupGroup is one group's egress rules, in the shape of `aws ec2
// describe-security-group-rules` (one peer per rule).
type BackupGroup struct {
	GroupID   string       `json:"GroupId"`
	GroupName string       `json:"GroupName,omitempty"`
	Egress    []BackupRule `json:"EgressRules"`
}

// BackupRule is one egress rule.
type BackupRule struct {
	SecurityGroupRuleID string          `json:"SecurityGroupRuleId,omitempty"`
	IPProtocol          string          `json:"IpProtocol"`
	FromPort            int32           `json:"FromPort"`
	ToPort              int32           `json:"ToPort"`
	CidrIPv4            string          `json:"CidrIpv4,omitempty"`
	CidrIPv6            string          `json:"CidrIpv6,omitempty"`
	PrefixListID        string          `json:"PrefixListId,omitempty"`
	ReferencedGroupInfo *BackupGroupRef `json:"ReferencedGroupInfo,omitempty"`
	Description         string          `json:"Description,omitempty"`
}

// BackupGroupRef is a rule's referenced group.
type BackupGroupRef struct {
	GroupID                string `json:"GroupId"`
	UserID                 string `json:"UserId,omitempty"`
	VpcID                  string `json:"VpcId,omitempty"`
	VpcPeeringConnectionID string `json:"VpcPeeringConnectionId,omitempty"`
}

// NewBackupGroup records a group's rules.
func NewBackupGroup(id, name string, rules []vpc.Rule) BackupGroup {
	g := BackupGroup{GroupID: id, GroupName: name, Egress: []BackupRule{}}
	for i := range rules {
		r := &rules[i]
		// The plan's JSON form of the rule, less IsEgress and the
		// peering status.
		p := plan.FromVPC(r)
		b := BackupRule{SecurityGroupRuleID: ruleID(r), IPProtocol: p.IPProtocol, FromPort: p.FromPort, ToPort: p.ToPort,
			CidrIPv4: p.CidrIPv4, CidrIPv6: p.CidrIPv6, PrefixListID: p.PrefixListID, Description: p.Description}
		if ref := p.ReferencedGroupInfo; ref != nil {
			b.ReferencedGroupInfo = &BackupGroupRef{GroupID: ref.GroupID, UserID: ref.UserID, VpcID: ref.VpcID, VpcPeeringConnectionID: ref.VpcPeeringConnectionID}
		}
		g.Egress = append(g.Egress, b)
	}
	return g
}

// Rules returns the group's rules in walls' model.
func (g *BackupGroup) Rules() ([]vpc.Rule, error) {
	out := make([]vpc.Rule, 0, len(g.Egress))
	for i := range g.Egress {
		r, err := g.Egress[i].rule(g.GroupID)
		if err != nil {
			return nil, fmt.Errorf("%s: EgressRules[%d]: %w", g.GroupID, i, err)
		}
		r.Index = i
		out = append(out, r)
	}
	return out, nil
}

func (b *BackupRule) rule(group string) (vpc.Rule, error) {
	proto, err := vpc.ParseProtocol(b.IPProtocol)
	if err != nil {
		return vpc.Rule{}, fmt.Errorf("IpProtocol: %w", err)
	}
	r := vpc.Rule{ID: b.SecurityGroupRuleID, GroupID: group, Egress: true, Protocol: proto, FromPort: b.FromPort, ToPort: b.ToPort, Description: b.Description}
	switch {
	case proto.HasPorts():
		if b.FromPort < 0 || b.ToPort > 65535 || b.FromPort > b.ToPort {
			return r, fmt.Errorf("FromPort %d, ToPort %d: want 0 ≤ FromPort ≤ ToPort ≤ 65535", b.FromPort, b.ToPort)
		}
	case proto.IsICMP():
		if b.FromPort < -1 || b.FromPort > 255 || b.ToPort < -1 || b.ToPort > 255 || b.FromPort == -1 && b.ToPort != -1 {
			return r, fmt.Errorf("FromPort %d, ToPort %d: want an ICMP type and code, -1 for any", b.FromPort, b.ToPort)
		}
	default:
		r.FromPort, r.ToPort = -1, -1
	}
	n := 0
	if b.CidrIPv4 != "" {
		n++
		p, err := netip.ParsePrefix(b.CidrIPv4)
		if err != nil || !p.Addr().Is4() || p != p.Masked() {
			return r, fmt.Errorf("CidrIpv4 %q: want an IPv4 CIDR as EC2 stores it", b.CidrIPv4)
		}
		r.Peer = vpc.Peer{Kind: vpc.PeerCIDR, Prefix: p}
	}
	if b.CidrIPv6 != "" {
		n++
		p, err := netip.ParsePrefix(b.CidrIPv6)
		if err != nil || !p.Addr().Is6() || p.Addr().Is4In6() || p != p.Masked() {
			return r, fmt.Errorf("CidrIpv6 %q: want an IPv6 CIDR as EC2 stores it", b.CidrIPv6)
		}
		r.Peer = vpc.Peer{Kind: vpc.PeerCIDR, Prefix: p}
	}
	if b.PrefixListID != "" {
		n++
		if !strings.HasPrefix(b.PrefixListID, "pl-") {
			return r, fmt.Errorf("PrefixListId %q: want pl-…", b.PrefixListID)
		}
		r.Peer = vpc.Peer{Kind: vpc.PeerPrefixList, PrefixListID: b.PrefixListID}
	}
	if g := b.ReferencedGroupInfo; g != nil {
		n++
		if !strings.HasPrefix(g.GroupID, "sg-") {
			return r, fmt.Errorf("ReferencedGroupInfo.GroupId %q: want sg-…", g.GroupID)
		}
		r.Peer = vpc.Peer{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: g.GroupID, UserID: g.UserID, VpcID: g.VpcID, PeeringConnectionID: g.VpcPeeringConnectionID}}
	}
	if n != 1 {
		return r, fmt.Errorf("%d peers: want exactly one of CidrIpv4, CidrIpv6, PrefixListId, ReferencedGroupInfo", n)
	}
	if b.SecurityGroupRuleID != "" && !strings.HasPrefix(b.SecurityGroupRuleID, "sgr-") {
		return r, fmt.Errorf("SecurityGroupRuleId %q: want sgr-…", b.SecurityGroupRuleID)
	}
	return r, nil
}

// ParseBackup reads a backup file's bytes, refusing what it does not
// know: errors name the file, the line and the field.
func ParseBackup(file string, data []byte) (*Backup, error) {
	var b Backup
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		line := 0
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			line = jsonpos.Line(data, se.Offset)
		case errors.As(err, &te):
			line = jsonpos.Line(data, te.Offset)
		}
		if line > 0 {
			return nil, fmt.Errorf("%s:%d: not a walls backup: %v", file, line, err)
		}
		return nil, fmt.Errorf("%s: not a walls backup: %v", file, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%s: not a walls backup: data after the document", file)
	}
	if b.Kind != BackupKind {
		return nil, fmt.Errorf("%s: kind %q: not a walls backup (want %q)", file, b.Kind, BackupKind)
	}
	if b.Version != BackupVersion {
		return nil, fmt.Errorf("%s: version %d: this walls reads backup version %d", file, b.Version, BackupVersion)
	}
	if b.Region == "" {
		return nil, fmt.Errorf("%s: region: missing", file)
	}
	seen := map[string]bool{}
	for i := range b.Groups {
		g := &b.Groups[i]
		if !strings.HasPrefix(g.GroupID, "sg-") {
			return nil, fmt.Errorf("%s: securityGroups[%d].GroupId %q: want sg-…", file, i, g.GroupID)
		}
		if seen[g.GroupID] {
			return nil, fmt.Errorf("%s: securityGroups[%d].GroupId %s: listed twice", file, i, g.GroupID)
		}
		seen[g.GroupID] = true
		if _, err := g.Rules(); err != nil {
			return nil, fmt.Errorf("%s: securityGroups[%d]: %w", file, i, err)
		}
	}
	return &b, nil
}

// ReadBackup reads and parses a backup file.
func ReadBackup(path string) (*Backup, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseBackup(path, data)
}

// ErrExists is returned by WriteBackup for a path that exists.
var ErrExists = errors.New("exists")

// WriteBackup writes b to path, which must not exist: into a temporary
// file of the same folder, synced, then linked into place (which fails,
// rather than replaces, when path appeared meanwhile), and the folder
// synced. The file is readable by its owner only.
func WriteBackup(path string, b *Backup) (err error) {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%s: %w: a backup is never overwritten; name another file or remove this one", path, ErrExists)
	}
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s: %w: a backup is never overwritten; name another file or remove this one", path, ErrExists)
		}
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// DefaultBackupPath is the backup's name when none is given:
// walls-backup-ACCOUNT-REGION-YYYYMMDDTHHMMSSZ.json in the current folder.
func DefaultBackupPath(account, region string, at time.Time) string {
	if account == "" {
		account = "account"
	}
	return fmt.Sprintf("walls-backup-%s-%s-%s.json", account, region, at.UTC().Format("20060102T150405Z"))
}
