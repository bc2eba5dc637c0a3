// Package plan holds walls' plan file — the reviewed, self-contained record
// of a proposed egress change — and what can be proved or measured about
// one: the guarantees (proposed ⊆ current, nothing observed is blocked), the
// exact semantic diff against the current rules, the replay of observations,
// and Apply, which turns a plan back into an inventory for `check --plan`.
//
// A plan records the exact current rules it was made against, so anything
// that acts on it can refuse when the account drifted since (docs/semantics.md#walls-choices).
package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/walls-dev/walls/internal/vpc"
)

// Version is the plan file format version this package reads and writes.
const Version = 1

// Group statuses.
const (
	StatusProposed  = "proposed"  // proposedEgress replaces currentEgress
	StatusUnchanged = "unchanged" // left as is; Reason says why
)

// Plan is a proposal for the egress rules of security groups, with its
// evidence and proofs. Its JSON form is the plan file.
type Plan struct {
	Version int `json:"version"`
	// GeneratedBy names the program that wrote the plan and its version:
	// "walls learn, version v1.2.3 <commit>". It is free text, so plans
	// that carry a version stay readable by every walls of format 1.
	GeneratedBy string        `json:"generatedBy,omitempty"`
	Inventory   InventoryInfo `json:"inventory"`
	Window      Window        `json:"window"`
	Options     Options       `json:"options"`
	// SecurityGroups lists every group of the inventory, sorted by id.
	SecurityGroups []Group       `json:"securityGroups"`
	Guarantees     *Guarantees   `json:"guarantees,omitempty"`
	Replay         *ReplayReport `json:"replay,omitempty"`
	// NotProven sums, over proposed groups, the rules that exist only
	// because of observations whose direction was left open.
	NotProven *NotProven `json:"notProven,omitempty"`
	Warnings  []string   `json:"warnings,omitempty"`
}

// NotProven measures how much of a proposal rests on connections whose
// initiator the flow logs could not tell: Rules of ProposedRules proposed
// rules exist only because of ambiguous observations, which carry Flows
// flow records.
type NotProven struct {
	Rules         int    `json:"rules"`
	Flows         uint64 `json:"flows"`
	ProposedRules int    `json:"proposedRules"`
}

// DirectionNotProven is Evidence.Direction for a rule that only ambiguous
// observations need: it is what a member needs if it started the
// connection, and not needed at all if the other side did.
const DirectionNotProven = "not proven"

// InventoryInfo identifies the inventory a plan was made against.
type InventoryInfo struct {
	// Fingerprint hashes every group's rules, every interface's groups and
	// addresses, and every prefix list's entries (see Fingerprint).
	Fingerprint string `json:"fingerprint"`
	Groups      int    `json:"groups"`
	Interfaces  int    `json:"interfaces"`
}

// Window is the observation window the proposal was learned from.
type Window struct {
	Since *time.Time `json:"since,omitempty"`
	Until *time.Time `json:"until,omitempty"`
	// FirstSeen and LastSeen bound the observations learned from.
	FirstSeen *time.Time `json:"firstSeen,omitempty"`
	LastSeen  *time.Time `json:"lastSeen,omitempty"`
	// Observations counts the observations learned from, of which Outbound
	// were initiated by an interface and accepted.
	Observations int `json:"observations"`
	Outbound     int `json:"outboundAccepted"`
	// HoldoutPercent and HoldoutFrom: with --holdout, the last P percent of
	// the window, from HoldoutFrom on, was replayed instead of learned.
	HoldoutPercent float64    `json:"holdoutPercent,omitempty"`
	HoldoutFrom    *time.Time `json:"holdoutFrom,omitempty"`
}

// Options records the learn options that shaped the proposal.
type Options struct {
	Pin      bool `json:"pin"`
	MaxRules int  `json:"maxRules"`
	// HighPortRange is how many distinct high ports to one remote become one
	// port range.
	HighPortRange int `json:"highPortRange"`
	// AllowUnattributed: the replays of learn accepted connections of
	// interfaces they could not attribute to loaded security group rules.
	AllowUnattributed bool `json:"allowUnattributed,omitempty"`
}

// Group is one security group's current and proposed egress.
type Group struct {
	GroupID   string `json:"GroupId"`
	GroupName string `json:"GroupName,omitempty"`
	VpcID     string `json:"VpcId,omitempty"`
	Status    string `json:"status"`
	Reason    string `json:"reason,omitempty"`
	// Members counts the interfaces carrying the group; ObservedMembers those
	// with any observation in the window.
	Members         int      `json:"members"`
	ObservedMembers int      `json:"observedMembers"`
	Unobserved      []string `json:"unobservedMembers,omitempty"`
	CurrentEgress   []Rule   `json:"currentEgress"`
	ProposedEgress  []Rule   `json:"proposedEgress"`
	// RuleCount is the proposal's size as AWS counts it against the quota.
	RuleCount RuleCount `json:"ruleCount"`
	Placement []string  `json:"placement,omitempty"`
	Widened   []string  `json:"widened,omitempty"`
	Notes     []string  `json:"notes,omitempty"`
	// NotProvenRules counts the proposed rules whose evidence direction is
	// "not proven"; NotProvenFlows the flow records behind them.
	NotProvenRules int    `json:"notProvenRules,omitempty"`
	NotProvenFlows uint64 `json:"notProvenFlows,omitempty"`
}

// RuleCount is a rule list's size per family bucket (docs/semantics.md#quotas): SG references and
// prefix lists count in both, as AWS does not document their bucket.
type RuleCount struct {
	IPv4 int `json:"ipv4"`
	IPv6 int `json:"ipv6"`
}

// Max is the larger bucket, the one the quota binds on.
func (c RuleCount) Max() int { return max(c.IPv4, c.IPv6) }

// Evidence says why a proposed rule exists: the observations that need it.
type Evidence struct {
	Observations int        `json:"observations"`
	Flows        uint64     `json:"flows"`
	Interfaces   []string   `json:"interfaces"`
	Remotes      []string   `json:"remotes"`
	Ports        []uint16   `json:"ports,omitempty"`
	FirstSeen    *time.Time `json:"firstSeen,omitempty"`
	LastSeen     *time.Time `json:"lastSeen,omitempty"`
	// Confidence is the weakest confidence among the observations behind
	// the rule: "exact", "by-rules", "heuristic" or "ambiguous".
	Confidence string `json:"confidence"`
	// Direction is "not proven" when every observation behind the rule is
	// ambiguous: the rule is what a member needs if it started those
	// connections. Empty otherwise.
	Direction string `json:"direction,omitempty"`
	// Why explains the rule's shape: world-open, pinned, group reference,
	// merged port range, widened to fit the budget.
	Why []string `json:"why,omitempty"`
}

// Guarantees are the plan's proofs.
type Guarantees struct {
	// ProposedWithinCurrent: no proposed rule allows what current rules deny.
	ProposedWithinCurrent Proof `json:"proposedWithinCurrent"`
	// LearningReplay: replaying the learning window blocks no initiated,
	// accepted connection that current rules allow.
	LearningReplay Proof `json:"learningWindowReplay"`
}

// Proof is one guarantee's outcome.
type Proof struct {
	Holds      bool     `json:"holds"`
	Method     string   `json:"method"`
	Checked    int      `json:"checked"`
	Violations []string `json:"violations,omitempty"`
}

// Failures lists why a learned plan cannot be trusted as it is, each naming
// its group where it has one: a guarantee that does not hold, a proposed
// group still over the rule budget, a holdout replay that does not pass.
// Empty when the plan holds.
func (p *Plan) Failures() []string {
	var out []string
	if g := p.Guarantees; g != nil {
		for _, pr := range []struct {
			name string
			p    *Proof
		}{{"proposed ⊆ current", &g.ProposedWithinCurrent}, {"replay of the learning window", &g.LearningReplay}} {
			if pr.p.Holds {
				continue
			}
			if len(pr.p.Violations) == 0 {
				out = append(out, pr.name+" does not hold")
			}
			for _, v := range pr.p.Violations {
				out = append(out, pr.name+" does not hold: "+v)
			}
		}
	}
	if limit := p.Options.MaxRules; limit > 0 {
		for i := range p.SecurityGroups {
			g := &p.SecurityGroups[i]
			if g.Status == StatusProposed && g.RuleCount.Max() > limit {
				out = append(out, fmt.Sprintf("%s: %d egress rules (IPv4 %d, IPv6 %d) proposed, over --max-rules %d",
					g.GroupID, g.RuleCount.Max(), g.RuleCount.IPv4, g.RuleCount.IPv6, limit))
			}
		}
	}
	if r := p.Replay; r != nil && !r.Pass {
		for _, f := range r.Failures {
			out = append(out, "holdout replay: "+f)
		}
		for i, b := range r.BlockedBy {
			if i == 10 {
				out = append(out, fmt.Sprintf("holdout replay: %d more blocked groups", len(r.BlockedBy)-10))
				break
			}
			out = append(out, fmt.Sprintf("holdout replay: %v %s %d to %s: %d flow records blocked",
				b.GroupIDs, b.Protocol, b.Port, b.Remote, b.Flows))
		}
	}
	return out
}

// Group returns the plan's entry for a group id, or nil.
func (p *Plan) Group(id string) *Group {
	for i := range p.SecurityGroups {
		if p.SecurityGroups[i].GroupID == id {
			return &p.SecurityGroups[i]
		}
	}
	return nil
}

// Write writes the plan as indented JSON, the plan file.
func (p *Plan) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(p)
}

// Parse reads a plan file and checks it. Errors are *vpc.InputError located
// at the file and the JSON path of the problem.
func Parse(file string, data []byte) (*Plan, error) {
	var p Plan
	dec := json.NewDecoder(bytes.NewReader(data))
	// Strict: a misspelled key in a hand-edited plan would otherwise read as
	// an absent one, and an absent proposedEgress empties the group.
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		line := errLine(data, err)
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok && line == 0 {
			line = keyLine(data, f)
		}
		return nil, &vpc.InputError{Loc: vpc.Location{File: file, Line: line},
			Msg: "not a walls plan file: " + jsonMsg(err)}
	}
	if dec.More() {
		return nil, &vpc.InputError{Loc: vpc.Location{File: file, Line: bytes.Count(data[:dec.InputOffset()], []byte("\n")) + 1},
			Msg: "trailing data after the plan object"}
	}
	if err := checkKeys(file, data); err != nil {
		return nil, err
	}
	if err := p.validate(file, data); err != nil {
		return nil, err
	}
	return &p, nil
}

// validate checks what decoding cannot; data is the file, to name the
// line of each error's value.
func (p *Plan) validate(file string, data []byte) error {
	bad := func(path, format string, a ...any) error {
		return &vpc.InputError{Loc: vpc.Location{File: file, Path: path, Line: lineOf(data, path)}, Msg: fmt.Sprintf(format, a...)}
	}
	if p.Version != Version {
		return bad("version", "plan version %d: this walls reads version %d", p.Version, Version)
	}
	if p.SecurityGroups == nil {
		return bad("securityGroups", "missing: want the list of security groups")
	}
	ports := portKeys(data)
	seen := map[string]bool{}
	for i := range p.SecurityGroups {
		g := &p.SecurityGroups[i]
		at := fmt.Sprintf("securityGroups[%d]", i)
		if g.GroupID == "" {
			return bad(at+".GroupId", "missing")
		}
		if seen[g.GroupID] {
			return bad(at+".GroupId", "%s appears twice", g.GroupID)
		}
		seen[g.GroupID] = true
		if g.Status != StatusProposed && g.Status != StatusUnchanged {
			return bad(at+".status", "%q: want %q or %q", g.Status, StatusProposed, StatusUnchanged)
		}
		for _, name := range []string{"currentEgress", "proposedEgress"} {
			rules := g.CurrentEgress
			if name == "proposedEgress" {
				rules = g.ProposedEgress
			}
			for j := range rules {
				if !rules[j].IsEgress {
					return bad(fmt.Sprintf("%s.%s[%d].IsEgress", at, name, j), "want true: plans hold egress rules")
				}
				set := ports[fmt.Sprintf("%d.%s.%d", i, name, j)]
				v, err := rules[j].toVPC(g.GroupID, set[0], set[1])
				if err == nil && !(set[0] && set[1]) {
					// Absent ports read as 0; store what they mean.
					rules[j].FromPort, rules[j].ToPort = v.FromPort, v.ToPort
				}
				if err != nil {
					path := fmt.Sprintf("%s.%s[%d]", at, name, j)
					var fe *FieldError
					if errors.As(err, &fe) {
						path += "." + fe.Field
					}
					return bad(path, "%v", err)
				}
			}
		}
	}
	// Presence last, so that the problems above are named first. An empty
	// list is a decision (no egress); a missing one is not.
	for i := range p.SecurityGroups {
		g := &p.SecurityGroups[i]
		at := fmt.Sprintf("securityGroups[%d]", i)
		if g.CurrentEgress == nil {
			return bad(at+".currentEgress", "missing: want the list of egress rules the plan was made against ([] for none)")
		}
		if g.ProposedEgress == nil {
			return bad(at+".proposedEgress", "missing: want the list of proposed egress rules ([] for no egress at all)")
		}
		if g.Status == StatusUnchanged {
			cur, _ := Rules(g.GroupID, g.CurrentEgress)
			prop, _ := Rules(g.GroupID, g.ProposedEgress)
			if missing, extra := ruleDelta(cur, prop); len(missing)+len(extra) > 0 {
				return bad(at+".proposedEgress", "status is unchanged, so apply, check --plan and replay keep currentEgress, "+
					"but proposedEgress differs from it: set status to %q to propose it, or restore currentEgress", StatusProposed)
			}
		}
	}
	return nil
}

// portKeys reports, for each rule of the file ("group.list.index"),
// whether it states FromPort and ToPort: JSON decoding reads an absent one
// as 0, which for icmpv6 would mean type 0 rather than every type.
func portKeys(data []byte) map[string][2]bool {
	var raw struct {
		SecurityGroups []map[string]json.RawMessage `json:"securityGroups"`
	}
	out := map[string][2]bool{}
	if json.Unmarshal(data, &raw) != nil {
		return out
	}
	for i, g := range raw.SecurityGroups {
		for key, list := range g {
			var rules []map[string]json.RawMessage
			if json.Unmarshal(list, &rules) != nil {
				continue
			}
			name := foldKeyName(key, "currentEgress", "proposedEgress")
			for j, r := range rules {
				var set [2]bool
				for k, v := range r {
					if string(v) == "null" {
						continue
					}
					set[0] = set[0] || strings.EqualFold(k, "FromPort")
					set[1] = set[1] || strings.EqualFold(k, "ToPort")
				}
				out[fmt.Sprintf("%d.%s.%d", i, name, j)] = set
			}
		}
	}
	return out
}

// foldKeyName returns the name among names that key spells, ignoring
// case as JSON decoding does, or key.
func foldKeyName(key string, names ...string) string {
	for _, n := range names {
		if strings.EqualFold(key, n) {
			return n
		}
	}
	return key
}

// Rules converts a rule list of group groupID to the model. The plan was
// validated by Parse, so errors only come from hand-built plans.
func Rules(groupID string, rs []Rule) ([]vpc.Rule, error) {
	out := make([]vpc.Rule, 0, len(rs))
	for i := range rs {
		r, err := rs[i].ToVPC(groupID)
		if err != nil {
			return nil, fmt.Errorf("%s rule %d: %w", groupID, i, err)
		}
		r.Index = i
		out = append(out, r)
	}
	return out, nil
}

func errLine(data []byte, err error) int {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(data)) {
		return 0
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// keyLine is the line of the first key quoted (as encoding/json quotes an
// unknown field's name), or 0.
func keyLine(data []byte, quoted string) int {
	for off := 0; ; {
		i := bytes.Index(data[off:], []byte(quoted))
		if i < 0 {
			return 0
		}
		off += i + len(quoted)
		if rest := bytes.TrimLeft(data[off:], " \t\r\n"); len(rest) > 0 && rest[0] == ':' {
			return bytes.Count(data[:off], []byte("\n")) + 1
		}
	}
}

func jsonMsg(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("%s: got a JSON %s, want %s", te.Field, te.Value, te.Type)
	}
	if errors.Is(err, io.EOF) {
		return "empty input"
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "unknown field " + f + ": not a key of the plan format (misspelled?)"
	}
	return err.Error()
}
