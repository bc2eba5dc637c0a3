// Package apply changes security group egress in an AWS account through
// the EC2 API: the change a plan proposes (walls apply) or the return to
// a backup (walls rollback).
//
// A change is made group by group, several groups at once: every new rule
// is authorized before any rule that goes is revoked, so no moment allows
// less than either the rules before or the rules after. One call per rule,
// so each call's outcome is known: a rule already there
// (InvalidPermission.Duplicate) or already gone (InvalidPermission.NotFound,
// InvalidSecurityGroupRuleId.NotFound) is what was wanted. When a call
// fails, no further call starts, and what this run did is undone in the
// same order (re-authorize what it revoked, then revoke what it
// authorized); the report says both, and what is left when undoing fails.
// What this relies on in the EC2 API: docs/semantics.md#apply-api.
package apply

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/walls-dev/walls/internal/plan"
	"github.com/walls-dev/walls/internal/vpc"
)

// Client is the part of the EC2 API a change calls (an *ec2.Client).
type Client interface {
	AuthorizeSecurityGroupEgress(context.Context, *ec2.AuthorizeSecurityGroupEgressInput, ...func(*ec2.Options)) (*ec2.AuthorizeSecurityGroupEgressOutput, error)
	RevokeSecurityGroupEgress(context.Context, *ec2.RevokeSecurityGroupEgressInput, ...func(*ec2.Options)) (*ec2.RevokeSecurityGroupEgressOutput, error)
}

// Change is what to do to one group's egress: Add the rules it lacks,
// Remove the rules that go (by their sgr- id when known, else by what
// they allow); Keep are left as they are.
type Change struct {
	GroupID   string     `json:"groupId"`
	GroupName string     `json:"groupName,omitempty"`
	Add       []vpc.Rule `json:"-"`
	Remove    []vpc.Rule `json:"-"`
	Keep      []vpc.Rule `json:"-"`
	// DescriptionsDiffer names the kept rules whose description is not
	// the one wanted (Restore): a description is changed by neither
	// authorize nor revoke, so the change leaves them as they are.
	DescriptionsDiffer []string `json:"-"`
}

// Changed reports whether the group changes at all.
func (c *Change) Changed() bool { return len(c.Add)+len(c.Remove) > 0 }

// Actions.
const (
	Authorize = "authorize"
	Revoke    = "revoke"
)

// Outcomes of a step.
const (
	Done          = "done"
	AlreadyThere  = "already there"   // authorize: InvalidPermission.Duplicate
	AlreadyGone   = "already gone"    // revoke: the rule or rule id is not there
	WouldSucceed  = "would succeed"   // dry run: DryRunOperation
	WouldBeDenied = "would be denied" // dry run: UnauthorizedOperation
	Failed        = "failed"
	Uncertain     = "uncertain" // no answer: the call may or may not have been made
)

// Step is one call and its outcome.
type Step struct {
	GroupID string   `json:"groupId"`
	Action  string   `json:"action"`
	Rule    vpc.Rule `json:"-"`
	// RuleText is the rule as people read it: "tcp 443 to 10.0.0.0/8".
	RuleText string `json:"rule"`
	// RuleID is the rule's sgr- id: the new one for an authorized rule,
	// the old one for a revoked rule ("" when not known).
	RuleID  string `json:"ruleId,omitempty"`
	Outcome string `json:"outcome"`
	Error   string `json:"error,omitempty"`
}

// Report is what a run did.
type Report struct {
	DryRun bool `json:"dryRun,omitempty"`
	// Steps are this run's calls in the order they were answered.
	Steps []Step `json:"steps"`
	// Err is the failure that stopped the run, nil when it completed.
	Err error `json:"-"`
	// RolledBack are the calls that undid this run's steps after a
	// failure; RollbackErr the first of them that failed.
	RolledBack  []Step `json:"rolledBack,omitempty"`
	RollbackErr error  `json:"-"`
	// Left are this run's steps still in effect after a rollback failed:
	// what to restore from the backup.
	Left []Step `json:"left,omitempty"`
}

// Options tune a run.
type Options struct {
	// Concurrency bounds the groups changed at once; 0 means
	// DefaultConcurrency.
	Concurrency int
	// DryRun asks EC2 whether each call would be allowed (DryRun=true)
	// and changes nothing.
	DryRun bool
}

// DefaultConcurrency is how many groups are changed at once.
const DefaultConcurrency = 4

// Run makes the changes. ctx being cancelled stops the run between calls
// and rolls back, as a failure does; calls already sent are let finish
// (with ctx's values, not its cancellation), so their outcome is known.
func Run(ctx context.Context, c Client, changes []Change, o Options) *Report {
	rep := &Report{DryRun: o.DryRun}
	n := o.Concurrency
	if n <= 0 {
		n = DefaultConcurrency
	}
	callCtx := context.WithoutCancel(ctx)
	var mu sync.Mutex
	stop := false
	record := func(s Step, err error) bool {
		mu.Lock()
		defer mu.Unlock()
		rep.Steps = append(rep.Steps, s)
		if err != nil && rep.Err == nil {
			rep.Err = err
			stop = true
		}
		return !stop
	}
	proceed := func() bool {
		mu.Lock()
		defer mu.Unlock()
		if !stop && ctx.Err() != nil {
			rep.Err = fmt.Errorf("interrupted: %w", context.Cause(ctx))
			stop = true
		}
		return !stop
	}
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for i := range changes {
		ch := &changes[i]
		if !ch.Changed() {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			defer func() {
				if r := recover(); r != nil {
					record(Step{GroupID: ch.GroupID, Outcome: Failed}, fmt.Errorf("internal error changing %s: %v", ch.GroupID, r))
				}
			}()
			for j := range ch.Add {
				if !proceed() {
					return
				}
				s, err := authorize(callCtx, c, ch.GroupID, &ch.Add[j], o.DryRun)
				if !record(s, err) {
					return
				}
			}
			for j := range ch.Remove {
				if !proceed() {
					return
				}
				s, err := revoke(callCtx, c, ch.GroupID, &ch.Remove[j], o.DryRun)
				if !record(s, err) {
					return
				}
			}
		}()
	}
	wg.Wait()
	if rep.Err != nil && !o.DryRun {
		rollback(callCtx, c, rep)
	}
	return rep
}

// undo is a step's inverse, or false when the step changed nothing.
func undo(s Step) (Step, bool) {
	switch s.Outcome {
	case Done, Uncertain, AlreadyThere, AlreadyGone:
		// A rule found already there or gone was, by the rules read
		// before the run, not so: the run's target state is undone too.
	default:
		return Step{}, false
	}
	u := Step{GroupID: s.GroupID, Rule: s.Rule, RuleText: s.RuleText}
	if s.Action == Authorize {
		u.Action = Revoke
		if s.Outcome == Done {
			u.RuleID = s.RuleID
		}
	} else {
		u.Action = Authorize
	}
	return u, true
}

// rollback undoes rep's steps: re-authorizes what was revoked, then
// revokes what was authorized. A failed re-authorization stops it (to
// revoke then could leave a group allowing less than both the rules
// before and the proposal); what it could not undo is in rep.Left.
func rollback(ctx context.Context, c Client, rep *Report) {
	type pair struct{ orig, undo Step }
	var auth, rev []pair
	for _, s := range rep.Steps {
		u, ok := undo(s)
		if !ok {
			continue
		}
		if u.Action == Authorize {
			auth = append(auth, pair{s, u})
		} else {
			rev = append(rev, pair{s, u})
		}
	}
	left := func(ps []pair) {
		for _, p := range ps {
			rep.Left = append(rep.Left, p.orig)
		}
	}
	for i, p := range auth {
		s, err := authorize(ctx, c, p.undo.GroupID, &p.undo.Rule, false)
		rep.RolledBack = append(rep.RolledBack, s)
		if err != nil {
			rep.RollbackErr = err
			left(auth[i:])
			left(rev)
			return
		}
	}
	// Revoking goes on past a failure: each revocation only brings its
	// group back towards the rules before the run.
	for _, p := range rev {
		r := p.undo.Rule
		r.ID = p.undo.RuleID
		s, err := revoke(ctx, c, p.undo.GroupID, &r, false)
		rep.RolledBack = append(rep.RolledBack, s)
		if err != nil {
			if rep.RollbackErr == nil {
				rep.RollbackErr = err
			}
			rep.Left = append(rep.Left, p.orig)
		}
	}
}

// authorize adds one rule to group's egress.
func authorize(ctx context.Context, c Client, group string, r *vpc.Rule, dry bool) (Step, error) {
	s := Step{GroupID: group, Action: Authorize, Rule: *r, RuleText: RuleText(r)}
	perm, err := Permission(r, true)
	if err != nil {
		s.Outcome, s.Error = Failed, err.Error()
		return s, fmt.Errorf("%s: authorize %s: %w", group, s.RuleText, err)
	}
	out, err := c.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{
		GroupId: aws.String(group), IpPermissions: []types.IpPermission{perm}, DryRun: dryFlag(dry)})
	switch code := errorCode(err); {
	case err == nil && dry:
		s.Outcome = WouldSucceed // an endpoint that ignores DryRun changed the rule: nothing to say but that
	case err == nil:
		s.Outcome = Done
		if len(out.SecurityGroupRules) > 0 {
			s.RuleID = aws.ToString(out.SecurityGroupRules[0].SecurityGroupRuleId)
		}
	case code == "DryRunOperation":
		s.Outcome = WouldSucceed
	case dry && code == "UnauthorizedOperation":
		s.Outcome, s.Error = WouldBeDenied, errorText(err)
	case code == "InvalidPermission.Duplicate":
		s.Outcome = AlreadyThere
	default:
		s.Outcome, s.Error = failure(err), errorText(err)
		return s, fmt.Errorf("%s: authorize %s: %s", group, s.RuleText, errorText(err))
	}
	return s, nil
}

// revoke removes one rule from group's egress: by its sgr- id when it
// has one, else by what it allows.
func revoke(ctx context.Context, c Client, group string, r *vpc.Rule, dry bool) (Step, error) {
	s := Step{GroupID: group, Action: Revoke, Rule: *r, RuleText: RuleText(r), RuleID: ruleID(r)}
	in := &ec2.RevokeSecurityGroupEgressInput{GroupId: aws.String(group), DryRun: dryFlag(dry)}
	if s.RuleID != "" {
		in.SecurityGroupRuleIds = []string{s.RuleID}
	} else {
		perm, err := Permission(r, false)
		if err != nil {
			s.Outcome, s.Error = Failed, err.Error()
			return s, fmt.Errorf("%s: revoke %s: %w", group, s.RuleText, err)
		}
		in.IpPermissions = []types.IpPermission{perm}
	}
	out, err := c.RevokeSecurityGroupEgress(ctx, in)
	switch code := errorCode(err); {
	case err == nil && dry:
		s.Outcome = WouldSucceed
	case err == nil && len(out.UnknownIpPermissions) > 0:
		s.Outcome = AlreadyGone // a default VPC answers so for a rule it lacks
	case err == nil:
		s.Outcome = Done
	case code == "DryRunOperation":
		s.Outcome = WouldSucceed
	case dry && code == "UnauthorizedOperation":
		s.Outcome, s.Error = WouldBeDenied, errorText(err)
	case code == "InvalidPermission.NotFound" || code == "InvalidSecurityGroupRuleId.NotFound":
		s.Outcome = AlreadyGone
	default:
		s.Outcome, s.Error = failure(err), errorText(err)
		return s, fmt.Errorf("%s: revoke %s: %s", group, s.RuleText, errorText(err))
	}
	return s, nil
}

func dryFlag(dry bool) *bool {
	if dry {
		return aws.Bool(true)
	}
	return nil
}

// failure is Failed when EC2 answered with an error (it made no change),
// Uncertain when no answer came (the request may have been carried out).
func failure(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return Failed
	}
	return Uncertain
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// errorText is an API error as EC2 gave it ("UnauthorizedOperation: You
// are not authorized…"), else the error.
func errorText(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	return err.Error()
}

func ruleID(r *vpc.Rule) string {
	if strings.HasPrefix(r.ID, "sgr-") {
		return r.ID
	}
	return ""
}

// RuleText names a rule as people read it: "tcp 443 to 10.0.0.0/8",
// with its description when it has one.
func RuleText(r *vpc.Rule) string {
	s := strings.TrimPrefix(strings.TrimPrefix(r.String(), "egress "), "ingress ")
	if r.Description != "" {
		s += fmt.Sprintf(" %q", r.Description)
	}
	return s
}

// Permission is a rule as one EC2 IpPermission with its single peer; the
// description only when withDescription (revoking matches rules without
// it).
func Permission(r *vpc.Rule, withDescription bool) (types.IpPermission, error) {
	p := types.IpPermission{IpProtocol: aws.String(r.Protocol.String())}
	var desc *string
	if withDescription && r.Description != "" {
		desc = aws.String(r.Description)
	}
	if r.Protocol.HasPorts() || r.Protocol.IsICMP() {
		p.FromPort, p.ToPort = aws.Int32(r.FromPort), aws.Int32(r.ToPort)
	}
	switch r.Peer.Kind {
	case vpc.PeerCIDR:
		if r.Peer.Prefix.Addr().Is4() {
			p.IpRanges = []types.IpRange{{CidrIp: aws.String(r.Peer.Prefix.String()), Description: desc}}
		} else {
			p.Ipv6Ranges = []types.Ipv6Range{{CidrIpv6: aws.String(r.Peer.Prefix.String()), Description: desc}}
		}
	case vpc.PeerPrefixList:
		p.PrefixListIds = []types.PrefixListId{{PrefixListId: aws.String(r.Peer.PrefixListID), Description: desc}}
	case vpc.PeerGroup:
		g := r.Peer.Group
		if !strings.HasPrefix(g.GroupID, "sg-") {
			return p, fmt.Errorf("%s references group %s, which has no id (sg-…)", RuleText(r), g.GroupID)
		}
		pair := types.UserIdGroupPair{GroupId: aws.String(g.GroupID), Description: desc}
		if g.UserID != "" {
			pair.UserId = aws.String(g.UserID)
		}
		if g.VpcID != "" {
			pair.VpcId = aws.String(g.VpcID)
		}
		if g.PeeringConnectionID != "" {
			pair.VpcPeeringConnectionId = aws.String(g.PeeringConnectionID)
		}
		p.UserIdGroupPairs = []types.UserIdGroupPair{pair}
	default:
		return p, fmt.Errorf("rule %s has no peer", r.Ref())
	}
	return p, nil
}

// Check finds, before any call, a rule no call can carry (a group
// reference without an sg- id, a rule without a peer), so that a change
// is not started only to fail on it.
func Check(changes []Change) error {
	for i := range changes {
		c := &changes[i]
		for j := range c.Add {
			if _, err := Permission(&c.Add[j], true); err != nil {
				return fmt.Errorf("%s: cannot authorize: %w", c.GroupID, err)
			}
		}
		for j := range c.Remove {
			if ruleID(&c.Remove[j]) != "" {
				continue
			}
			if _, err := Permission(&c.Remove[j], false); err != nil {
				return fmt.Errorf("%s: cannot revoke: %w", c.GroupID, err)
			}
		}
	}
	return nil
}

// Restore is the change from the rules a group has now to want, matched
// by what they allow (plan.Key): the rules want has that now lacks are
// added, the rules now has that want lacks removed.
func Restore(groupID, groupName string, now, want []vpc.Rule) Change {
	c := Change{GroupID: groupID, GroupName: groupName}
	have := map[string][]int{}
	for i := range now {
		k := plan.Key(&now[i])
		have[k] = append(have[k], i)
	}
	used := make([]bool, len(now))
	for i := range want {
		k := plan.Key(&want[i])
		if idx := have[k]; len(idx) > 0 {
			have[k] = idx[1:]
			used[idx[0]] = true
			c.Keep = append(c.Keep, now[idx[0]])
			if now[idx[0]].Description != want[i].Description {
				c.DescriptionsDiffer = append(c.DescriptionsDiffer, fmt.Sprintf("%s: %s has the description %q, the rules wanted %q",
					groupID, strings.TrimPrefix(now[idx[0]].String(), "egress "), now[idx[0]].Description, want[i].Description))
			}
			continue
		}
		r := want[i]
		r.ID = ""
		c.Add = append(c.Add, r)
	}
	for i := range now {
		if !used[i] {
			c.Remove = append(c.Remove, now[i])
		}
	}
	return c
}

// SortSteps orders steps by group, then authorizations before
// revocations, then rule, for printing; the report keeps call order.
func SortSteps(steps []Step) []Step {
	out := append([]Step(nil), steps...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if a.GroupID != b.GroupID {
			return a.GroupID < b.GroupID
		}
		if a.Action != b.Action {
			return a.Action == Authorize
		}
		return a.RuleText < b.RuleText
	})
	return out
}
