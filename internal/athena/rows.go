package athena

import (
	"fmt"
	"net/netip"
	"strconv"

	"github.com/walls-dev/walls/internal/flowlog"
)

// Facts collects the query's result rows (every value as text, nil for
// NULL: Athena's result format) into what flowlog.MergeFacts takes.
type Facts struct {
	f    flowlog.Facts
	rows int
}

// Add reads one result row (the header excluded).
func (c *Facts) Add(row []*string) error {
	c.rows++
	if len(row) != len(ResultColumns) {
		return fmt.Errorf("result row %d: %d columns, expected %d", c.rows, len(row), len(ResultColumns))
	}
	p := rowParser{row: row}
	kind := p.int("kind", 0, numKinds-1)
	var eni string
	if kind != kindCount {
		eni = p.str("eni")
	}
	switch kind {
	case kindFact:
		r := flowlog.FactRow{Interface: eni,
			Src: p.addr("a1"), Dst: p.addr("a2"), PktSrc: p.optAddr("a3"), PktDst: p.optAddr("a4"),
			SrcPort: uint16(p.int("n1", 0, 65535)), DstPort: uint16(p.int("n2", 0, 65535)),
			Protocol: uint8(p.int("n3", 0, 255)), Info: uint8(p.int("n4", 0, 255)),
			Flows: uint64(p.int("flows", 1, 1<<62)), Packets: uint64(p.int("packets", 0, 1<<63-1)), Bytes: uint64(p.int("bytes", 0, 1<<63-1)),
			First: p.optInt("first_seen", 1<<40), Last: p.optInt("last_seen", 1<<40),
			EphLo: uint16(p.optInt("eph_lo", 65535)), EphHi: uint16(p.optInt("eph_hi", 65535))}
		if r.EphLo == 0 {
			r.EphHi = 0
		}
		c.f.Rows = append(c.f.Rows, r)
	case kindAddrSrc, kindAddrDst:
		c.f.Addrs = append(c.f.Addrs, flowlog.AddrCount{Interface: eni, Addr: p.addr("a1"), Records: uint64(p.int("flows", 1, 1<<62))})
	case kindMeta:
		c.f.Meta = append(c.f.Meta, flowlog.MetaRow{Interface: eni,
			Meta:          flowlog.InterfaceMeta{InstanceID: p.opt("a1"), SubnetID: p.opt("a2"), VpcID: p.opt("a3")},
			InstanceField: p.optInt("n1", 1) == 1})
	case kindSkip:
		c.f.Skips = append(c.f.Skips, flowlog.SkipRow{Interface: eni, First: p.optInt("first_seen", 1<<40), Last: p.optInt("last_seen", 1<<40)})
	case kindCount:
		n := p.int("flows", 1, 1<<62)
		cnt := &c.f.Counts
		switch cls := p.str("a1"); cls {
		case "ok":
			cnt.Records += n
			if p.int("n1", 0, 1) == 1 {
				cnt.Rejected += n
			}
		case "nodata":
			cnt.NoData += n
		case "skip":
			cnt.SkipData += n
		case "out":
			cnt.Outside += n
		case "bad":
			cnt.Bad += n
		default:
			if p.err == nil {
				p.err = fmt.Errorf("a1 %q: not a record class", cls)
			}
		}
	}
	if p.err != nil {
		return fmt.Errorf("result row %d: %w", c.rows, p.err)
	}
	return nil
}

// Result is what the rows add up to.
func (c *Facts) Result() *flowlog.Facts { return &c.f }

// Rows is the number of rows read.
func (c *Facts) Rows() int { return c.rows }

// rowParser reads a row's values by column name, keeping the first error.
type rowParser struct {
	row []*string
	err error
}

func (p *rowParser) at(name string) *string {
	for i, n := range ResultColumns {
		if n == name {
			return p.row[i]
		}
	}
	panic("athena: no result column " + name)
}

func (p *rowParser) fail(name, format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...))
	}
}

func (p *rowParser) str(name string) string {
	v := p.at(name)
	if v == nil || *v == "" {
		p.fail(name, "missing")
		return ""
	}
	return *v
}

func (p *rowParser) opt(name string) string {
	if v := p.at(name); v != nil {
		return *v
	}
	return ""
}

func (p *rowParser) int(name string, lo, hi int64) int64 {
	v := p.at(name)
	if v == nil {
		p.fail(name, "missing")
		return 0
	}
	n, err := strconv.ParseInt(*v, 10, 64)
	if err != nil || n < lo || n > hi {
		p.fail(name, "%q: expected an integer from %d to %d", *v, lo, hi)
		return 0
	}
	return n
}

func (p *rowParser) optInt(name string, hi int64) int64 {
	if p.at(name) == nil {
		return 0
	}
	return p.int(name, 0, hi)
}

func (p *rowParser) addr(name string) netip.Addr {
	v := p.str(name)
	if v == "" {
		return netip.Addr{}
	}
	a, err := netip.ParseAddr(v)
	if err != nil || a.Zone() != "" {
		p.fail(name, "%q: not an IPv4 or IPv6 address", v)
	}
	return a
}

func (p *rowParser) optAddr(name string) netip.Addr {
	if p.at(name) == nil {
		return netip.Addr{}
	}
	return p.addr(name)
}
