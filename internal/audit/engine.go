// Package audit finds the open doors in a VPC's network layer: a catalogue of
// checks, each plain data with a stable WALLS-… ID, run by one engine over
// the normalised vpc.Inventory, whatever the input was (AWS CLI JSON,
// terraform show -json, .tf folders, CloudFormation, a live account).
//
// Findings are exact where walls' model is: whether a rule opens a port to
// the internet, whether an entry is shadowed or a rule redundant, is decided
// on address sets and port ranges, not on the text of the rules.
package audit

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"go4.org/netipx"

	"github.com/walls-dev/walls/internal/policy"
	"github.com/walls-dev/walls/internal/safe"
	"github.com/walls-dev/walls/internal/vpc"
)

// Options tunes a run. The zero value runs every check with AWS's default
// quotas and the documented ephemeral port range.
type Options struct {
	// Checks restricts the run to these IDs; empty runs all.
	Checks []string
	// Suppressions hide findings (with a reason); expired ones are findings.
	Suppressions []Suppression
	// Now is the date suppressions expire against; zero means time.Now.
	Now time.Time
	// Flows holds the observed traffic for the WALLS-FLOW checks; nil means
	// no --flows were given and those checks are skipped with a note.
	Flows *Flows
	// EphemeralFrom and EphemeralTo are the client port range assumed for
	// return traffic through network ACLs; zero means
	// policy.DefaultClientPorts, the range check assumes too.
	EphemeralFrom, EphemeralTo int32
	// RuleQuota is the security group rules quota per direction and family;
	// zero means AWS's default, 60.
	RuleQuota int
	// NACLQuota is the network ACL entries quota per direction and family;
	// zero means AWS's default, 20.
	NACLQuota int
	// QuotaWarn is the fraction of a quota from which a group is "near" it;
	// zero means 0.8.
	QuotaWarn float64
	// Parallelism bounds the checks run at once; zero means GOMAXPROCS.
	Parallelism int
}

func (o Options) withDefaults() Options {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.EphemeralFrom == 0 && o.EphemeralTo == 0 {
		o.EphemeralFrom, o.EphemeralTo = policy.DefaultClientPorts.From, policy.DefaultClientPorts.To
	}
	if o.RuleQuota <= 0 {
		o.RuleQuota = 60
	}
	if o.NACLQuota <= 0 {
		o.NACLQuota = 20
	}
	if o.QuotaWarn <= 0 || o.QuotaWarn > 1 {
		o.QuotaWarn = 0.8
	}
	if o.Parallelism <= 0 {
		o.Parallelism = runtime.GOMAXPROCS(0)
	}
	return o
}

// Note says why a check said nothing, or what it could not decide: a kind
// that was not loaded, a value that IaC left unknown.
type Note struct {
	CheckID string `json:"checkId,omitempty"`
	Message string `json:"message"`
}

// Report is the result of a run. Findings are sorted: severity (critical
// first), then catalogue order, then resource, so output is deterministic.
type Report struct {
	Findings   []Finding `json:"findings"`
	Suppressed []Finding `json:"suppressed,omitempty"`
	Notes      []Note    `json:"notes,omitempty"`
	// Checks lists the IDs of the checks that ran.
	Checks []string `json:"checks"`
	// Summary counts the files, resources and rules the audit could not
	// see; Warnings holds every inventory warning, notes included.
	Summary  Summary   `json:"summary"`
	Warnings []Warning `json:"warnings,omitempty"`
}

// Max returns the highest severity among the (unsuppressed) findings, or 0.
func (r *Report) Max() Severity {
	var m Severity
	for _, f := range r.Findings {
		m = max(m, f.Severity)
	}
	return m
}

// CountAtLeast counts the findings of severity s or higher.
func (r *Report) CountAtLeast(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity >= s {
			n++
		}
	}
	return n
}

// NotEvaluated counts the checks that ran but could not be evaluated for
// lack of data (their notes say "not evaluated: …"): "no findings" from
// them is no evidence either way.
func (r *Report) NotEvaluated() int {
	seen := map[string]bool{}
	for _, n := range r.Notes {
		if n.CheckID != "" && strings.HasPrefix(n.Message, "not evaluated") {
			seen[n.CheckID] = true
		}
	}
	return len(seen)
}

// scan is one check's run over the inventory: what it reads, and where its
// findings go.
type scan struct {
	inv   *vpc.Inventory
	ix    *vpc.Index
	opts  Options
	check *Check
	out   []Finding
	notes []Note
	// groupSets caches resolved group references (WALLS-NACL-002).
	groupSets map[string][2]*netipx.IPSet
	// blockSets caches resolved CIDR and prefix-list peers (WALLS-NACL-002).
	blockSets map[peerKey][2]*netipx.IPSet
}

func (s *scan) note(format string, a ...any) {
	s.notes = append(s.notes, Note{CheckID: s.check.ID, Message: fmt.Sprintf(format, a...)})
}

// add records a finding about resource of check s.check; key says what in
// the resource is wrong (it feeds the fingerprint).
func (s *scan) add(f Finding) {
	f.CheckID = s.check.ID
	if f.Severity == 0 {
		f.Severity = s.check.Severity
	}
	if f.Title == "" {
		f.Title = s.check.Title
	}
	if f.ResourceType == "" {
		f.ResourceType = s.check.Resource
	}
	s.out = append(s.out, f)
}

// Run audits inv. It never panics on input: a check that fails is reported
// as a note and the others still run.
func Run(inv *vpc.Inventory, opts Options) *Report {
	opts = opts.withDefaults()
	ix := inv.Index()
	cat := Catalog()
	want := map[string]bool{}
	for _, id := range opts.Checks {
		want[id] = true
	}
	var runs []*scan
	for i := range cat {
		c := &cat[i]
		if c.run == nil || len(want) > 0 && !want[c.ID] {
			continue
		}
		runs = append(runs, &scan{inv: inv, ix: ix, opts: opts, check: c})
	}
	sem := make(chan struct{}, opts.Parallelism)
	// A check that panics is a bug in walls: the panic reaches the
	// command (exit 3), never a quiet "not evaluated" beside a verdict.
	var g safe.Group
	for _, s := range runs {
		if missing := s.missingInputs(); missing != "" {
			s.notes = append(s.notes, Note{CheckID: s.check.ID, Message: "not evaluated: " + missing})
			continue
		}
		sem <- struct{}{}
		g.Go(func() {
			defer func() { <-sem }()
			s.check.run(s)
		})
	}
	g.Wait()

	rep := &Report{Findings: []Finding{}}
	order := map[string]int{}
	for i, c := range cat {
		order[c.ID] = i
	}
	var all []Finding
	for _, s := range runs {
		rep.Checks = append(rep.Checks, s.check.ID)
		all = append(all, s.out...)
		rep.Notes = append(rep.Notes, s.notes...)
	}
	for i := range all {
		all[i].Fingerprint = fingerprint(&all[i])
	}
	// What the loaders could not resolve is said, never guessed (issue #5):
	// every warning travels with the report, and the summary counts what
	// was left out (issue #15).
	rep.Warnings, rep.Summary = summarize(inv.Warnings)
	kept, suppressed, extra := applySuppressions(all, opts.Suppressions, opts.Now)
	rep.Findings = append(rep.Findings, kept...)
	rep.Findings = append(rep.Findings, extra...)
	rep.Suppressed = suppressed
	sortFindings(rep.Findings, order)
	sortFindings(rep.Suppressed, order)
	return rep
}

func (s *scan) missingInputs() string {
	var miss []string
	for _, k := range s.check.Needs {
		if !s.inv.Has(k) {
			miss = append(miss, string(k))
		}
	}
	if len(s.check.NeedsAny) > 0 {
		found := false
		for _, k := range s.check.NeedsAny {
			found = found || s.inv.Has(k)
		}
		if !found {
			miss = append(miss, string(s.check.NeedsAny[0]))
		}
	}
	if s.check.NeedsFlows && s.opts.Flows == nil {
		return "needs --flows"
	}
	if len(miss) == 0 {
		return ""
	}
	return "no " + joinAnd(miss) + " in the input"
}

func sortFindings(fs []Finding, order map[string]int) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if a.Severity != b.Severity {
			return int(b.Severity) - int(a.Severity)
		}
		if oa, ob := order[a.CheckID], order[b.CheckID]; oa != ob {
			return oa - ob
		}
		if c := strings.Compare(a.ResourceID, b.ResourceID); c != 0 {
			return c
		}
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(a.Message, b.Message)
	})
}
