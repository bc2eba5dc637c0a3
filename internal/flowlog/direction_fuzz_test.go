package flowlog

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/policy"
)

// FuzzDirection turns bytes into v2 records between a few interfaces with
// rules and outside addresses, and holds the classification to its
// invariants: every OK record is counted exactly once (exact, by rules,
// heuristic, ambiguous, transit, own address unknown), and a row the rules
// decided is a direction the rules admit.
func FuzzDirection(f *testing.F) {
	f.Add([]byte{0, 0, 1, 0x9d, 0x08, 0xc3, 0x51, 6, 1, 1, 1, 0xc3, 0x51, 0x9d, 0x08, 6, 1})
	f.Add([]byte{1, 2, 0, 0, 123, 0, 123, 17, 1, 1, 0, 2, 0, 0, 0, 0, 1, 1})
	f.Add([]byte{2, 3, 2, 0x13, 0x88, 0x80, 0xe8, 6, 1, 2, 2, 3, 0x80, 0xe8, 0x13, 0x88, 6, 0})
	addrs := []string{"10.0.1.10", "10.0.2.20", "10.0.5.5", "203.0.113.9", "198.51.100.7", "10.0.9.9"}
	enis := []string{"eni-a", "eni-b", "eni-c"}
	inv := dirInv(f, map[string]string{"eni-a": "10.0.1.10", "eni-b": "10.0.2.20", "eni-c": "10.0.5.5"},
		map[string][]string{"eni-a": {"sg-a"}, "eni-b": {"sg-b"}, "eni-c": {"sg-c"}},
		map[string][]string{"sg-a": {"tcp 22 10.0.0.0/16"}, "sg-b": {"tcp 50000 sg-a", "udp 123 10.0.0.0/16", "icmp 8/0 0.0.0.0/0"},
			"sg-c": {"all 10.0.0.0/16"}},
		map[string][]string{"sg-a": {"all 0.0.0.0/0"}, "sg-b": {"tcp 443 0.0.0.0/0"}, "sg-c": {"all 0.0.0.0/0"}})
	adm := policy.NewAdmission(inv)
	f.Fuzz(func(t *testing.T, data []byte) {
		var b strings.Builder
		for i := 0; i+9 <= len(data) && i < 9*200; i += 9 {
			r := data[i : i+9]
			proto := []int{6, 17, 1, 47}[r[7]%4]
			action := "ACCEPT"
			if r[8]%5 == 0 {
				action = "REJECT"
			}
			src, dst := addrs[int(r[1])%len(addrs)], addrs[int(r[2])%len(addrs)]
			if src == dst {
				continue
			}
			fmt.Fprintf(&b, "2 123456789012 %s %s %s %d %d %d 1 100 100 160 %s OK\n", enis[int(r[0])%len(enis)], src, dst,
				int(r[3])<<8|int(r[4]), int(r[5])<<8|int(r[6]), proto, action)
		}
		path := filepath.Join(t.TempDir(), "flows.log")
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := Aggregate(context.Background(), []string{path}, Options{Inventory: inv, Workers: 2, MaxBadRatio: -1})
		if err != nil {
			t.Fatal(err)
		}
		st := res.Stats
		if sum := st.ExactRecords + st.ByRulesRecords + st.HeuristicRecords + st.UndecidedRecords + st.ForwardedRecords; sum != st.Records {
			t.Fatalf("%d records, %d counted: %+v", st.Records, sum, st)
		}
		for _, o := range res.Observations {
			if o.Confidence != ByRules || !o.Accepted {
				continue
			}
			eni := inv.Interfaces[o.InterfaceID]
			local, remote := eni, adm.Interface(o.Remote)
			ok := o.Direction == Outbound && adm.MayStart(local, o.Local, remote, o.Remote, o.Protocol, o.Port, o.Port) ||
				o.Direction == Inbound && adm.MayStart(remote, o.Remote, local, o.Local, o.Protocol, o.Port, o.Port)
			if !ok {
				t.Fatalf("%s %s %s/%d %s: decided by rules that do not admit it", o.InterfaceID, o.Direction,
					ProtocolName(o.Protocol), o.Port, o.Remote)
			}
		}
	})
}
