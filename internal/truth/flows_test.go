package truth

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// format is one way flow logs are written.
type format struct {
	name   string
	header bool
	fields []string
}

var v2Fields = strings.Fields("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status")
var v3Fields = append(append([]string{}, v2Fields...), strings.Fields("vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr")...)
var v5Fields = append(append([]string{}, v3Fields...), strings.Fields("region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path")...)

var formats = []format{
	{"v2", false, v2Fields},
	{"v2-header", true, v2Fields},
	{"v3", true, v3Fields},
	{"v5", true, v5Fields},
}

func (f format) has(field string) bool {
	for _, x := range f.fields {
		if x == field {
			return true
		}
	}
	return false
}

func (f format) version() int {
	switch {
	case f.has("flow-direction"):
		return 5
	case f.has("tcp-flags"):
		return 3
	}
	return 2
}

// TCP flags as flow logs report them: only SYN, FIN, RST and SYN-ACK.
const (
	flagFIN    = 1
	flagSYN    = 2
	flagSYNACK = 18
)

// record is one flow log line's content before formatting.
type record struct {
	e            *eni // the interface that logged it
	src, dst     string
	sport, dport int
	proto        int
	packets      int
	start, end   int64
	accept       bool
	flags        int
}

// records renders the logs of every logging interface of the world.
func records(w *world, conns []*conn, r *rand.Rand) []record {
	var out []record
	for _, c := range conns {
		var loggers []*eni
		if c.init != nil && c.init.logs {
			loggers = append(loggers, c.init)
		}
		// A connection the initiator's egress denies never reaches the
		// responder.
		if c.resp != nil && c.resp.logs && (c.accepted || c.init == nil || w.unfiltered(c.dst) ||
			w.sgAllows(c.init.groups, true, c.request(c.dst))) {
			loggers = append(loggers, c.resp)
		}
		for i := 0; i < c.windows; i++ {
			if i == 0 && c.dropSYN {
				continue
			}
			start := c.start + int64(60*i)
			end := start + 60
			reqFlags, repFlags := 0, 0
			if c.proto == pTCP {
				if i == 0 {
					reqFlags, repFlags = flagSYN, flagSYNACK
				}
				if i == c.windows-1 && c.accepted {
					reqFlags |= flagFIN
					repFlags |= flagFIN
				}
				if !c.accepted {
					reqFlags = 0
					if i == 0 {
						reqFlags = flagSYN
					}
				}
			}
			for _, e := range loggers {
				out = append(out, record{e: e, src: c.src.String(), dst: c.dst.String(), sport: c.sport, dport: c.dport,
					proto: c.proto, packets: 1 + r.Intn(20), start: start, end: end, accept: c.accepted, flags: reqFlags})
				if c.accepted {
					out = append(out, record{e: e, src: c.dst.String(), dst: c.src.String(), sport: c.dport, dport: c.sport,
						proto: c.proto, packets: 1 + r.Intn(20), start: start, end: end, accept: true, flags: repFlags})
				}
			}
		}
	}
	return out
}

// line formats a record in f.
func (f format) line(w *world, rec record) string {
	vals := make([]string, len(f.fields))
	outbound := rec.e.has(mustAddr(rec.src))
	for i, name := range f.fields {
		v := "-"
		switch name {
		case "version":
			v = fmt.Sprint(f.version())
		case "account-id":
			v = w.account
		case "interface-id":
			v = rec.e.id
		case "srcaddr", "pkt-srcaddr":
			v = rec.src
		case "dstaddr", "pkt-dstaddr":
			v = rec.dst
		case "srcport":
			v = fmt.Sprint(rec.sport)
		case "dstport":
			v = fmt.Sprint(rec.dport)
		case "protocol":
			v = fmt.Sprint(rec.proto)
		case "packets":
			v = fmt.Sprint(rec.packets)
		case "bytes":
			v = fmt.Sprint(rec.packets * 120)
		case "start":
			v = fmt.Sprint(rec.start)
		case "end":
			v = fmt.Sprint(rec.end)
		case "action":
			v = "REJECT"
			if rec.accept {
				v = "ACCEPT"
			}
		case "log-status":
			v = "OK"
		case "vpc-id":
			v = w.vpcID
		case "subnet-id":
			v = w.subnets[rec.e.subnet].id
		case "instance-id":
			v = rec.e.instance
		case "tcp-flags":
			v = fmt.Sprint(rec.flags)
		case "type":
			v = "IPv4"
		case "region":
			v = "us-east-1"
		case "az-id":
			v = fmt.Sprintf("use1-az%d", 1+int(w.subnets[rec.e.subnet].az[len("us-east-1")]-'a'))
		case "flow-direction":
			v = "ingress"
			if outbound {
				v = "egress"
			}
		case "traffic-path":
			if outbound {
				v = "8"
				if w.cidr.Contains(mustAddr(rec.dst)) {
					v = "1"
				}
			}
		}
		vals[i] = v
	}
	return strings.Join(vals, " ")
}

// writeFlows writes the records, shuffled, into two files of dir.
func writeFlows(t testing.TB, w *world, recs []record, f format, dir string, r *rand.Rand) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
	var files [2]strings.Builder
	for i := range files {
		if f.header {
			files[i].WriteString(strings.Join(f.fields, " ") + "\n")
		}
	}
	for i, rec := range recs {
		b := &files[i%2]
		b.WriteString(f.line(w, rec))
		b.WriteByte('\n')
	}
	for i := range files {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("flows-%d.log", i)), []byte(files[i].String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
