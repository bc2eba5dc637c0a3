// Package learn turns observations into the smallest egress that keeps
// every workload working: for every security group, the union of what its
// member interfaces initiated and were allowed to, shaped into rules
// (world-open service ports, SG references, prefix lists, CIDRs), placed on
// one group per need, fitted to the rule quota, and proved with package
// plan's set algebra before it is written as a plan.
//
// Only outbound-initiated, accepted observations create needs: security
// groups are stateful, so replies to connections others start pass without
// an egress rule (docs/semantics.md#sg-stateful).
package learn

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/walls-dev/walls/internal/plan"
	"github.com/walls-dev/walls/internal/traffic"
	"github.com/walls-dev/walls/internal/vpc"
)

// Defaults.
const (
	// DefaultMaxRules is the AWS quota of egress rules per group (docs/semantics.md#quotas).
	DefaultMaxRules = 60
	// DefaultHighPortRange is how many distinct ports >= 1024 to one remote
	// make one port range (passive FTP data connections, for example).
	DefaultHighPortRange = 5
)

// Options shape a proposal.
type Options struct {
	// Pin keeps observed internet addresses instead of opening the service
	// port to the whole internet.
	Pin bool
	// MaxRules bounds each group's egress rules, counted as AWS counts them;
	// 0 means DefaultMaxRules.
	MaxRules int
	// HighPortRange: that many distinct high ports to one remote become one
	// range; 0 means DefaultHighPortRange, negative never.
	HighPortRange int
	// Since and Until, when set, keep observations seen within [Since, Until).
	Since, Until time.Time
	// HoldoutPercent, in (0, 100), learns on the first part of the window
	// and replays the last HoldoutPercent percent against the proposal.
	HoldoutPercent float64
	// AllowUnattributed lets the replays (the learning window's proof and
	// the holdout) pass although they met accepted outbound connections of
	// interfaces not tied to loaded security group rules.
	AllowUnattributed bool
	// Interfaces is what the flow logs named of each interface (instance
	// and subnet ids, flowlog.Result.Interfaces), used to describe
	// interfaces the inventory lacks.
	Interfaces map[string]traffic.InterfaceMeta
}

func (o *Options) defaults() error {
	if o.MaxRules == 0 {
		o.MaxRules = DefaultMaxRules
	}
	if o.MaxRules < 1 {
		return fmt.Errorf("max rules %d: want at least 1", o.MaxRules)
	}
	if o.HighPortRange == 0 {
		o.HighPortRange = DefaultHighPortRange
	}
	if o.HoldoutPercent < 0 || o.HoldoutPercent >= 100 {
		return fmt.Errorf("holdout %g%%: want more than 0 and less than 100", o.HoldoutPercent)
	}
	if !o.Since.IsZero() && !o.Until.IsZero() && !o.Since.Before(o.Until) {
		return errors.New("since must be before until")
	}
	return nil
}

// Learn proposes egress for every security group of inv from obs and
// returns the plan, with its guarantees proved and, with a holdout, the
// replay of the held-out part. inv is not modified.
func Learn(inv *vpc.Inventory, obs []traffic.Observation, opts Options) (*plan.Plan, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	obs = window(obs, opts.Since, opts.Until)
	train, held, split := obs, []traffic.Observation(nil), time.Time{}
	if opts.HoldoutPercent > 0 {
		train, held, split = holdout(obs, opts)
	}
	l := newLearner(inv, opts)
	p := l.run(train)
	p.Window = plan.Window{Since: timePtr(opts.Since), Until: timePtr(opts.Until), Observations: len(train),
		Outbound: l.outbound}
	for _, o := range train {
		if f := o.FirstSeen; !f.IsZero() && (p.Window.FirstSeen == nil || f.Before(*p.Window.FirstSeen)) {
			p.Window.FirstSeen = timePtr(f)
		}
		if l := o.LastSeen; !l.IsZero() && (p.Window.LastSeen == nil || l.After(*p.Window.LastSeen)) {
			p.Window.LastSeen = timePtr(l)
		}
	}
	if opts.HoldoutPercent > 0 {
		p.Window.HoldoutPercent = opts.HoldoutPercent
		p.Window.HoldoutFrom = timePtr(split)
	}
	within := plan.ProveWithin(inv, p)
	p.Options.AllowUnattributed = opts.AllowUnattributed
	rep, err := plan.Replay(inv, p, train)
	if err != nil {
		return nil, err
	}
	rep.Describe(opts.Interfaces)
	rep.Judge(opts.AllowUnattributed)
	p.Guarantees = &plan.Guarantees{ProposedWithinCurrent: within, LearningReplay: replayProof(rep)}
	if opts.HoldoutPercent > 0 {
		if p.Replay, err = plan.Replay(inv, p, held); err != nil {
			return nil, err
		}
		p.Replay.Describe(opts.Interfaces)
		p.Replay.Judge(opts.AllowUnattributed)
	}
	return p, nil
}

// replayProof turns the learning window's replay into the guarantee: it
// holds when the replay passes (nothing blocked, something evaluated, no
// unattributed connections unless allowed).
func replayProof(rep *plan.ReplayReport) plan.Proof {
	pr := plan.Proof{Holds: rep.Pass, Checked: rep.Checked,
		Method: "replay: every outbound-initiated, accepted observation of the learning window, whatever the " +
			"confidence in its direction, evaluated against the proposed rules of the interface's groups, pooled as AWS pools them"}
	for _, f := range rep.Failures {
		if rep.Blocked > 0 && strings.HasPrefix(f, fmt.Sprint(rep.Blocked)+" flow records") {
			continue // itemised below
		}
		pr.Violations = append(pr.Violations, f)
	}
	for _, b := range rep.BlockedBy {
		pr.Violations = append(pr.Violations, fmt.Sprintf("%v %s %d to %s: %d flow records blocked",
			b.GroupIDs, b.Protocol, b.Port, b.Remote, b.Flows))
	}
	return pr
}

// window keeps observations seen within [since, until).
func window(obs []traffic.Observation, since, until time.Time) []traffic.Observation {
	if since.IsZero() && until.IsZero() {
		return obs
	}
	out := make([]traffic.Observation, 0, len(obs))
	for _, o := range obs {
		if !since.IsZero() && o.LastSeen.Before(since) || !until.IsZero() && !o.FirstSeen.Before(until) {
			continue
		}
		out = append(out, o)
	}
	return out
}

// holdout splits the window at (100-P)% of its span. Observations are
// aggregates with a first and last sighting; one seen before the split is
// learned from, one seen at or after it is replayed, so an observation seen
// on both sides is in both.
func holdout(obs []traffic.Observation, opts Options) (train, held []traffic.Observation, split time.Time) {
	start, end := opts.Since, opts.Until
	for _, o := range obs {
		if opts.Since.IsZero() && (start.IsZero() || o.FirstSeen.Before(start)) {
			start = o.FirstSeen
		}
		if opts.Until.IsZero() && (end.IsZero() || o.LastSeen.After(end)) {
			end = o.LastSeen
		}
	}
	span := end.Sub(start)
	split = start.Add(time.Duration(float64(span) * (100 - opts.HoldoutPercent) / 100))
	for _, o := range obs {
		if o.FirstSeen.Before(split) {
			train = append(train, o)
		}
		if !o.LastSeen.Before(split) {
			held = append(held, o)
		}
	}
	return train, held, split.UTC()
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// sortedSet returns the keys of m in order.
func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
