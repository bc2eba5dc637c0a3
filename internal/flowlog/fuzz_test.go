package flowlog

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
)

// FuzzParseLine feeds arbitrary lines to the record parser in the default,
// a v3 and a v5 format: it must never panic, and what it accepts must hold
// together.
func FuzzParseLine(f *testing.F) {
	for _, s := range []string{
		"2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
		"2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
		"2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK",
		string(benchLine),
		"3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789010 IPv4 52.213.180.42 10.0.0.62 43416 5001 52.213.180.42 10.0.0.62 6 568 8 1566848875 1566848933 ACCEPT 2 OK",
		"2  eni-1\t1.2.3.4 fe80::1%eth0 1 2 3 4 5 6 7 ACCEPT OK\r",
	} {
		f.Add([]byte(s))
	}
	formats := []*Format{DefaultFormat(), mustHeader(benchHeader),
		mustHeader("version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status")}
	f.Fuzz(func(t *testing.T, line []byte) {
		var r, r2 Record
		// The same line followed by more bytes in its capacity, as lines of
		// a chunk are: the parser may read into them but must not use them.
		ext := make([]byte, len(line)+80)
		copy(ext, line)
		for i := len(line); i < len(ext); i++ {
			ext[i] = " x\t9."[i%5]
		}
		inChunk := ext[:len(line)]
		for _, fm := range formats {
			err := fm.Parse(line, &r)
			err2 := fm.Parse(inChunk, &r2)
			if fmt.Sprint(err) != fmt.Sprint(err2) || err == nil && recordFields(&r) != recordFields(&r2) {
				t.Fatalf("%q: alone %v %s, in a chunk %v %s", line, err, recordFields(&r), err2, recordFields(&r2))
			}
			// Parse assigns every field: a record full of an earlier line's
			// values must come out the same as a fresh one.
			used := dirtyRecord()
			if err3 := fm.Parse(line, &used); fmt.Sprint(err3) != fmt.Sprint(err) || err == nil && recordFields(&used) != recordFields(&r) {
				t.Fatalf("%q: into a used record %v %s, fresh %v %s", line, err3, recordFields(&used), err, recordFields(&r))
			}
			if err != nil {
				continue
			}
			if r.SrcPort > 65535 || r.DstPort > 65535 || r.Protocol > 255 || r.TCPFlags > 255 {
				t.Fatalf("out of range values accepted: %+v", r)
			}
			if r.Status == StatusOK && (!r.SrcAddr.IsValid() || !r.DstAddr.IsValid() || len(r.InterfaceID) == 0) {
				t.Fatalf("OK record without addresses or interface: %q", line)
			}
			for i := 0; i < fm.Len(); i++ {
				if c := r.Column(i); len(c) == 0 || strings.ContainsAny(string(c), " \t\n") {
					t.Fatalf("column %d = %q", i, c)
				}
			}
			w := newWorker(newStore(), newPortClasses(nil), 0, 0, 1)
			w.addRecord(fm, &r)
			if r.Status == StatusOK {
				d := w.pc.makeFact(&r)
				if k, ok := w.pc.key4(&r, 5); ok != d.v4() || ok && k != d.packed4(5) {
					t.Fatalf("%q: key4 %v %x, makeFact %+v", line, ok, k, d)
				}
			}
		}
	})
}

// FuzzParseHeader feeds arbitrary first lines and LogFormat strings: no
// panics, and an accepted format renders to a LogFormat that parses to the
// same columns.
func FuzzParseHeader(f *testing.F) {
	f.Add(benchHeader)
	f.Add("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status")
	f.Add("instance-id interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr")
	f.Add(DefaultLogFormat)
	f.Add("interface_id srcaddr dstaddr some-new-field")
	f.Fuzz(func(t *testing.T, s string) {
		// A line is a header or not; a refused header says where and why.
		hf, isHeader, herr := parseHeader(s)
		switch {
		case herr == nil && (!isHeader || hf == nil):
			t.Fatalf("%q: accepted but not a header", s)
		case herr != nil && !isHeader && !strings.HasPrefix(herr.Error(), "not a header line"):
			t.Fatalf("%q: not a header, yet %v", s, herr)
		case herr != nil && isHeader && !strings.Contains(herr.Error(), "column") && !strings.Contains(herr.Error(), "lacks the required") &&
			!strings.Contains(herr.Error(), "at most 255"):
			t.Fatalf("%q: refused header without the column or field at fault: %v", s, herr)
		}
		for _, parse := range []func(string) (*Format, error){ParseHeader, ParseLogFormat} {
			fm, err := parse(s)
			if err != nil {
				continue
			}
			again, err := ParseLogFormat(fm.String())
			if err != nil {
				t.Fatalf("%q -> %q does not parse: %v", s, fm.String(), err)
			}
			if again.Len() != fm.Len() {
				t.Fatalf("%q: %d columns, round trip %d", s, fm.Len(), again.Len())
			}
			for i := 0; i < fm.Len(); i++ {
				if again.Column(i) != fm.Column(i) {
					t.Fatalf("%q: column %d differs", s, i)
				}
			}
		}
	})
}

// dirtyRecord is a Record holding values no line of the fuzz formats gives
// together, as a reused record holds the previous line's.
func dirtyRecord() Record {
	a := netip.MustParseAddr("192.0.2.99")
	return Record{Version: 77, InterfaceID: []byte("eni-stale"), SrcAddr: a, DstAddr: a, PktSrcAddr: a, PktDstAddr: a,
		SrcPort: 7, DstPort: 7, Protocol: 7, Packets: 7, Bytes: 7, Start: 7, End: 7, Action: ActionReject,
		Status: StatusSkipData, TCPFlags: 7, FlowDirection: FlowEgress, TrafficPath: 7,
		PktSrcService: []byte("S3"), PktDstSvc: []byte("S3")}
}

// recordFields renders a record's decoded fields.
func recordFields(r *Record) string {
	return fmt.Sprintf("%d %q %v %v %v %v %d %d %d %d %d %d %d %d %d %d %d %d %q %q", r.Version, r.InterfaceID,
		r.SrcAddr, r.DstAddr, r.PktSrcAddr, r.PktDstAddr, r.SrcPort, r.DstPort, r.Protocol, r.Packets, r.Bytes,
		r.Start, r.End, r.Action, r.Status, r.TCPFlags, r.FlowDirection, r.TrafficPath, r.PktSrcService, r.PktDstSvc)
}

func mustHeader(s string) *Format {
	f, err := ParseHeader(s)
	if err != nil {
		panic(err)
	}
	return f
}

// v4 reports whether every address of the draft is IPv4: key4's domain.
func (d *draft) v4() bool {
	return d.src.Is4() && d.dst.Is4() && (!d.psrc.IsValid() || d.psrc.Is4()) && (!d.pdst.IsValid() || d.pdst.Is4())
}

// packed4 packs an IPv4 draft as key4 does, from the draft: the reference
// key4 is checked against.
func (d *draft) packed4(eni uint32) key4 {
	as4 := func(a netip.Addr) [4]byte {
		if a.IsValid() {
			return a.As4()
		}
		return [4]byte{}
	}
	k := factKey4{src: d.src.As4(), dst: d.dst.As4(), psrc: as4(d.psrc), pdst: as4(d.pdst),
		eni: eni, sport: d.sport, dport: d.dport, proto: d.proto, info: d.info}
	return pack4(&k)
}
