// Command flowgen writes a synthetic VPC Flow Logs corpus for benchmarks and
// accuracy tests, with the ground truth of who initiated each connection.
//
// The mix follows a typical three-tier VPC: a web tier served from the
// internet (tcp/443 and tcp/80), web to app (tcp/8080), app to database
// (tcp/5432, long pooled connections spanning many windows), workers to
// package mirrors (tcp/443, tcp/80) and S3 (tcp/443), bastion SSH in from
// admins and out to the app tier, DNS to a custom resolver (udp/53), and
// rejected scans from the internet. Every in-VPC endpoint logs its own
// egress and ingress records per aggregation window, as AWS does.
//
//	flowgen -version 5 -size 1G -o bench/out/v5.log -truth bench/out/v5.truth.csv
//	flowgen -version 2 -size 200M -gzip -files 8 -o bench/out/v2gz/
//
// The truth file lists every distinct (interface, direction, protocol,
// port, remote, accepted) the corpus holds, as observe should report it.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/klauspost/compress/gzip"
)

const (
	v2Header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"
	v5Header = "version srcaddr dstaddr srcport dstport protocol start end type packets bytes account-id vpc-id subnet-id instance-id interface-id region az-id sublocation-type sublocation-id action tcp-flags pkt-srcaddr pkt-dstaddr pkt-src-aws-service pkt-dst-aws-service traffic-path flow-direction log-status"
	account  = "123456789012"
	vpcID    = "vpc-0a1b2c3d4e5f60718"
)

type eni struct {
	id, subnet, instance string
	addr                 netip.Addr
}

type endpoint struct {
	addr netip.Addr
	eni  *eni // nil outside the VPC
	svc  string
}

type truthKey struct {
	eni, dir, proto string
	port            int
	remote          string
	accepted        bool
}

type gen struct {
	rng     *rand.Rand
	version int
	w       *bufio.Writer
	written int64
	now     int64
	buf     []byte
	truth   map[truthKey]bool

	web, app, db, workers []*eni
	bastion, resolver     *eni
	clients, admins       []netip.Addr
	mirrors, s3           []netip.Addr
}

func main() {
	version := flag.Int("version", 5, "flow log version: 2 (default format) or 5 (custom format with tcp-flags and flow-direction)")
	sizeS := flag.String("size", "100M", "approximate total size of the uncompressed records (K, M, G suffixes)")
	out := flag.String("o", "", "output file, or a folder when -files > 1")
	files := flag.Int("files", 1, "number of files to write (S3 writes many)")
	gz := flag.Bool("gzip", false, "gzip each file, as S3 delivers them")
	truthPath := flag.String("truth", "", "write the ground truth (CSV) here")
	seed := flag.Uint64("seed", 1, "random seed; the same seed and flags give the same corpus")
	flag.Parse()
	size, err := parseSize(*sizeS)
	if err != nil || *out == "" || (*version != 2 && *version != 5) || *files < 1 {
		fmt.Fprintln(os.Stderr, "usage: flowgen -version 2|5 -size 1G -o FILE [-files N -gzip -truth FILE -seed N]")
		os.Exit(2)
	}
	g := newGen(*version, *seed)
	per := size / int64(*files)
	for i := 0; i < *files; i++ {
		name := *out
		if *files > 1 {
			name = filepath.Join(*out, fmt.Sprintf("%s_vpcflowlogs_us-east-1_fl-0123456789abcdef0_20260101T%02d%02dZ_%08x.log", account, i/12, i%12*5, i))
		}
		if *gz && !strings.HasSuffix(name, ".gz") {
			name += ".gz"
		}
		if err := g.file(name, per, *gz); err != nil {
			fmt.Fprintln(os.Stderr, "flowgen:", err)
			os.Exit(1)
		}
	}
	if *truthPath != "" {
		if err := g.writeTruth(*truthPath); err != nil {
			fmt.Fprintln(os.Stderr, "flowgen:", err)
			os.Exit(1)
		}
	}
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "K"):
		mult, s = 1<<10, s[:len(s)-1]
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, s[:len(s)-1]
	case strings.HasSuffix(s, "G"):
		mult, s = 1<<30, s[:len(s)-1]
	}
	n, err := strconv.ParseFloat(s, 64)
	return int64(n * float64(mult)), err
}

func newGen(version int, seed uint64) *gen {
	g := &gen{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), version: version,
		now: 1767225600, truth: map[truthKey]bool{}}
	mk := func(prefix string, subnet int, n int) []*eni {
		var out []*eni
		for i := 0; i < n; i++ {
			out = append(out, &eni{
				id:       fmt.Sprintf("eni-%s%013x", prefix, subnet*256+i),
				subnet:   fmt.Sprintf("subnet-0%016x", subnet),
				instance: fmt.Sprintf("i-0%016x", subnet*256+i),
				addr:     netip.AddrFrom4([4]byte{10, 0, byte(subnet), byte(10 + i)}),
			})
		}
		return out
	}
	g.web = mk("0aaa", 1, 8)
	g.app = mk("0bbb", 2, 8)
	g.db = mk("0ccc", 3, 2)
	g.workers = mk("0ddd", 4, 6)
	g.bastion = mk("0eee", 0, 1)[0]
	g.resolver = mk("0fff", 5, 1)[0]
	for i := 0; i < 40000; i++ {
		g.clients = append(g.clients, netip.AddrFrom4([4]byte{byte(23 + g.rng.IntN(150)), byte(g.rng.IntN(256)), byte(g.rng.IntN(256)), byte(1 + g.rng.IntN(254))}))
	}
	g.admins = []netip.Addr{netip.MustParseAddr("198.51.100.7"), netip.MustParseAddr("198.51.100.8")}
	g.mirrors = []netip.Addr{netip.MustParseAddr("151.101.2.132"), netip.MustParseAddr("151.101.66.132"), netip.MustParseAddr("18.160.10.21"), netip.MustParseAddr("91.189.91.82")}
	for i := 0; i < 64; i++ {
		g.s3 = append(g.s3, netip.AddrFrom4([4]byte{52, 216, byte(g.rng.IntN(256)), byte(1 + g.rng.IntN(254))}))
	}
	return g
}

func (g *gen) file(name string, size int64, gz bool) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	var w io.Writer = f
	var zw *gzip.Writer
	if gz {
		zw, _ = gzip.NewWriterLevel(f, gzip.DefaultCompression)
		w = zw
	}
	g.w = bufio.NewWriterSize(w, 1<<20)
	g.written = 0
	if g.version == 2 {
		g.line(v2Header)
	} else {
		g.line(v5Header)
	}
	for g.written < size {
		g.connection()
		g.now += int64(g.rng.IntN(2))
	}
	if err := g.w.Flush(); err != nil {
		return err
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return err
		}
	}
	return f.Close()
}

func (g *gen) line(s string) {
	g.w.WriteString(s)
	g.w.WriteByte('\n')
	g.written += int64(len(s) + 1)
}

func (g *gen) pick(s []*eni) *eni              { return s[g.rng.IntN(len(s))] }
func (g *gen) pickA(s []netip.Addr) netip.Addr { return s[g.rng.IntN(len(s))] }
func (g *gen) ephemeral() int                  { return 32768 + g.rng.IntN(28232) }

// connection emits one connection chosen from the mix.
func (g *gen) connection() {
	r := g.rng.IntN(1000)
	switch {
	case r < 450: // internet clients to the web tier
		port := 443
		if g.rng.IntN(10) == 0 {
			port = 80
		}
		w := g.pick(g.web)
		g.conn(endpoint{addr: g.pickA(g.clients)}, g.ephemeral(), endpoint{addr: w.addr, eni: w}, port, 6, true, 1)
	case r < 700: // web to app
		w, a := g.pick(g.web), g.pick(g.app)
		g.conn(endpoint{addr: w.addr, eni: w}, g.ephemeral(), endpoint{addr: a.addr, eni: a}, 8080, 6, true, 1)
	case r < 760: // app to database: pooled, long
		a, d := g.pick(g.app), g.pick(g.db)
		g.conn(endpoint{addr: a.addr, eni: a}, g.ephemeral(), endpoint{addr: d.addr, eni: d}, 5432, 6, true, 2+g.rng.IntN(12))
	case r < 820: // workers to package mirrors
		w := g.pick(g.workers)
		port := 443
		if g.rng.IntN(3) == 0 {
			port = 80
		}
		g.conn(endpoint{addr: w.addr, eni: w}, g.ephemeral(), endpoint{addr: g.pickA(g.mirrors)}, port, 6, true, 1+g.rng.IntN(2))
	case r < 900: // workers to S3
		w := g.pick(g.workers)
		g.conn(endpoint{addr: w.addr, eni: w}, g.ephemeral(), endpoint{addr: g.pickA(g.s3), svc: "S3"}, 443, 6, true, 1)
	case r < 930: // DNS to the custom resolver
		w := g.pick(append(g.app, g.workers...))
		g.conn(endpoint{addr: w.addr, eni: w}, g.ephemeral(), endpoint{addr: g.resolver.addr, eni: g.resolver}, 53, 17, true, 1)
	case r < 935: // admins SSH into the bastion
		g.conn(endpoint{addr: g.pickA(g.admins)}, g.ephemeral(), endpoint{addr: g.bastion.addr, eni: g.bastion}, 22, 6, true, 1+g.rng.IntN(4))
	case r < 945: // bastion SSH to the app tier
		a := g.pick(g.app)
		g.conn(endpoint{addr: g.bastion.addr, eni: g.bastion}, g.ephemeral(), endpoint{addr: a.addr, eni: a}, 22, 6, true, 1+g.rng.IntN(3))
	default: // rejected scans
		ports := []int{22, 23, 445, 3389, 1433, 3306, 5900, 8080, 6379, 9200}
		t := g.pick(append(g.web, g.bastion))
		g.conn(endpoint{addr: g.pickA(g.clients)}, 1024+g.rng.IntN(64000), endpoint{addr: t.addr, eni: t}, ports[g.rng.IntN(len(ports))], 6, false, 1)
	}
}

// conn writes the records of one connection from client:cport to
// server:sport lasting windows aggregation windows, on every logged end.
func (g *gen) conn(client endpoint, cport int, server endpoint, sport, proto int, accepted bool, windows int) {
	start := g.now
	for w := 0; w < windows; w++ {
		first, last := w == 0, w == windows-1
		cf, sf := 0, 0 // tcp-flags of client->server and server->client
		if proto == 6 {
			if first {
				cf, sf = 2, 18
			}
			if last {
				cf |= 1
				sf |= 1
			}
			if !accepted {
				cf, sf = 2, -1
			}
		}
		pk := 1 + g.rng.IntN(40)
		by := pk * (60 + g.rng.IntN(1400))
		rpk := 1 + g.rng.IntN(40)
		rby := rpk * (60 + g.rng.IntN(1400))
		ws, we := start+int64(w*60), start+int64(w*60+1+g.rng.IntN(59))
		for _, side := range []*eni{client.eni, server.eni} {
			if side == nil {
				continue
			}
			g.record(side, client, cport, server, sport, proto, pk, by, ws, we, accepted, cf, side == client.eni)
			if sf >= 0 {
				g.record(side, server, sport, client, cport, proto, rpk, rby, ws, we, accepted, sf, side == server.eni)
			}
		}
	}
	// Ground truth: the client initiated.
	if client.eni != nil {
		g.truth[truthKey{client.eni.id, "outbound", protoName(proto), sport, server.addr.String(), accepted}] = true
	}
	if server.eni != nil {
		g.truth[truthKey{server.eni.id, "inbound", protoName(proto), sport, client.addr.String(), accepted}] = true
	}
}

func protoName(p int) string {
	switch p {
	case 6:
		return "tcp"
	case 17:
		return "udp"
	}
	return strconv.Itoa(p)
}

// record writes one record on interface e of packets from src to dst.
func (g *gen) record(e *eni, src endpoint, sport int, dst endpoint, dport, proto, pk, by int, ws, we int64, accepted bool, flags int, egress bool) {
	b := g.buf[:0]
	act := "ACCEPT"
	if !accepted {
		act = "REJECT"
	}
	if g.version == 2 {
		b = append(b, "2 "+account+" "...)
		b = append(b, e.id...)
		b = append(b, ' ')
		b = src.addr.AppendTo(b)
		b = append(b, ' ')
		b = dst.addr.AppendTo(b)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(sport), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(dport), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(proto), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(pk), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(by), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, ws, 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, we, 10)
		b = append(b, ' ')
		b = append(b, act...)
		b = append(b, " OK"...)
	} else {
		b = append(b, "5 "...)
		b = src.addr.AppendTo(b)
		b = append(b, ' ')
		b = dst.addr.AppendTo(b)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(sport), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(dport), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(proto), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, ws, 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, we, 10)
		b = append(b, " IPv4 "...)
		b = strconv.AppendInt(b, int64(pk), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(by), 10)
		b = append(b, " "+account+" "+vpcID+" "...)
		b = append(b, e.subnet...)
		b = append(b, ' ')
		b = append(b, e.instance...)
		b = append(b, ' ')
		b = append(b, e.id...)
		b = append(b, " us-east-1 use1-az1 - - "...)
		b = append(b, act...)
		b = append(b, ' ')
		if proto == 6 {
			b = strconv.AppendInt(b, int64(flags), 10)
		} else {
			b = append(b, '-')
		}
		b = append(b, ' ')
		b = src.addr.AppendTo(b)
		b = append(b, ' ')
		b = dst.addr.AppendTo(b)
		b = append(b, ' ')
		b = appendDash(b, src.svc)
		b = append(b, ' ')
		b = appendDash(b, dst.svc)
		if egress {
			path := "1"
			if dst.eni == nil {
				path = "8"
			}
			b = append(b, ' ')
			b = append(b, path...)
			b = append(b, " egress OK"...)
		} else {
			b = append(b, " - ingress OK"...)
		}
	}
	b = append(b, '\n')
	g.w.Write(b)
	g.written += int64(len(b))
	g.buf = b
}

func appendDash(b []byte, s string) []byte {
	if s == "" {
		return append(b, '-')
	}
	return append(b, s...)
}

func (g *gen) writeTruth(path string) error {
	keys := make([]truthKey, 0, len(g.truth))
	for k := range g.truth {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.eni != b.eni {
			return a.eni < b.eni
		}
		if a.accepted != b.accepted {
			return a.accepted
		}
		if a.dir != b.dir {
			return a.dir > b.dir // outbound before inbound, as observe sorts
		}
		if a.proto != b.proto {
			return a.proto < b.proto
		}
		if a.port != b.port {
			return a.port < b.port
		}
		return a.remote < b.remote
	})
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "interfaceId,direction,protocol,port,remote,accepted")
	for _, k := range keys {
		fmt.Fprintf(w, "%s,%s,%s,%d,%s,%v\n", k.eni, k.dir, k.proto, k.port, k.remote, k.accepted)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
