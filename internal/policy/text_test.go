package policy

import (
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

// Human renderings name protocols one way (netspace.ProtocolText), where
// String keeps the numbers keys are made of.
func TestTexts(t *testing.T) {
	esp := vpc.Rule{Egress: true, Protocol: 50, FromPort: -1, ToPort: -1, Peer: vpc.Peer{Kind: vpc.PeerCIDR, Prefix: mp("10.0.0.0/8")}}
	tcp := vpc.Rule{Protocol: vpc.ProtoTCP, FromPort: 443, ToPort: 443, Peer: vpc.Peer{Kind: vpc.PeerCIDR, Prefix: mp("0.0.0.0/0")}}
	all := vpc.NACLEntry{RuleNumber: 100, Allow: true, Protocol: vpc.ProtoAll, Prefix: mp("0.0.0.0/0")}
	deny := vpc.NACLEntry{RuleNumber: 90, Protocol: 253, Prefix: mp("10.0.1.0/24")}
	for _, c := range []struct{ got, want string }{
		{RuleText(&esp), "egress esp (50) to 10.0.0.0/8"},
		{esp.String(), "egress 50 to 10.0.0.0/8"},
		{RuleText(&tcp), "ingress tcp 443 from 0.0.0.0/0"},
		{EntryText(&all), "100 allow all 0.0.0.0/0"},
		{EntryText(&deny), "90 deny protocol 253 10.0.1.0/24"},
		{ProtocolText(vpc.ProtoAll), "all"},
		{FlowText(6, 443), "tcp 443"},
		{FlowText(50, 0), "esp (50)"},
		{FlowText(1, 0), "icmp"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
