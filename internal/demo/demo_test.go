package demo_test

import (
	"context"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/demo"
	"github.com/walls-dev/walls/internal/flowlog"
	"github.com/walls-dev/walls/internal/inventory"
)

// record is one flow log line, by column name.
type record map[string]string

func (r record) port(col string, t *testing.T) int {
	t.Helper()
	n, err := strconv.Atoi(r[col])
	if err != nil {
		t.Fatalf("%s %q: %v", col, r[col], err)
	}
	return n
}

// readLog splits an embedded flow log into records keyed by its header.
func readLog(t *testing.T, name string) []record {
	t.Helper()
	b, err := demo.ReadFile("flows/" + name)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	header := strings.Fields(lines[0])
	var out []record
	for i, line := range lines[1:] {
		f := strings.Fields(line)
		if len(f) != len(header) {
			t.Fatalf("%s:%d: %d fields, header has %d", name, i+2, len(f), len(header))
		}
		r := record{}
		for j, h := range header {
			r[h] = f[j]
		}
		out = append(out, r)
	}
	return out
}

// TestFTPDataConnections: both flow logs hold yum's passive FTP as it
// happens. Each worker opens a control connection to port 21 and data
// connections from its ephemeral ports (32768-60999) to the mirror's high
// ports; the mirror answers each one; the data ports seen are exactly
// FTPDataPorts; in version 5 the worker's record carries the SYN without
// ACK and the mirror's the SYN-ACK, so who started is not in doubt.
func TestFTPDataConnections(t *testing.T) {
	workers := map[string]bool{demo.Worker1IP: true, "10.0.1.11": true}
	for _, name := range []string{"workers-v5.log", "workers-v2.log"} {
		t.Run(name, func(t *testing.T) {
			recs := readLog(t, name)
			type conn struct{ worker, cport, sport string }
			requests, replies := map[conn]record{}, map[conn]bool{}
			control := map[string]bool{}
			var data []uint16
			for _, r := range recs {
				switch {
				case workers[r["srcaddr"]] && r["dstaddr"] == demo.FTPMirrorIP:
					c := conn{r["srcaddr"], r["srcport"], r["dstport"]}
					requests[c] = r
					if cp := r.port("srcport", t); cp < 32768 || cp > 60999 {
						t.Errorf("%v: client port %d outside the Linux ephemeral range", c, cp)
					}
					switch sp := r.port("dstport", t); {
					case sp == 21:
						control[c.worker] = true
					case sp >= 1024:
						data = append(data, uint16(sp))
					default:
						t.Errorf("%v: unexpected FTP port %d", c, sp)
					}
					if name == "workers-v5.log" {
						if f := r.port("tcp-flags", t); f&2 == 0 || f&16 != 0 || r["flow-direction"] != "egress" {
							t.Errorf("%v: tcp-flags %d, %s: want the client's SYN, egress", c, f, r["flow-direction"])
						}
					}
				case r["srcaddr"] == demo.FTPMirrorIP && workers[r["dstaddr"]]:
					c := conn{r["dstaddr"], r["dstport"], r["srcport"]}
					replies[c] = true
					if name == "workers-v5.log" {
						if f := r.port("tcp-flags", t); f&18 != 18 || r["flow-direction"] != "ingress" {
							t.Errorf("%v: tcp-flags %d, %s: want the server's SYN-ACK, ingress", c, f, r["flow-direction"])
						}
					}
				}
			}
			for c := range requests {
				if !replies[c] {
					t.Errorf("%v: no reply record from the mirror", c)
				}
			}
			if len(requests) != len(replies) {
				t.Errorf("%d requests, %d replies", len(requests), len(replies))
			}
			for w := range workers {
				if !control[w] {
					t.Errorf("worker %s: no control connection to port 21", w)
				}
			}
			slices.Sort(data)
			if !slices.Equal(data, demo.FTPDataPorts()) {
				t.Errorf("data ports %v, want FTPDataPorts %v", data, demo.FTPDataPorts())
			}
			if !slices.Contains(data, demo.FTPDataPort) {
				t.Errorf("FTPDataPort %d is not among the data ports %v", demo.FTPDataPort, data)
			}
		})
	}
}

// TestFTPDataObserved: walls reads the version-5 log's data connections
// as the workers' own, exactly, and none as started by the mirror.
func TestFTPDataObserved(t *testing.T) {
	ws, err := demo.NewWorkspace()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	inv, err := inventory.Load(ws.Inventory(demo.Today))
	if err != nil {
		t.Fatal(err)
	}
	res, err := flowlog.Aggregate(context.Background(), []string{ws.Flows(5)}, flowlog.Options{Inventory: inv, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	mirror := netip.MustParseAddr(demo.FTPMirrorIP)
	var got []uint16
	for _, o := range res.Observations {
		if o.Remote != mirror {
			continue
		}
		if o.Direction != flowlog.Outbound || o.Confidence != flowlog.Exact || !o.Accepted {
			t.Errorf("%s port %d: %s %s accepted=%v, want outbound exact accepted", o.InterfaceID, o.Port, o.Direction, o.Confidence, o.Accepted)
		}
		if o.Port != 21 {
			got = append(got, o.Port)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, demo.FTPDataPorts()) {
		t.Errorf("observed data ports %v, want %v", got, demo.FTPDataPorts())
	}
}

// TestEngineerSSHClientPort: worker 1's SSH sessions come from the
// engineers' office on EngineerSSHClientPort, in both logs.
func TestEngineerSSHClientPort(t *testing.T) {
	for _, name := range []string{"workers-v5.log", "workers-v2.log"} {
		found := false
		for _, r := range readLog(t, name) {
			if r["srcaddr"] == demo.EngineerIP && r["dstaddr"] == demo.Worker1IP && r["dstport"] == "22" {
				found = true
				if p := r.port("srcport", t); p != demo.EngineerSSHClientPort {
					t.Errorf("%s: SSH from port %d, want EngineerSSHClientPort %d", name, p, demo.EngineerSSHClientPort)
				}
			}
		}
		if !found {
			t.Errorf("%s: no SSH session from %s to %s", name, demo.EngineerIP, demo.Worker1IP)
		}
	}
}
