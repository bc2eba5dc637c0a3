package learn

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/walls-dev/walls/internal/flowlog"
	"github.com/walls-dev/walls/internal/inventory"
	"github.com/walls-dev/walls/internal/plan"
)

// TestSeedFlowLogs learns the seed article's scenario from real flow log
// text, in the default version-2 format (initiator from the rules) and in
// version 5 (flow-direction and tcp-flags): the workers need tcp 80, 443
// and 21 to the world and nothing for the SSH sessions engineers start;
// the database's group, whose member only answered, is left as it is when
// it had no traffic, and the proof and the replay hold.
func TestSeedFlowLogs(t *testing.T) {
	t.Parallel()
	const workers, db = "sg-0a1b2c3d4e5f60021", "sg-0a1b2c3d4e5f60022"
	for _, file := range []string{"workers-v2.log", "workers-v5.log"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			inv, err := inventory.Load([]string{filepath.Join("testdata", "seed", "inventory")})
			if err != nil {
				t.Fatal(err)
			}
			res, err := flowlog.Aggregate(context.Background(), []string{filepath.Join("testdata", "seed", file)},
				flowlog.Options{Inventory: inv, Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			p := mustLearn(t, inv, res.Observations, Options{})
			want := []string{"egress tcp 21 to 0.0.0.0/0", "egress tcp 443 to 0.0.0.0/0", "egress tcp 80 to 0.0.0.0/0"}
			if got := proposed(t, p, workers); !equal(got, want) {
				t.Errorf("workers = %q, want %q", got, want)
			}
			if g := p.Group(db); g.Status != plan.StatusUnchanged {
				t.Errorf("database group %s: %s", g.Status, g.Reason)
			}
			// Without tcp-flags the workers' rules prove the direction: their
			// ingress admits nothing on the mirrors' client ports.
			wantConf := "exact"
			if file == "workers-v2.log" {
				wantConf = "by-rules"
			}
			for _, r := range p.Group(workers).ProposedEgress {
				if r.Evidence.Confidence != wantConf {
					t.Errorf("%s %d: confidence %s, want %s", r.IPProtocol, r.FromPort, r.Evidence.Confidence, wantConf)
				}
			}
		})
	}
}
