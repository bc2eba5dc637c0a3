package flowlog

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// workerState renders everything a worker has gathered, in a fixed order.
func workerState(w *worker, res chunkResult) string {
	w.flushPending()
	var facts []string
	for _, sl := range w.facts4.slots {
		if sl.k[3] != 0 {
			facts = append(facts, fmt.Sprint(sl.k, sl.v))
		}
	}
	for k, v := range w.facts.m {
		facts = append(facts, fmt.Sprint(k, v))
	}
	slices.Sort(facts)
	return fmt.Sprintf("counters %+v\nlines %d bad %v\nnames %v\naddrs %v\nskips %v\nfacts %s",
		w.n, res.lines, res.bad, w.in.names, w.addrs, w.skips, strings.Join(facts, "\n"))
}

// parseLines is parseText's reference: every line through the general
// parser, split with bytes.IndexByte.
func parseLines(w *worker, f *Format, data []byte, skipFirst bool, header []byte) chunkResult {
	res := chunkResult{}
	w.n.bytes += int64(len(data))
	var ln int64
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		ln++
		w.slowLine(f, line, skipFirst && ln == 1, header, &res, ln)
	}
	w.n.lines += ln
	res.lines = ln
	return res
}

// checkParseText holds parseText, with several scan piece sizes, to the
// line-by-line general parser.
func checkParseText(t *testing.T, f *Format, data []byte, skipFirst bool, header []byte) {
	t.Helper()
	checkParseTextWindow(t, f, data, skipFirst, header, 0, 0)
}

func checkParseTextWindow(t *testing.T, f *Format, data []byte, skipFirst bool, header []byte, since, until int64) {
	t.Helper()
	ref := newWorker(newStore(), newPortClasses(nil), since, until, 10)
	want := workerState(ref, parseLines(ref, f, data, skipFirst, header))
	for _, piece := range []int{scanPiece, 64, 100, 256, 1000} {
		w := newWorker(newStore(), newPortClasses(nil), since, until, 10)
		w.flushAt = 1 << 30
		w.piece = piece
		if got := workerState(w, w.parseText(f, data, skipFirst, header, 0, 0)); got != want {
			t.Fatalf("piece %d, data %q:\ngot  %s\nwant %s", piece, data, got, want)
		}
	}
}

var parseTextSeeds = []string{
	benchHeader + "\n" + string(benchLine) + "\n" + string(benchLine) + "\n",
	string(benchLine) + "\r\n" + string(benchLine) + "\n\n" + string(benchLine),
	string(benchLine) + "  \n " + string(benchLine) + "\n" + strings.Replace(string(benchLine), " ", "\t", 3) + "\n",
	"5 10.0.1.10 10.0.2.17 44297 8080 6 1767225600 1767225626 IPv4 4 5404\n" + string(benchLine) + " extra\n",
	string(benchLine) + "\n" + benchHeader + "\n" + strings.Replace(string(benchLine), "ACCEPT", "MAYBE", 1) + "\n",
	strings.Replace(string(benchLine), "10.0.1.10 10.0.2.17 44297", "2001:db8::1 2001:db8::2 44297", 1) + "\n",
}

func TestParseTextMatchesLines(t *testing.T) {
	f := mustHeader(benchHeader)
	for _, s := range parseTextSeeds {
		checkParseText(t, f, []byte(s), false, []byte(benchHeader))
		checkParseText(t, f, []byte(s), true, []byte(benchHeader))
	}
	// A longer chunk with every seed repeated, crossing many piece borders.
	var all strings.Builder
	for i := 0; i < 40; i++ {
		all.WriteString(parseTextSeeds[i%len(parseTextSeeds)])
		all.WriteString("\n")
	}
	checkParseText(t, f, []byte(all.String()), true, []byte(benchHeader))
	checkParseText(t, DefaultFormat(), []byte(all.String()), false, nil)
}

func FuzzParseText(f *testing.F) {
	for _, s := range parseTextSeeds {
		f.Add([]byte(s), false)
	}
	format := mustHeader(benchHeader)
	v2 := DefaultFormat()
	f.Fuzz(func(t *testing.T, data []byte, skipFirst bool) {
		checkParseText(t, format, data, skipFirst, []byte(benchHeader))
		checkParseText(t, v2, data, skipFirst, nil)
	})
}

// TestFastPathMatchesGeneral mutates the columns of v5 and v2 records one
// to three at a time with values that each path must read alike: "-",
// boundaries, IPv6, malformed numbers and addresses, every enumeration.
func TestFastPathMatchesGeneral(t *testing.T) {
	tokens := []string{"-", "0", "1", "6", "17", "255", "256", "65535", "65536", "18", "2", "3", "16", "x", "01", "1x",
		"1767225600", "1767225626", "12345678", "99999999", "4294967295", "1099511627776", "1099511627777", "9223372036854775807", "9223372036854775808",
		"10.0.1.10", "10.0.1.11", "10.0.1.100", "10.0.2.17", "0.0.0.0", "255.255.255.255", "256.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4.",
		"2001:db8::1", "::ffff:10.0.1.10", "fe80::1%eth0", "ACCEPT", "REJECT", "OK", "NODATA", "SKIPDATA",
		"ingress", "egress", "eni-0aaa0000000000100", "eni-1", "-1", "1.0"}
	r := rand.New(rand.NewPCG(7, 9))
	for _, fm := range []struct {
		f    *Format
		line string
	}{{mustHeader(benchHeader), string(benchLine)},
		{DefaultFormat(), "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK"}} {
		base := strings.Split(fm.line, " ")
		var chunk strings.Builder
		for n := 0; n < 20000; n++ {
			cols := slices.Clone(base)
			for k := r.IntN(3) + 1; k > 0; k-- {
				cols[r.IntN(len(cols))] = tokens[r.IntN(len(tokens))]
			}
			chunk.WriteString(strings.Join(cols, " "))
			chunk.WriteString("\n")
		}
		data := []byte(chunk.String())
		checkParseText(t, fm.f, data, false, nil)
		checkParseTextWindow(t, fm.f, data, false, nil, 1418530050, 1767225610)
	}
}
