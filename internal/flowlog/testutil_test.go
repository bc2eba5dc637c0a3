package flowlog

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/walls-dev/walls/internal/vpc"
)

// row renders an observation compactly for hand-written expectations:
// "eni-1 inbound tcp/22 198.51.100.7 accept exact flows=2 pkts=3 bytes=4".
func row(o Observation) string {
	act := "accept"
	if !o.Accepted {
		act = "reject"
	}
	s := fmt.Sprintf("%s %s %s/%d %s %s %s flows=%d pkts=%d bytes=%d", o.InterfaceID, o.Direction,
		ProtocolName(o.Protocol), o.Port, o.Remote, act, o.Confidence, o.Flows, o.Packets, o.Bytes)
	if o.LocalUndetermined {
		s += fmt.Sprintf(" local=%s undetermined", o.Local)
	}
	return s
}

// forwardedRows renders forwarded traffic as
// "eni-1 tcp/443 10.0.1.5 -> 203.0.113.5 accept exact flows=2".
func forwardedRows(r *Result) []string {
	var out []string
	for _, f := range r.Forwarded {
		act := "accept"
		if !f.Accepted {
			act = "reject"
		}
		out = append(out, fmt.Sprintf("%s %s/%d %s -> %s %s %s flows=%d", f.InterfaceID, ProtocolName(f.Protocol), f.Port,
			f.Initiator, f.Responder, act, f.Confidence, f.Flows))
	}
	return out
}

func rows(r *Result) []string {
	out := make([]string, len(r.Observations))
	for i, o := range r.Observations {
		out[i] = row(o)
	}
	return out
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func aggregate(t *testing.T, srcs []string, opts Options) *Result {
	t.Helper()
	res, err := Aggregate(context.Background(), srcs, opts)
	if err != nil {
		t.Fatalf("Aggregate: %v", err)
	}
	return res
}

func equalLines(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("observations:\n got:\n  %s\n want:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// eniInv builds an inventory with interfaces given as id -> addresses,
// optionally typed "id:type".
func eniInv(enis map[string][]string) *vpc.Inventory {
	inv := vpc.New()
	for id, addrs := range enis {
		typ := "interface"
		if i := strings.IndexByte(id, ':'); i >= 0 {
			id, typ = id[:i], id[i+1:]
		}
		e := &vpc.Interface{ID: id, Type: typ}
		for _, a := range addrs {
			ad := netip.MustParseAddr(a)
			if ad.Is4() {
				e.PrivateIPs = append(e.PrivateIPs, ad)
			} else {
				e.IPv6s = append(e.IPv6s, ad)
			}
		}
		inv.Interfaces[id] = e
	}
	inv.Loaded[vpc.KindNetworkInterfaces] = true
	return inv
}

func unix(s int64) time.Time { return time.Unix(s, 0) }
