// Package live reads an AWS account's network inventory through the EC2
// API and writes it as a snapshot folder: per account and region, the
// JSON files `aws ec2 describe-*` prints (every page merged), the entries
// of each managed prefix list as pl-….json, and a manifest.json. The
// offline loader (internal/inventory) reads that folder unchanged, so a
// live run and a later offline run of the same snapshot see the same
// inventory by construction. What it relies on in the EC2 API (pages,
// the two rule shapes, prefix-list entries, refusals):
// docs/semantics.md#live-api.
package live

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/walls-dev/walls/internal/inventory"
	"github.com/walls-dev/walls/internal/safe"
	"github.com/walls-dev/walls/internal/vpc"
)

// Options say what to read and how.
type Options struct {
	// Regions to read; empty means the configuration's region, and the
	// single value "all" the regions enabled for each account
	// (ec2:DescribeRegions).
	Regions []string
	// RoleARNs are assumed one by one, one account each; empty means the
	// loaded credentials' own account.
	RoleARNs []string
	// Config returns the SDK configuration for a role ("" for the loaded
	// credentials), with credentials already verified.
	Config func(ctx context.Context, roleARN string) (aws.Config, error)
	// Concurrency bounds the account/region places read at once; 0 means
	// DefaultConcurrency.
	Concurrency int
	// Version is the walls version recorded in each manifest.
	Version string
	// Now stamps the manifests; nil means time.Now.
	Now func() time.Time
	// Progress, when set, is called as places finish and calls are made,
	// from one goroutine at a time.
	Progress func(Progress)
}

// DefaultConcurrency is how many account/region places are read at once.
const DefaultConcurrency = 8

// Progress is how far a snapshot has come.
type Progress struct {
	PlacesDone, Places int // Places is 0 until the accounts and regions are known
	Calls              int64
}

// Place is one account and region read.
type Place struct {
	Account, Region string
	Dir             string // DIR/<account>/<region>
	Manifest        inventory.Manifest
}

// Result is what a snapshot read.
type Result struct {
	Places []Place
	// Calls counts every API call made, per IAM action ("ec2:DescribeVpcs").
	Calls map[string]int
}

// Missing lists the lines for the kinds some place could not read, in
// place order: "ec2:DescribeNetworkAcls denied in 123456789012/eu-west-1:
// NACL hops not evaluated".
func (r *Result) Missing() []string {
	var out []string
	for _, p := range r.Places {
		for _, k := range p.Manifest.Missing {
			out = append(out, k.Message(p.Account, p.Region))
		}
	}
	return out
}

// UsageError is a request that cannot be run as given (no region, two
// roles of one account, an output folder in use).
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Files the snapshot writes in each place folder.
const (
	FileSecurityGroups     = "security-groups.json"
	FileSecurityGroupRules = "security-group-rules.json"
	FileNetworkInterfaces  = "network-interfaces.json"
	FileNetworkACLs        = "network-acls.json"
	FileSubnets            = "subnets.json"
	FileVPCs               = "vpcs.json"
	FilePrefixLists        = "managed-prefix-lists.json"
)

// KindPrefixListEntries names the entries of managed prefix lists in a
// manifest's missing kinds (GetManagedPrefixListEntries).
const KindPrefixListEntries = "prefix list entries"

// Snapshot reads every account and region o names and writes them under
// dir, which must not exist or be empty. Access refused for one kind is
// recorded in that place's manifest and the other kinds are still read;
// any other failure stops the snapshot with an error.
func Snapshot(ctx context.Context, dir string, o Options) (res *Result, err error) {
	if err := checkOutput(dir); err != nil {
		return nil, err
	}
	// A snapshot that fails (or is interrupted) leaves nothing behind: a
	// half-written place would load later as a smaller account.
	defer func() {
		if err != nil {
			removeContents(dir)
		}
	}()
	if o.Now == nil {
		o.Now = time.Now
	}
	bound := o.Concurrency
	if bound <= 0 {
		bound = DefaultConcurrency
	}
	all := false
	for _, r := range o.Regions {
		if strings.EqualFold(r, "all") {
			if len(o.Regions) > 1 {
				return nil, &UsageError{Msg: "--region all: name regions or all, not both"}
			}
			all = true
		}
	}
	roles := o.RoleARNs
	if len(roles) == 0 {
		roles = []string{""}
	}
	s := &run{o: o, calls: map[string]int{}}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// Accounts and their regions, concurrently.
	type account struct {
		cfg     aws.Config
		id      string
		regions []string
		err     error
	}
	accounts := make([]account, len(roles))
	sem := make(chan struct{}, bound)
	var g safe.Group
	for i, role := range roles {
		g.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			a := &accounts[i]
			a.cfg, a.err = o.Config(ctx, role)
			if a.err != nil {
				return
			}
			a.id, a.regions, a.err = s.resolve(ctx, a.cfg, all)
			if a.err != nil && role != "" {
				a.err = fmt.Errorf("role %s: %w", role, a.err)
			}
		})
	}
	g.Wait()
	byAccount := map[string]string{}
	for i, a := range accounts {
		if a.err != nil {
			return nil, a.err
		}
		if prev, ok := byAccount[a.id]; ok {
			return nil, &UsageError{Msg: fmt.Sprintf("--role-arn %s and %s are both in account %s: one role per account", label(prev), label(roles[i]), a.id)}
		}
		byAccount[a.id] = roles[i]
	}

	var places []*Place
	var cfgs []aws.Config
	for _, a := range accounts {
		for _, r := range a.regions {
			places = append(places, &Place{Account: a.id, Region: r, Dir: filepath.Join(dir, a.id, r)})
			cfgs = append(cfgs, a.cfg)
		}
	}
	s.places = len(places)
	s.report()
	errs := make([]error, len(places))
	for i, p := range places {
		g.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if ctx.Err() != nil {
				return
			}
			if errs[i] = s.place(ctx, cfgs[i], p); errs[i] != nil {
				cancel()
			}
			s.done.Add(1)
			s.report()
		})
	}
	g.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res = &Result{Calls: s.calls}
	for _, p := range places {
		res.Places = append(res.Places, *p)
	}
	sort.Slice(res.Places, func(i, j int) bool {
		a, b := res.Places[i], res.Places[j]
		if a.Account != b.Account {
			return a.Account < b.Account
		}
		return a.Region < b.Region
	})
	return res, nil
}

func label(role string) string {
	if role == "" {
		return "(the loaded credentials)"
	}
	return role
}

// checkOutput refuses an output folder that holds anything: a stale file
// left from an earlier run would be read as part of this snapshot.
func checkOutput(dir string) error {
	if dir == "" {
		return &UsageError{Msg: "no output folder: pass -o DIR"}
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return &UsageError{Msg: fmt.Sprintf("-o %s: %v", dir, err)}
	}
	if len(entries) > 0 {
		return &UsageError{Msg: fmt.Sprintf("-o %s: the folder is not empty; give a new folder for each snapshot (walls reads several snapshot folders as a series)", dir)}
	}
	return nil
}

// removeContents empties dir, which checkOutput found new or empty.
func removeContents(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

// run is one snapshot's shared state.
type run struct {
	o      Options
	mu     sync.Mutex
	calls  map[string]int
	n      atomic.Int64
	done   atomic.Int64
	places int
	pmu    sync.Mutex // serialises Progress calls
}

// report calls Progress, one call at a time, with figures that never go
// back.
func (s *run) report() {
	if s.o.Progress == nil {
		return
	}
	s.pmu.Lock()
	defer s.pmu.Unlock()
	s.o.Progress(Progress{PlacesDone: int(s.done.Load()), Places: s.places, Calls: s.n.Load()})
}

// counter is an SDK middleware that counts each operation called (not its
// retries) per IAM action, in the run's totals and, when set, in place.
func (s *run) counter(place map[string]int) func(*middleware.Stack) error {
	return func(st *middleware.Stack) error {
		return st.Initialize.Add(middleware.InitializeMiddlewareFunc("WallsCountCalls",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				action := strings.ToLower(awsmiddleware.GetServiceID(ctx)) + ":" + awsmiddleware.GetOperationName(ctx)
				s.mu.Lock()
				s.calls[action]++
				if place != nil {
					place[action]++
				}
				s.mu.Unlock()
				s.n.Add(1)
				s.report()
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
	}
}

// fallbackRegion is where account-wide calls go when no region is
// configured (STS and ec2:DescribeRegions answer in every region).
const fallbackRegion = "us-east-1"

// resolve finds the account (sts:GetCallerIdentity) and its regions.
func (s *run) resolve(ctx context.Context, cfg aws.Config, all bool) (string, []string, error) {
	region := cfg.Region
	if region == "" {
		region = fallbackRegion
	}
	id, err := sts.NewFromConfig(cfg, func(o *sts.Options) {
		o.Region = region
		o.APIOptions = append(o.APIOptions[:len(o.APIOptions):len(o.APIOptions)], s.counter(nil))
	}).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", nil, fmt.Errorf("sts:GetCallerIdentity: %w", err)
	}
	account := aws.ToString(id.Account)
	if account == "" {
		return "", nil, errors.New("sts:GetCallerIdentity returned no account")
	}
	if !all {
		if len(s.o.Regions) > 0 {
			return account, dedupe(s.o.Regions), nil
		}
		if cfg.Region == "" {
			return "", nil, &UsageError{Msg: "no region: pass --region R[,R...] or --region all, or set AWS_REGION or the profile's region"}
		}
		return account, []string{cfg.Region}, nil
	}
	out, err := ec2.NewFromConfig(cfg, func(o *ec2.Options) {
		o.Region = region
		o.APIOptions = append(o.APIOptions[:len(o.APIOptions):len(o.APIOptions)], s.counter(nil))
	}).DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	if err != nil {
		return "", nil, fmt.Errorf("ec2:DescribeRegions in %s (for --region all): %w", account, err)
	}
	var regions []string
	for _, r := range out.Regions {
		if n := aws.ToString(r.RegionName); n != "" {
			regions = append(regions, n)
		}
	}
	if len(regions) == 0 {
		return "", nil, fmt.Errorf("ec2:DescribeRegions in %s returned no enabled region", account)
	}
	return account, dedupe(regions), nil
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		x = strings.TrimSpace(x)
		if x != "" && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}

// kind is one inventory kind and the call that reads it.
type kind struct {
	kind   vpc.Kind
	action string // the EC2 operation, also the IAM action after "ec2:"
	file   string
	effect string
	fetch  func(ctx context.Context, c *ec2.Client, path string) error
}

// Page sizes: the largest MaxResults each call accepts.
const (
	maxPage      = 1000 // security groups and rules, interfaces, subnets, VPCs
	maxPageSmall = 100  // network ACLs, managed prefix lists and their entries
)

var kinds = []kind{
	{vpc.KindSecurityGroups, "DescribeSecurityGroups", FileSecurityGroups,
		"group names, owners and VPCs not known (rules are read from ec2:DescribeSecurityGroupRules)",
		func(ctx context.Context, c *ec2.Client, path string) error {
			return pages(ctx, path, "SecurityGroups", ec2.NewDescribeSecurityGroupsPaginator(c, &ec2.DescribeSecurityGroupsInput{MaxResults: aws.Int32(maxPage)}),
				func(o *ec2.DescribeSecurityGroupsOutput) []types.SecurityGroup { return o.SecurityGroups })
		}},
	{vpc.KindSecurityGroupRules, "DescribeSecurityGroupRules", FileSecurityGroupRules,
		"rules are read from ec2:DescribeSecurityGroups, without rule ids",
		func(ctx context.Context, c *ec2.Client, path string) error {
			return pages(ctx, path, "SecurityGroupRules", ec2.NewDescribeSecurityGroupRulesPaginator(c, &ec2.DescribeSecurityGroupRulesInput{MaxResults: aws.Int32(maxPage)}),
				func(o *ec2.DescribeSecurityGroupRulesOutput) []types.SecurityGroupRule { return o.SecurityGroupRules })
		}},
	{vpc.KindNetworkInterfaces, "DescribeNetworkInterfaces", FileNetworkInterfaces,
		"addresses are not resolved to interfaces and their groups; interface hops not evaluated",
		func(ctx context.Context, c *ec2.Client, path string) error {
			return pages(ctx, path, "NetworkInterfaces", ec2.NewDescribeNetworkInterfacesPaginator(c, &ec2.DescribeNetworkInterfacesInput{MaxResults: aws.Int32(maxPage)}),
				func(o *ec2.DescribeNetworkInterfacesOutput) []types.NetworkInterface { return o.NetworkInterfaces })
		}},
	{vpc.KindNetworkACLs, "DescribeNetworkAcls", FileNetworkACLs,
		"NACL hops not evaluated",
		func(ctx context.Context, c *ec2.Client, path string) error {
			return pages(ctx, path, "NetworkAcls", ec2.NewDescribeNetworkAclsPaginator(c, &ec2.DescribeNetworkAclsInput{MaxResults: aws.Int32(maxPageSmall)}),
				func(o *ec2.DescribeNetworkAclsOutput) []types.NetworkAcl { return o.NetworkAcls })
		}},
	{vpc.KindSubnets, "DescribeSubnets", FileSubnets,
		"subnet ranges not known; checks that need them are not evaluated",
		func(ctx context.Context, c *ec2.Client, path string) error {
			return pages(ctx, path, "Subnets", ec2.NewDescribeSubnetsPaginator(c, &ec2.DescribeSubnetsInput{MaxResults: aws.Int32(maxPage)}),
				func(o *ec2.DescribeSubnetsOutput) []types.Subnet { return o.Subnets })
		}},
	{vpc.KindVPCs, "DescribeVpcs", FileVPCs,
		"VPC ranges not known; checks that need them are not evaluated",
		func(ctx context.Context, c *ec2.Client, path string) error {
			return pages(ctx, path, "Vpcs", ec2.NewDescribeVpcsPaginator(c, &ec2.DescribeVpcsInput{MaxResults: aws.Int32(maxPage)}),
				func(o *ec2.DescribeVpcsOutput) []types.Vpc { return o.Vpcs })
		}},
}

// paginator is an SDK paginator of EC2 answers O.
type paginator[O any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*ec2.Options)) (O, error)
}

// pages reads every page of one call and writes the items to path as
// they come, one list as the CLI prints a merged result. The file is
// created with the first page and removed when a later page fails, so a
// refused or failed kind leaves no file behind.
func pages[O, T any](ctx context.Context, path, key string, p paginator[O], items func(O) []T) (err error) {
	var f *os.File
	var w *cliWriter
	defer func() {
		if err != nil && f != nil {
			f.Close()
			os.Remove(path)
		}
	}()
	for first := true; first || p.HasMorePages(); first = false {
		var page []T
		if p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				return err
			}
			page = items(out)
		}
		if f == nil {
			if f, err = os.Create(path); err != nil {
				return err
			}
			w = newCLIWriter(f, key)
		}
		if err = addItems(w, page); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
	}
	if err = w.finish(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}

func writeFile[T any](path, key string, items []T) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := writeCLIJSON(f, key, items); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}

// denied reports whether err is an access refusal: the kind is then
// missing, not the snapshot failed.
func denied(err error) (string, bool) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch c := ae.ErrorCode(); c {
		case "UnauthorizedOperation", "AccessDenied", "AccessDeniedException", "Client.UnauthorizedOperation":
			return c, true
		}
	}
	return "", false
}

// place reads one account and region into p.Dir.
func (s *run) place(ctx context.Context, cfg aws.Config, p *Place) error {
	if err := os.MkdirAll(p.Dir, 0o755); err != nil {
		return err
	}
	calls := map[string]int{}
	client := ec2.NewFromConfig(cfg, func(o *ec2.Options) {
		o.Region = p.Region
		o.APIOptions = append(o.APIOptions[:len(o.APIOptions):len(o.APIOptions)], s.counter(calls))
	})
	missing := make([]*inventory.MissingKind, len(kinds)+1)
	errs := make([]error, len(kinds)+1)
	var g safe.Group
	for i, k := range kinds {
		g.Go(func() {
			err := k.fetch(ctx, client, filepath.Join(p.Dir, k.file))
			if code, ok := denied(err); ok {
				missing[i] = &inventory.MissingKind{Kind: string(k.kind), Action: "ec2:" + k.action, Reason: "denied", Code: code, Effect: k.effect}
				return
			}
			if err != nil {
				errs[i] = fmt.Errorf("ec2:%s in %s/%s: %w", k.action, p.Account, p.Region, err)
			}
		})
	}
	g.Go(func() {
		m, err := prefixLists(ctx, client, p.Dir)
		if m != nil {
			missing[len(kinds)] = m
		}
		if err != nil {
			errs[len(kinds)] = fmt.Errorf("%s/%s: %w", p.Account, p.Region, err)
		}
	})
	g.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	var miss []inventory.MissingKind
	for _, m := range missing {
		if m != nil {
			miss = append(miss, *m)
		}
	}
	refineEffects(miss)
	s.mu.Lock()
	p.Manifest = inventory.Manifest{Walls: inventory.ManifestKind, Time: s.o.Now().UTC().Truncate(time.Second),
		Account: p.Account, Region: p.Region, Version: s.o.Version, Calls: calls, Missing: miss}
	s.mu.Unlock()
	return writeManifest(filepath.Join(p.Dir, inventory.ManifestFile), &p.Manifest)
}

// refineEffects words the effect of losing both shapes of SG rules.
func refineEffects(miss []inventory.MissingKind) {
	both := 0
	for _, m := range miss {
		if m.Kind == string(vpc.KindSecurityGroups) || m.Kind == string(vpc.KindSecurityGroupRules) {
			both++
		}
	}
	if both < 2 {
		return
	}
	for i := range miss {
		if miss[i].Kind == string(vpc.KindSecurityGroups) || miss[i].Kind == string(vpc.KindSecurityGroupRules) {
			miss[i].Effect = "no security group rules: SG hops not evaluated"
		}
	}
}

// prefixListEntriesConcurrency bounds the entry reads of one place.
const prefixListEntriesConcurrency = 4

// prefixLists reads the managed prefix lists and each list's entries. A
// refusal of either call is a missing kind; entries refused for one list
// are refused for all (the action has no per-list condition walls could
// meet), so the first refusal stops the entry reads.
func prefixLists(ctx context.Context, c *ec2.Client, dir string) (*inventory.MissingKind, error) {
	p := ec2.NewDescribeManagedPrefixListsPaginator(c, &ec2.DescribeManagedPrefixListsInput{MaxResults: aws.Int32(maxPageSmall)})
	lists := []types.ManagedPrefixList{}
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if code, ok := denied(err); ok {
			return &inventory.MissingKind{Kind: string(vpc.KindPrefixLists), Action: "ec2:DescribeManagedPrefixLists", Reason: "denied", Code: code,
				Effect: "rules that reference a managed prefix list are not evaluated"}, nil
		}
		if err != nil {
			return nil, fmt.Errorf("ec2:DescribeManagedPrefixLists: %w", err)
		}
		lists = append(lists, out.PrefixLists...)
	}
	if err := writeFile(filepath.Join(dir, FilePrefixLists), "PrefixLists", lists); err != nil {
		return nil, err
	}
	var (
		mu      sync.Mutex
		refused *inventory.MissingKind
		first   error
		g       safe.Group
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, prefixListEntriesConcurrency)
	for _, l := range lists {
		id := aws.ToString(l.PrefixListId)
		if id == "" || !plID(id) {
			continue
		}
		g.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if ctx.Err() != nil {
				return
			}
			ep := ec2.NewGetManagedPrefixListEntriesPaginator(c, &ec2.GetManagedPrefixListEntriesInput{PrefixListId: aws.String(id), MaxResults: aws.Int32(maxPageSmall)})
			err := pages(ctx, filepath.Join(dir, id+".json"), "Entries", ep,
				func(o *ec2.GetManagedPrefixListEntriesOutput) []types.PrefixListEntry { return o.Entries })
			if err == nil {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if code, ok := denied(err); ok {
				if refused == nil {
					refused = &inventory.MissingKind{Kind: KindPrefixListEntries, Action: "ec2:GetManagedPrefixListEntries", Reason: "denied", Code: code,
						Effect: "rules that reference a managed prefix list are not evaluated"}
				}
			} else if first == nil && !errors.Is(err, context.Canceled) {
				first = fmt.Errorf("ec2:GetManagedPrefixListEntries %s: %w", id, err)
			}
			cancel()
		})
	}
	g.Wait()
	if first != nil {
		return nil, first
	}
	if refused != nil {
		// Entries of some lists and not others would read as complete for
		// some rules only: keep none.
		for _, l := range lists {
			if id := aws.ToString(l.PrefixListId); plID(id) {
				os.Remove(filepath.Join(dir, id+".json"))
			}
		}
	}
	return refused, nil
}

// plID reports whether id is safe as a file name and matches the loader's
// pl-….json pattern.
func plID(id string) bool {
	if !strings.HasPrefix(id, "pl-") || len(id) == 3 {
		return false
	}
	for _, c := range id[3:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func writeManifest(path string, m *inventory.Manifest) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := inventory.WriteManifest(f, m); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
