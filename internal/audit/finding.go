package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/walls-dev/walls/internal/vpc"
)

// Finding is one problem found by one check on one resource. It is plain
// data; renderers (table, JSON, SARIF, Markdown) decide how it looks.
type Finding struct {
	CheckID  string   `json:"checkId"`
	Severity Severity `json:"severity"`
	// ResourceID is the security group, network ACL or suppression the
	// finding is about; on IaC inputs it is the id the loader gave the
	// resource (its literal id, else its address).
	ResourceID   string `json:"resourceId"`
	ResourceType string `json:"resourceType"`
	Title        string `json:"title"`
	Message      string `json:"message"`
	// Rule is the security group rule the finding points at, in the AWS
	// API's field names.
	Rule *vpc.RuleJSON `json:"rule,omitempty"`
	// RuleRef names that rule: its sgr- id, else "sg-…/egress#2".
	RuleRef string `json:"ruleRef,omitempty"`
	// Entry is the network ACL entry the finding points at.
	Entry *EntryJSON `json:"networkAclEntry,omitempty"`
	// Related names the other rules, entries or resources involved: the
	// rule that covers a redundant one, the interfaces of a connection.
	Related  []string  `json:"related,omitempty"`
	Location *Location `json:"location,omitempty"`
	// Fingerprint identifies the finding across runs: it hashes the check,
	// the resource and what in it is wrong, not file positions or wording.
	Fingerprint string `json:"fingerprint"`
	// Suppression is set on suppressed findings (Report.Suppressed).
	Suppression *Suppression `json:"suppression,omitempty"`

	key string // the check-specific part of the fingerprint
}

// Location is where the finding's object is written: a file and a line (IaC
// inputs) or a JSON path (AWS CLI files).
type Location struct {
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
	Path string `json:"path,omitempty"`
}

func locationOf(l vpc.Location) *Location {
	if l.File == "" && l.Path == "" {
		return nil
	}
	return &Location{File: l.File, Line: l.Line, Path: l.Path}
}

// String renders file:line, file#path or file.
func (l *Location) String() string {
	if l == nil {
		return ""
	}
	return vpc.Location{File: l.File, Line: l.Line, Path: l.Path}.String()
}

func ruleJSON(r *vpc.Rule) *vpc.RuleJSON {
	j := r.JSON()
	return &j
}

// EntryJSON is a network ACL entry in the API's field names.
type EntryJSON struct {
	NetworkACLID  string `json:"NetworkAclId"`
	RuleNumber    int    `json:"RuleNumber"`
	Egress        bool   `json:"Egress"`
	RuleAction    string `json:"RuleAction"`
	Protocol      string `json:"Protocol"`
	CidrBlock     string `json:"CidrBlock,omitempty"`
	IPv6CidrBlock string `json:"Ipv6CidrBlock,omitempty"`
	PortRange     *struct {
		From int32 `json:"From"`
		To   int32 `json:"To"`
	} `json:"PortRange,omitempty"`
}

func entryJSON(n *vpc.NACL, e *vpc.NACLEntry) *EntryJSON {
	j := &EntryJSON{NetworkACLID: n.ID, RuleNumber: e.RuleNumber, Egress: e.Egress, RuleAction: "deny"}
	if e.Allow {
		j.RuleAction = "allow"
	}
	j.Protocol = "-1"
	if e.Protocol != vpc.ProtoAll {
		j.Protocol = strconv.Itoa(int(e.Protocol))
	}
	if e.Prefix.Addr().Is4() {
		j.CidrBlock = e.Prefix.String()
	} else {
		j.IPv6CidrBlock = e.Prefix.String()
	}
	if e.Protocol.HasPorts() {
		j.PortRange = &struct {
			From int32 `json:"From"`
			To   int32 `json:"To"`
		}{e.FromPort, e.ToPort}
	}
	return j
}

// ruleKey is a rule's identity for fingerprints: what it allows, not where
// it is written, so reordering or moving a file keeps the fingerprint.
func ruleKey(r *vpc.Rule) string {
	if r.ID != "" {
		return r.ID
	}
	return r.String()
}

func fingerprint(f *Finding) string {
	h := sha256.New()
	for _, s := range []string{f.CheckID, f.ResourceID, f.key} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// joinAnd renders "a", "a and b", "a, b and c".
func joinAnd(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}
