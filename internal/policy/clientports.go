package policy

import (
	"fmt"
	"strconv"
	"strings"
)

// PortRange is an inclusive range of ports.
type PortRange struct{ From, To int32 }

// String renders "FROM-TO", or the port alone when the range holds one.
func (r PortRange) String() string {
	if r.From == r.To {
		return strconv.Itoa(int(r.From))
	}
	return fmt.Sprintf("%d-%d", r.From, r.To)
}

// Contains reports whether port p is in the range.
func (r PortRange) Contains(p int32) bool { return r.From <= p && p <= r.To }

// A reply goes back to the port the client picked its connection from, so a
// network ACL, which is stateless, must allow the reply direction on every
// port the client may pick. Which ports those are depends on the client.
// These are the ranges walls knows by name (docs/semantics.md#ephemeral-ports).
var (
	// LinuxClientPorts is the Linux kernel's default ephemeral range
	// (net.ipv4.ip_local_port_range). AWS's pages say 32768-61000.
	LinuxClientPorts = PortRange{32768, 60999}
	// WindowsClientPorts is the range of Windows Server 2008 and later,
	// and of macOS.
	WindowsClientPorts = PortRange{49152, 65535}
	// NATClientPorts is the range a NAT gateway, an Elastic Load Balancing
	// load balancer or a Lambda function connects from.
	NATClientPorts = PortRange{1024, 65535}
	// LinuxWindowsClientPorts covers Linux and Windows/macOS clients (the
	// range AWS's own NACL examples open).
	LinuxWindowsClientPorts = PortRange{32768, 65535}
)

// DefaultClientPorts is the client range check and audit assume when none
// is given: Linux and Windows/macOS clients together. A return path is
// open only when every port of the range is allowed (a partly open range
// makes connections fail whenever the client happens to pick a blocked
// port), so the default must hold every port a common client picks: the
// Linux range alone would pass a NACL that fails every Windows client a
// quarter of the time. Clients that are NAT gateways, load balancers or
// Lambda functions pick from 1024-65535 ("nat"); the default does not
// assume them, since most subnets are not reached through one and a NACL
// that opens only the operating systems' ranges serves its clients well.
var DefaultClientPorts = LinuxWindowsClientPorts

// ClientPortsFlag is the name of the flag every command that reasons about
// return traffic through network ACLs takes the client range from.
const ClientPortsFlag = "client-ports"

// ClientPortsUsage is that flag's help text.
const ClientPortsUsage = "ephemeral ports clients pick and replies must reach through network ACLs: FROM-TO or " +
	"linux (32768-60999), windows (49152-65535), nat (1024-65535: NAT gateways, load balancers, Lambda), " +
	"default (32768-65535: Linux and Windows)"

// namedClientPorts maps the names ParseClientPorts accepts to ranges.
var namedClientPorts = map[string]PortRange{
	"linux":   LinuxClientPorts,
	"windows": WindowsClientPorts,
	"macos":   WindowsClientPorts,
	"nat":     NATClientPorts,
	"elb":     NATClientPorts,
	"lambda":  NATClientPorts,
	"default": DefaultClientPorts,
}

// ParseClientPorts reads a client port range: a name (linux, windows,
// macos, nat, elb, lambda, default), "FROM-TO" or one port, within
// 0-65535.
func ParseClientPorts(s string) (PortRange, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if r, ok := namedClientPorts[t]; ok {
		return r, nil
	}
	lo, hi, found := strings.Cut(t, "-")
	if !found {
		hi = lo
	}
	a, err1 := strconv.Atoi(strings.TrimSpace(lo))
	b, err2 := strconv.Atoi(strings.TrimSpace(hi))
	if err1 != nil || err2 != nil || a < 0 || b > 65535 || a > b {
		return PortRange{}, fmt.Errorf("%q: expected FROM-TO within 0-65535, such as %s, or linux, windows, nat or default", s, DefaultClientPorts)
	}
	return PortRange{int32(a), int32(b)}, nil
}
