package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/flowlog"
)

// The generated corpus, read back by flowlog, must give exactly the ground
// truth the generator wrote: who initiated every connection.
func TestCorpusMatchesTruth(t *testing.T) {
	for _, tc := range []struct {
		version int
		gz      bool
	}{{5, false}, {2, false}, {5, true}} {
		t.Run(fmt.Sprintf("v%d gzip=%v", tc.version, tc.gz), func(t *testing.T) {
			dir := t.TempDir()
			g := newGen(tc.version, 7)
			name := filepath.Join(dir, "flows.log")
			if tc.gz {
				name += ".gz"
			}
			if err := g.file(name, 2<<20, tc.gz); err != nil {
				t.Fatal(err)
			}
			truth := filepath.Join(dir, "truth.csv")
			if err := g.writeTruth(truth); err != nil {
				t.Fatal(err)
			}
			res, err := flowlog.Aggregate(context.Background(), []string{name}, flowlog.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, o := range res.Observations {
				got = append(got, fmt.Sprintf("%s,%s,%s,%d,%s,%v", o.InterfaceID, o.Direction,
					flowlog.ProtocolName(o.Protocol), o.Port, o.Remote, o.Accepted))
			}
			b, err := os.ReadFile(truth)
			if err != nil {
				t.Fatal(err)
			}
			want := strings.Split(strings.TrimSpace(string(b)), "\n")[1:]
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("observations differ from the truth: %d vs %d rows", len(got), len(want))
			}
			if tc.version == 5 && res.Stats.ExactRecords == 0 {
				t.Errorf("v5 corpus has no exact records")
			}
		})
	}
}
