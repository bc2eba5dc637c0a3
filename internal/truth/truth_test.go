package truth

import (
	"os"
	"strconv"
	"testing"
)

// numVPCs is how many random VPCs each format runs: 120 by default,
// WALLS_TRUTH_VPCS to change it.
func numVPCs(t *testing.T) int {
	if s := os.Getenv("WALLS_TRUTH_VPCS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("WALLS_TRUTH_VPCS=%q: want a positive number", s)
		}
		return n
	}
	if testing.Short() {
		return 20
	}
	return 120
}

// TestLearnHoldsTruth runs random VPCs and their traffic through observe
// and learn in every flow log format and holds the plan to the truth. Each
// world is generated, written and loaded once and its traffic written in
// every format; the formats' plans are held to the truth one by one.
func TestLearnHoldsTruth(t *testing.T) {
	n := numVPCs(t)
	tallies := make([]*tally, len(formats))
	for i := range formats {
		tallies[i] = newTally()
	}
	parent := t.TempDir()
	for seed := int64(1); seed <= int64(n); seed++ {
		g := newGen(seed)
		w := g.randomWorld(seed)
		g.randomTraffic()
		dir := scratch(t, parent)
		inv := loadWorld(t, w, dir)
		for i, f := range formats {
			p := pipeline(t, w, inv, g.conns, f, dir, seed)
			tallies[i].add(w, g.conns, p, f)
		}
		os.RemoveAll(dir)
	}
	for i, f := range formats {
		tl := tallies[i]
		t.Run(f.name, func(t *testing.T) {
			t.Run("allowed", tl.reportAllowed)
			t.Run("within", tl.reportWithin)
			t.Run("answered", tl.reportAnswered)
		})
	}
}
