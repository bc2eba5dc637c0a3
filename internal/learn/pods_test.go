package learn

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/walls-dev/walls/internal/flowlog"
)

// Two pods of one node reach the same database port (#14): pod 10.0.1.200
// has its own branch interface (security groups for pods), pod 10.0.1.201
// uses the node's groups. From flow-log records to a plan, each pod's
// group learns its own pod's connections: sg-pod needs the database, and
// so does sg-node for the other pod, which alone reaches the cache.
// (When the pods' rows were summed under the lowest local address, the
// whole row went to the branch interface and sg-node lost tcp/5432.)
func TestPodsLearnTheirOwnGroups(t *testing.T) {
	t.Parallel()
	const recs = `version interface-id instance-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status tcp-flags pkt-srcaddr pkt-dstaddr flow-direction
5 eni-node i-node 10.0.1.10 10.0.2.50 40001 5432 6 3 180 1700000000 1700000060 ACCEPT OK 2 10.0.1.200 10.0.2.50 egress
5 eni-node i-node 10.0.1.10 10.0.2.50 40002 5432 6 3 180 1700000000 1700000060 ACCEPT OK 2 10.0.1.201 10.0.2.50 egress
5 eni-node i-node 10.0.1.10 10.0.2.60 40003 6379 6 3 180 1700000000 1700000060 ACCEPT OK 2 10.0.1.201 10.0.2.60 egress
`
	p := filepath.Join(t.TempDir(), "pods.log")
	if err := os.WriteFile(p, []byte(recs), 0o600); err != nil {
		t.Fatal(err)
	}
	inv := newInv()
	addGroup(inv, "sg-node", allOut()...)
	addGroup(inv, "sg-pod", allOut()...)
	addENI(inv, "eni-node", "10.0.1.10", "sg-node")
	inv.Interfaces["eni-node"].Type = "trunk"
	addENI(inv, "eni-pod", "10.0.1.200", "sg-pod")
	inv.Interfaces["eni-pod"].Type = "branch"
	res, err := flowlog.Aggregate(context.Background(), []string{p}, flowlog.Options{Inventory: inv})
	if err != nil {
		t.Fatal(err)
	}
	pl := mustLearn(t, inv, res.Observations, Options{})
	for g, want := range map[string][]string{
		"sg-pod":  {"egress tcp 5432 to 10.0.2.50/32"},
		"sg-node": {"egress tcp 5432 to 10.0.2.50/32", "egress tcp 6379 to 10.0.2.60/32"},
	} {
		if got := proposed(t, pl, g); !equal(got, want) {
			t.Errorf("%s: got %q, want %q", g, got, want)
		}
	}
}
