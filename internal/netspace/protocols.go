package netspace

import (
	"strconv"
	"strings"
)

// protocolNames are the IANA "Assigned Internet Protocol Numbers"
// keywords, lowercased, with AWS's names for 1, 6, 17 and 58 (icmp, tcp,
// udp, icmpv6) and the short names people use for 89 (ospf), 124 (isis)
// and 135. Numbers without a keyword (61, 63, 68, 99, 114, 146-252 and the
// experimental and reserved 253-255) have no entry.
var protocolNames = [256]string{
	0: "hopopt", 1: "icmp", 2: "igmp", 3: "ggp", 4: "ipv4", 5: "st", 6: "tcp", 7: "cbt", 8: "egp", 9: "igp",
	10: "bbn-rcc-mon", 11: "nvp-ii", 12: "pup", 13: "argus", 14: "emcon", 15: "xnet", 16: "chaos", 17: "udp",
	18: "mux", 19: "dcn-meas", 20: "hmp", 21: "prm", 22: "xns-idp", 23: "trunk-1", 24: "trunk-2", 25: "leaf-1",
	26: "leaf-2", 27: "rdp", 28: "irtp", 29: "iso-tp4", 30: "netblt", 31: "mfe-nsp", 32: "merit-inp", 33: "dccp",
	34: "3pc", 35: "idpr", 36: "xtp", 37: "ddp", 38: "idpr-cmtp", 39: "tp++", 40: "il", 41: "ipv6", 42: "sdrp",
	43: "ipv6-route", 44: "ipv6-frag", 45: "idrp", 46: "rsvp", 47: "gre", 48: "dsr", 49: "bna", 50: "esp", 51: "ah",
	52: "i-nlsp", 53: "swipe", 54: "narp", 55: "min-ipv4", 56: "tlsp", 57: "skip", 58: "icmpv6", 59: "ipv6-nonxt",
	60: "ipv6-opts", 62: "cftp", 64: "sat-expak", 65: "kryptolan", 66: "rvd", 67: "ippc", 69: "sat-mon",
	70: "visa", 71: "ipcv", 72: "cpnx", 73: "cphb", 74: "wsn", 75: "pvp", 76: "br-sat-mon", 77: "sun-nd",
	78: "wb-mon", 79: "wb-expak", 80: "iso-ip", 81: "vmtp", 82: "secure-vmtp", 83: "vines", 84: "ttp",
	85: "nsfnet-igp", 86: "dgp", 87: "tcf", 88: "eigrp", 89: "ospf", 90: "sprite-rpc", 91: "larp", 92: "mtp",
	93: "ax.25", 94: "ipip", 95: "micp", 96: "scc-sp", 97: "etherip", 98: "encap", 100: "gmtp", 101: "ifmp",
	102: "pnni", 103: "pim", 104: "aris", 105: "scps", 106: "qnx", 107: "a/n", 108: "ipcomp", 109: "snp",
	110: "compaq-peer", 111: "ipx-in-ip", 112: "vrrp", 113: "pgm", 115: "l2tp", 116: "ddx", 117: "iatp",
	118: "stp", 119: "srp", 120: "uti", 121: "smp", 122: "sm", 123: "ptp", 124: "isis", 125: "fire",
	126: "crtp", 127: "crudp", 128: "sscopmce", 129: "iplt", 130: "sps", 131: "pipe", 132: "sctp", 133: "fc",
	134: "rsvp-e2e-ignore", 135: "mobility-header", 136: "udplite", 137: "mpls-in-ip", 138: "manet", 139: "hip",
	140: "shim6", 141: "wesp", 142: "rohc", 143: "ethernet", 144: "aggfrag", 145: "nsh",
}

// notable are the protocols a range names first, in this order: what
// security groups name (tcp, udp, icmp, icmpv6), then what VPC traffic
// commonly carries besides them. The rest follow by number.
var notable = []uint8{6, 17, 1, 58, 47, 50, 51, 132, 2, 89, 103, 112, 41, 4, 115}

// rangeNames is how many member names a range shows before "…".
const rangeNames = 3

// ProtocolName is an IP protocol's name (IANA keyword, AWS's name for
// icmp, tcp, udp, icmpv6), or "" for a number without one.
func ProtocolName(p uint8) string { return protocolNames[p] }

// ProtocolText renders the protocol run lo..hi the way people read it,
// with names and numbers: "tcp", "esp (50)", "protocol 253",
// "protocols 7-16 (cbt, egp, igp, …)", "protocols 0-5 (icmp, igmp,
// ipv4, …)", "all" for 0-255. A range names its best-known members first
// (notable), at most three, and "…" when it has more named ones. Every
// human rendering of a protocol run goes through here; JSON keeps numbers.
func ProtocolText(lo, hi uint8) string {
	switch {
	case lo == 0 && hi == 255:
		return "all"
	case lo > hi:
		lo, hi = hi, lo
	}
	if lo == hi {
		n := protocolNames[lo]
		switch {
		case lo == protoTCP || lo == protoUDP || isICMP(int(lo)):
			return n
		case n == "":
			return "protocol " + strconv.Itoa(int(lo))
		}
		return n + " (" + strconv.Itoa(int(lo)) + ")"
	}
	s := "protocols " + strconv.Itoa(int(lo)) + "-" + strconv.Itoa(int(hi))
	var names []string
	more := false
	take := func(p uint8) {
		if protocolNames[p] == "" {
			return
		}
		if len(names) == rangeNames {
			more = true
			return
		}
		names = append(names, protocolNames[p])
	}
	in := func(p uint8) bool { return p >= lo && p <= hi }
	isNotable := [256]bool{}
	for _, p := range notable {
		isNotable[p] = true
		if in(p) {
			take(p)
		}
	}
	for p := int(lo); p <= int(hi) && !more; p++ {
		if !isNotable[p] {
			take(uint8(p))
		}
	}
	if len(names) == 0 {
		return s
	}
	if more {
		names = append(names, "…")
	}
	return s + " (" + strings.Join(names, ", ") + ")"
}
