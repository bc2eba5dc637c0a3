package flowlog

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"net/netip"
	"unsafe"
)

// Action is a record's action field.
type Action uint8

// Actions (docs/semantics.md#flowlog-status). ActionNone is "-" (NODATA, SKIPDATA).
const (
	ActionNone Action = iota
	ActionAccept
	ActionReject
)

// LogStatus is a record's log-status field.
type LogStatus uint8

// Log statuses (docs/semantics.md#flowlog-status). A format without ${log-status} reads as OK.
const (
	StatusOK LogStatus = iota
	StatusNoData
	StatusSkipData
)

// FlowDirection is the v5 flow-direction field, relative to the interface.
type FlowDirection uint8

// Flow directions; FlowUnknown when the format lacks the field or it is "-".
const (
	FlowUnknown FlowDirection = iota
	FlowIngress
	FlowEgress
)

// TCP flag bits as flow logs record them (docs/semantics.md#flowlog-status).
const (
	FlagFIN    = 1
	FlagSYN    = 2
	FlagRST    = 4
	FlagSYNACK = 18 // SYN | ACK; bit 16 is set only by SYN-ACK
)

// Record is one parsed flow log record. Byte-slice fields alias the input
// line and are valid only until the next Parse into the same Record. Absent
// values ("-" or a field the format lacks) are the zero Addr, -1 for ports,
// protocol and tcp-flags, 0 for counters and times.
type Record struct {
	Version                  int
	InterfaceID              []byte
	SrcAddr, DstAddr         netip.Addr
	PktSrcAddr, PktDstAddr   netip.Addr
	SrcPort, DstPort         int32
	Protocol                 int16
	Packets, Bytes           uint64
	Start, End               int64 // Unix seconds
	Action                   Action
	Status                   LogStatus
	TCPFlags                 int16
	FlowDirection            FlowDirection
	TrafficPath              int16
	PktSrcService, PktDstSvc []byte

	line []byte      // the last line
	cols [][2]uint32 // its columns as [start, end) offsets, reused
}

// Column returns the raw text of column i of the last parsed line ("-" for
// absent values), for fields walls does not interpret.
func (r *Record) Column(i int) []byte {
	if i < 0 || i >= len(r.cols) {
		return nil
	}
	return r.line[r.cols[i][0]:r.cols[i][1]]
}

// ParseError says why a line is not a flow log record.
type ParseError struct {
	Field  Field // FieldUnknown when the line as a whole is wrong
	Reason string
}

func (e *ParseError) Error() string {
	if e.Field == FieldUnknown {
		return e.Reason
	}
	return e.Field.String() + ": " + e.Reason
}

// SWAR constants: a byte b < 0x80 has its high bit set after
// (b & 0x7f) + 0x5f exactly when b >= 0x21; swarGather moves the eight
// high bits of a word into one byte.
const (
	swarLow7   = 0x7f7f7f7f7f7f7f7f
	swarAdd    = 0x5f5f5f5f5f5f5f5f
	swarHi     = 0x8080808080808080
	swarGather = 0x0102040810204080
)

// Parse reads one line (without its newline) into r. It does not allocate
// for well-formed lines. Columns are separated by single spaces as AWS
// writes them; runs of blanks and a trailing CR are tolerated. After an
// error, r's fields are unspecified.
func (f *Format) Parse(line []byte, r *Record) error {
	if cap(r.cols) < len(f.cols) {
		r.cols = make([][2]uint32, len(f.cols))
	}
	r.cols = r.cols[:len(f.cols)]
	// Blanks (space, tab, other control bytes) separate columns; runs of
	// them count as one. Separators are found 64 bytes at a time as a
	// bitmask (SWAR, exact per byte), then walked bit by bit.
	if len(line) >= 1<<31 {
		return &ParseError{Reason: "line too long"}
	}
	cols := r.cols
	i, from := 0, 0
	for base := 0; base < len(line); base += 64 {
		var mask uint64
		switch {
		case base+64 <= len(line):
			mask = blankMask((*[64]byte)(line[base : base+64]))
		case base+64 <= cap(line):
			// The last block: read on into the capacity (the rest of the
			// chunk) and drop what lies past the line.
			mask = blankMask((*[64]byte)(line[base:base+64])) & (1<<uint(len(line)-base) - 1)
		default:
			var tail [64]byte
			copy(tail[:], line[base:])
			mask = blankMask(&tail) & (1<<uint(len(line)-base) - 1)
		}
		for mask != 0 {
			k := base + bits.TrailingZeros64(mask)
			mask &= mask - 1
			if k > from {
				if i == len(cols) {
					return &ParseError{Reason: "more fields than the format's " + itoa(len(f.cols))}
				}
				cols[i] = [2]uint32{uint32(from), uint32(k)}
				i++
			}
			from = k + 1
		}
	}
	if from < len(line) {
		if i == len(cols) {
			return &ParseError{Reason: "more fields than the format's " + itoa(len(f.cols))}
		}
		cols[i] = [2]uint32{uint32(from), uint32(len(line))}
		i++
	}
	if i != len(f.cols) {
		return &ParseError{Reason: itoa(i) + " fields, the format has " + itoa(len(f.cols))}
	}
	return f.decode(r, line)
}

// decode interprets r.cols. It goes field by field in straight-line code,
// not column by column through a switch: with one format per file every
// branch below is predicted, where a per-column switch mispredicts its
// jump on almost every column.
func (f *Format) decode(r *Record, line []byte) error {
	// Every field is assigned exactly once below, its value or its default
	// ("-", or a field the format lacks), so the Record is not cleared
	// first: that cost a 280-byte zeroing and copy per line. After an
	// error the Record is left half-written; callers do not use it.
	r.line = line
	pos := &f.pos
	var err error
	var v uint64
	r.Version = 0
	if c, ok := r.val(line, pos[FieldVersion]); ok {
		if v, err = parseUint(c, 255); err != nil {
			return &ParseError{FieldVersion, err.Error()}
		}
		r.Version = int(v)
	}
	r.InterfaceID = nil
	if c, ok := r.val(line, pos[FieldInterfaceID]); ok {
		r.InterfaceID = c
	}
	r.SrcAddr = netip.Addr{}
	if c, ok := r.val(line, pos[FieldSrcAddr]); ok {
		if r.SrcAddr, err = parseAddr(c); err != nil {
			return &ParseError{FieldSrcAddr, err.Error()}
		}
	}
	r.DstAddr = netip.Addr{}
	if c, ok := r.val(line, pos[FieldDstAddr]); ok {
		if r.DstAddr, err = parseAddr(c); err != nil {
			return &ParseError{FieldDstAddr, err.Error()}
		}
	}
	r.PktSrcAddr = netip.Addr{}
	if c, ok := r.val(line, pos[FieldPktSrcAddr]); ok {
		if r.SrcAddr.IsValid() && sameCol(line, c, r.cols[pos[FieldSrcAddr]]) {
			r.PktSrcAddr = r.SrcAddr
		} else if r.PktSrcAddr, err = parseAddr(c); err != nil {
			return &ParseError{FieldPktSrcAddr, err.Error()}
		}
	}
	r.PktDstAddr = netip.Addr{}
	if c, ok := r.val(line, pos[FieldPktDstAddr]); ok {
		if r.DstAddr.IsValid() && sameCol(line, c, r.cols[pos[FieldDstAddr]]) {
			r.PktDstAddr = r.DstAddr
		} else if r.PktDstAddr, err = parseAddr(c); err != nil {
			return &ParseError{FieldPktDstAddr, err.Error()}
		}
	}
	r.SrcPort = -1
	if c, ok := r.val(line, pos[FieldSrcPort]); ok {
		if v, err = parseUint(c, 65535); err != nil {
			return &ParseError{FieldSrcPort, err.Error()}
		}
		r.SrcPort = int32(v)
	}
	r.DstPort = -1
	if c, ok := r.val(line, pos[FieldDstPort]); ok {
		if v, err = parseUint(c, 65535); err != nil {
			return &ParseError{FieldDstPort, err.Error()}
		}
		r.DstPort = int32(v)
	}
	r.Protocol = -1
	if c, ok := r.val(line, pos[FieldProtocol]); ok {
		if v, err = parseUint(c, 255); err != nil {
			return &ParseError{FieldProtocol, err.Error()}
		}
		r.Protocol = int16(v)
	}
	r.Packets = 0
	if c, ok := r.val(line, pos[FieldPackets]); ok {
		if r.Packets, err = parseUint(c, 1<<63-1); err != nil {
			return &ParseError{FieldPackets, err.Error()}
		}
	}
	r.Bytes = 0
	if c, ok := r.val(line, pos[FieldBytes]); ok {
		if r.Bytes, err = parseUint(c, 1<<63-1); err != nil {
			return &ParseError{FieldBytes, err.Error()}
		}
	}
	r.Start = 0
	if c, ok := r.val(line, pos[FieldStart]); ok {
		if v, err = parseUint(c, 1<<40); err != nil {
			return &ParseError{FieldStart, err.Error()}
		}
		r.Start = int64(v)
	}
	r.End = 0
	if c, ok := r.val(line, pos[FieldEnd]); ok {
		if v, err = parseUint(c, 1<<40); err != nil {
			return &ParseError{FieldEnd, err.Error()}
		}
		r.End = int64(v)
	}
	r.Action = ActionNone
	if c, ok := r.val(line, pos[FieldAction]); ok {
		switch string(c) {
		case "ACCEPT":
			r.Action = ActionAccept
		case "REJECT":
			r.Action = ActionReject
		default:
			return &ParseError{FieldAction, "want ACCEPT, REJECT or -"}
		}
	}
	r.Status = StatusOK
	if c, ok := r.val(line, pos[FieldLogStatus]); ok {
		switch string(c) {
		case "OK":
			r.Status = StatusOK
		case "NODATA":
			r.Status = StatusNoData
		case "SKIPDATA":
			r.Status = StatusSkipData
		default:
			return &ParseError{FieldLogStatus, "want OK, NODATA or SKIPDATA"}
		}
	}
	r.TCPFlags = -1
	if c, ok := r.val(line, pos[FieldTCPFlags]); ok {
		if v, err = parseUint(c, 255); err != nil {
			return &ParseError{FieldTCPFlags, err.Error()}
		}
		r.TCPFlags = int16(v)
	}
	r.FlowDirection = FlowUnknown
	if c, ok := r.val(line, pos[FieldFlowDirection]); ok {
		switch string(c) {
		case "ingress":
			r.FlowDirection = FlowIngress
		case "egress":
			r.FlowDirection = FlowEgress
		default:
			return &ParseError{FieldFlowDirection, "want ingress, egress or -"}
		}
	}
	r.TrafficPath = -1
	if c, ok := r.val(line, pos[FieldTrafficPath]); ok {
		if v, err = parseUint(c, 255); err != nil {
			return &ParseError{FieldTrafficPath, err.Error()}
		}
		r.TrafficPath = int16(v)
	}
	r.PktSrcService = nil
	if c, ok := r.val(line, pos[FieldPktSrcAWSService]); ok {
		r.PktSrcService = c
	}
	r.PktDstSvc = nil
	if c, ok := r.val(line, pos[FieldPktDstAWSService]); ok {
		r.PktDstSvc = c
	}
	return f.validate(r)
}

// blankMask returns the blanks (bytes <= ' ') of a 64-byte block as a
// bitmask, bit i for byte i: eight words in straight-line code, so that the
// compiler keeps everything in registers.
func blankMask(b *[64]byte) uint64 {
	return blankBits(binary.LittleEndian.Uint64(b[0:])) |
		blankBits(binary.LittleEndian.Uint64(b[8:]))<<8 |
		blankBits(binary.LittleEndian.Uint64(b[16:]))<<16 |
		blankBits(binary.LittleEndian.Uint64(b[24:]))<<24 |
		blankBits(binary.LittleEndian.Uint64(b[32:]))<<32 |
		blankBits(binary.LittleEndian.Uint64(b[40:]))<<40 |
		blankBits(binary.LittleEndian.Uint64(b[48:]))<<48 |
		blankBits(binary.LittleEndian.Uint64(b[56:]))<<56
}

// blankBits gathers the blanks of one word into its low eight bits.
func blankBits(x uint64) uint64 {
	sep := ^(((x & swarLow7) + swarAdd) | x) & swarHi
	return sep >> 7 * swarGather >> 56
}

// val returns column i of line unless the format lacks it (i < 0) or the
// value is "-".
func (r *Record) val(line []byte, i int16) ([]byte, bool) {
	if i < 0 {
		return nil, false
	}
	o := r.cols[i]
	c := line[o[0]:o[1]]
	return c, !(len(c) == 1 && c[0] == '-')
}

// validate checks what must hold across fields.
func (f *Format) validate(r *Record) error {
	if r.Status != StatusOK {
		return nil
	}
	switch {
	case len(r.InterfaceID) == 0:
		return &ParseError{FieldInterfaceID, "missing on an OK record"}
	case !r.SrcAddr.IsValid():
		return &ParseError{FieldSrcAddr, "missing on an OK record"}
	case !r.DstAddr.IsValid():
		return &ParseError{FieldDstAddr, "missing on an OK record"}
	case r.SrcAddr.Is4() != r.DstAddr.Is4():
		return &ParseError{FieldDstAddr, "address family differs from srcaddr"}
	case f.Has(FieldAction) && r.Action == ActionNone:
		return &ParseError{FieldAction, "missing on an OK record"}
	}
	if r.End < r.Start && r.End != 0 {
		return &ParseError{FieldEnd, "before start"}
	}
	return nil
}

type numError string

func (e numError) Error() string { return string(e) }

const (
	errNotNumber numError = "not a number"
	errTooLarge  numError = "number too large"
	errBadAddr   numError = "not an IPv4 or IPv6 address"
)

// parseUint reads a decimal number no larger than max, without allocating.
func parseUint(b []byte, max uint64) (uint64, error) {
	if len(b) == 0 || len(b) > 19 {
		if len(b) > 19 {
			return 0, errTooLarge
		}
		return 0, errNotNumber
	}
	var v uint64
	for _, c := range b {
		d := c - '0'
		if d > 9 {
			return 0, errNotNumber
		}
		v = v*10 + uint64(d)
	}
	if v > max {
		return 0, errTooLarge
	}
	return v, nil
}

// parseAddr reads an IPv4 address on a fast path and anything else with
// netip, without allocating. Zones are refused: flow logs carry none.
func parseAddr(b []byte) (netip.Addr, error) {
	if a, ok := parseIPv4(b); ok {
		return a, nil
	}
	if len(b) < 2 || len(b) > 45 || bytes.IndexByte(b, ':') < 0 || bytes.IndexByte(b, '%') >= 0 {
		return netip.Addr{}, errBadAddr
	}
	a, err := netip.ParseAddr(unsafe.String(&b[0], len(b)))
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, errBadAddr
	}
	return a, nil
}

// parseIPv4 reads a dotted quad: four octets of one to three digits, no
// leading zeros, at most 255.
func parseIPv4(b []byte) (netip.Addr, bool) {
	v, ok := parseIPv4Bits(b)
	if !ok {
		return netip.Addr{}, false
	}
	return addrFromBits(v), true
}

// parseIPv4Bits is parseIPv4 as a big-endian word. Each octet is read
// digit by digit, unrolled, so there is no per-byte bookkeeping.
func parseIPv4Bits(b []byte) (uint64, bool) {
	var ip uint64
	i := 0
	for k := 0; k < 4; k++ {
		if k > 0 {
			if i >= len(b) || b[i] != '.' {
				return 0, false
			}
			i++
		}
		if i >= len(b) || b[i]-'0' > 9 {
			return 0, false
		}
		v := uint64(b[i] - '0')
		i++
		if i < len(b) && b[i]-'0' <= 9 {
			if v == 0 {
				return 0, false // a leading zero
			}
			v = v*10 + uint64(b[i]-'0')
			i++
			if i < len(b) && b[i]-'0' <= 9 {
				v = v*10 + uint64(b[i]-'0')
				i++
				if v > 255 {
					return 0, false
				}
			}
		}
		ip = ip<<8 | v
	}
	if i != len(b) {
		return 0, false
	}
	return ip, true
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// sameCol reports whether c has the same text as the column at o.
func sameCol(line, c []byte, o [2]uint32) bool { return bytes.Equal(c, line[o[0]:o[1]]) }
