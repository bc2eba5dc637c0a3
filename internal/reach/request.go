package reach

import (
	"fmt"

	"github.com/walls-dev/walls/internal/policy"

	"github.com/walls-dev/walls/internal/netspace"
	"github.com/walls-dev/walls/internal/vpc"
)

// DefaultClientPorts is the client range a request without one assumes:
// policy's, which audit assumes too.
var DefaultClientPorts = policy.DefaultClientPorts

// Request is the connection to check.
type Request struct {
	From, To string
	Protocol vpc.Protocol
	// Port is the destination port for tcp and udp.
	Port int32
	// ICMPType and ICMPCode for icmp/icmpv6; code -1 means any code.
	ICMPType, ICMPCode int32
	// ClientPorts is the ephemeral range the client picks its source port
	// from; the NACL return path must allow all of it.
	ClientPorts PortRange
	// IPv6 forces IPv6 addresses when neither endpoint is an explicit IP.
	IPv6 bool
	// MaxPairs bounds how many source/destination pairs are evaluated when
	// an endpoint stands for many interfaces (0 = DefaultMaxPairs).
	MaxPairs int
}

// DefaultMaxPairs bounds pair expansion for security-group endpoints.
const DefaultMaxPairs = 10000

// Validate checks the request's form.
func (r *Request) Validate() error {
	if r.From == "" || r.To == "" {
		return fmt.Errorf("both --from and --to are required")
	}
	switch {
	case r.Protocol.HasPorts():
		if r.Port < 0 || r.Port > 65535 {
			return fmt.Errorf("--port %d out of range; expected 0-65535", r.Port)
		}
	case r.Protocol.IsICMP():
		if r.ICMPType < 0 || r.ICMPType > 255 {
			return fmt.Errorf("--icmp-type %d out of range; expected 0-255", r.ICMPType)
		}
		if r.ICMPCode < -1 || r.ICMPCode > 255 {
			return fmt.Errorf("--icmp-code %d out of range; expected 0-255", r.ICMPCode)
		}
	case r.Protocol == vpc.ProtoAll:
		return fmt.Errorf("a connection has one protocol; -1 (all) is a rule wildcard, not a packet's protocol")
	}
	cp := r.ClientPorts
	if cp.From < 0 || cp.To > 65535 || cp.From > cp.To {
		return fmt.Errorf("client port range %d-%d invalid; expected FROM-TO within 0-65535", cp.From, cp.To)
	}
	return nil
}

// Describe renders the request's traffic: "tcp/3306", "icmp type 8 code 0".
func (r *Request) Describe() string {
	switch {
	case r.Protocol.HasPorts():
		return fmt.Sprintf("%s/%d", r.Protocol, r.Port)
	case r.Protocol.IsICMP():
		if r.ICMPCode < 0 {
			return fmt.Sprintf("%s type %d", r.Protocol, r.ICMPType)
		}
		return fmt.Sprintf("%s type %d code %d", r.Protocol, r.ICMPType, r.ICMPCode)
	}
	if r.Protocol >= 0 && r.Protocol <= 255 {
		return netspace.ProtocolText(uint8(r.Protocol), uint8(r.Protocol))
	}
	return "protocol " + r.Protocol.String()
}

// icmpCode returns the code a packet carries: an unspecified code (-1) is
// evaluated as code 0, the code of echo and most informational types.
func (r *Request) icmpCode() int32 {
	if r.ICMPCode < 0 {
		return 0
	}
	return r.ICMPCode
}

// icmpReply maps an ICMP request type to the reply type that must come back
// (echo 8→0 and its siblings; ICMPv6 echo 128→129). ok is false for types
// that expect no reply.
func icmpReply(p vpc.Protocol, t int32) (int32, bool) {
	if p == vpc.ProtoICMP {
		switch t {
		case 8:
			return 0, true
		case 13:
			return 14, true
		case 15:
			return 16, true
		case 17:
			return 18, true
		}
		return 0, false
	}
	if t == 128 {
		return 129, true
	}
	return 0, false
}
