// Package invgen generates large, realistic AWS CLI inventories (the JSON
// of describe-security-groups, describe-network-interfaces,
// describe-network-acls, describe-subnets, describe-vpcs) for benchmarks.
// Output is deterministic for a given Options.
package invgen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// Options sizes the inventory.
type Options struct {
	Groups     int // security groups (default 10,000)
	Interfaces int // network interfaces (default 100,000)
	VPCs       int // default 20
	Subnets    int // per VPC, default 50
	Pages      int // files per kind for the big kinds (default 1)
	Seed       uint64
}

func (o *Options) defaults() {
	if o.Groups == 0 {
		o.Groups = 10000
	}
	if o.Interfaces == 0 {
		o.Interfaces = 100000
	}
	if o.VPCs == 0 {
		o.VPCs = 20
	}
	if o.Subnets == 0 {
		o.Subnets = 50
	}
	if o.Pages == 0 {
		o.Pages = 1
	}
}

// Names of a generated object, so benchmarks can query them.
func GroupID(i int) string     { return fmt.Sprintf("sg-%017x", i+1) }
func InterfaceID(i int) string { return fmt.Sprintf("eni-%017x", i+1) }
func VPCID(i int) string       { return fmt.Sprintf("vpc-%017x", i+1) }
func SubnetID(v, s int) string { return fmt.Sprintf("subnet-%08x%09x", v+1, s+1) }

// InterfaceIP returns the primary private IP of interface i.
func InterfaceIP(o Options, i int) string {
	o.defaults()
	v, s, host := placement(o, i)
	return fmt.Sprintf("10.%d.%d.%d", v, s, host)
}

// placement spreads interfaces over VPCs and subnets: VPC v is 10.v.0.0/16,
// its subnet s is 10.v.s.0/24. Primary addresses take hosts 4-123 of the
// subnet and secondary ones the same host + 128, so addresses stay unique up
// to 120 interfaces per subnet.
func placement(o Options, i int) (v, s, host int) {
	v = i % o.VPCs
	s = (i / o.VPCs) % o.Subnets
	host = 4 + (i/(o.VPCs*o.Subnets))%120
	return
}

type obj = map[string]any

// Write generates the inventory under dir.
func Write(dir string, o Options) error {
	o.defaults()
	r := rand.New(rand.NewPCG(o.Seed, 42))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var vpcs, subnets, nacls []obj
	for v := 0; v < o.VPCs; v++ {
		vpcs = append(vpcs, obj{"VpcId": VPCID(v), "OwnerId": "111122223333", "CidrBlock": fmt.Sprintf("10.%d.0.0/16", v), "IsDefault": false, "State": "available"})
		var assoc []obj
		for s := 0; s < o.Subnets; s++ {
			subnets = append(subnets, obj{"SubnetId": SubnetID(v, s), "VpcId": VPCID(v), "OwnerId": "111122223333",
				"CidrBlock": fmt.Sprintf("10.%d.%d.0/24", v, s), "AvailabilityZone": "us-east-1a", "State": "available"})
			if s%5 != 0 {
				assoc = append(assoc, obj{"SubnetId": SubnetID(v, s)})
			}
		}
		allowAll := func(egress bool) []obj {
			return []obj{{"RuleNumber": 100, "Egress": egress, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
				{"RuleNumber": 32767, "Egress": egress, "RuleAction": "deny", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"}}
		}
		nacls = append(nacls, obj{"NetworkAclId": fmt.Sprintf("acl-%017x", v*2+1), "VpcId": VPCID(v), "IsDefault": true,
			"Entries": append(allowAll(true), allowAll(false)...)})
		// A custom NACL with a realistic list of entries, on most subnets.
		var entries []obj
		for k := 0; k < 12; k++ {
			port := []int{22, 80, 443, 3306, 5432, 6379, 8080, 9200, 25, 445, 3389, 23}[k]
			entries = append(entries, obj{"RuleNumber": 100 + 10*k, "Egress": k%2 == 0, "RuleAction": []string{"allow", "deny"}[k%3/2],
				"Protocol": "6", "CidrBlock": fmt.Sprintf("10.%d.0.0/16", r.IntN(o.VPCs)), "PortRange": obj{"From": port, "To": port}})
		}
		entries = append(entries,
			obj{"RuleNumber": 500, "Egress": false, "RuleAction": "allow", "Protocol": "6", "CidrBlock": "0.0.0.0/0", "PortRange": obj{"From": 1024, "To": 65535}},
			obj{"RuleNumber": 500, "Egress": true, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
			obj{"RuleNumber": 32767, "Egress": false, "RuleAction": "deny", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
			obj{"RuleNumber": 32767, "Egress": true, "RuleAction": "deny", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"})
		nacls = append(nacls, obj{"NetworkAclId": fmt.Sprintf("acl-%017x", v*2+2), "VpcId": VPCID(v), "IsDefault": false,
			"Entries": entries, "Associations": assoc})
	}
	groups := make([]obj, o.Groups)
	for g := range groups {
		groups[g] = genGroup(r, o, g)
	}
	enis := make([]obj, o.Interfaces)
	for i := range enis {
		enis[i] = genInterface(r, o, i)
	}
	if err := writeJSON(filepath.Join(dir, "vpcs.json"), "Vpcs", vpcs); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(dir, "subnets.json"), "Subnets", subnets); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(dir, "network-acls.json"), "NetworkAcls", nacls); err != nil {
		return err
	}
	if err := writePages(dir, "security-groups", "SecurityGroups", groups, o.Pages); err != nil {
		return err
	}
	return writePages(dir, "network-interfaces", "NetworkInterfaces", enis, o.Pages)
}

var ports = []int{22, 80, 443, 3306, 5432, 6379, 8080, 8443, 9200, 11211, 27017, 53, 123, 25, 3389}

func genGroup(r *rand.Rand, o Options, g int) obj {
	v := g % o.VPCs
	perm := func(proto string, from, to int, peers obj) obj {
		p := obj{"IpProtocol": proto, "IpRanges": []obj{}, "Ipv6Ranges": []obj{}, "PrefixListIds": []obj{}, "UserIdGroupPairs": []obj{}}
		if proto != "-1" {
			p["FromPort"], p["ToPort"] = from, to
		}
		for k, val := range peers {
			p[k] = val
		}
		return p
	}
	var in, out []obj
	nIn := 3 + r.IntN(10)
	for k := 0; k < nIn; k++ {
		port := ports[r.IntN(len(ports))]
		switch r.IntN(4) {
		case 0:
			in = append(in, perm("tcp", port, port, obj{"IpRanges": []obj{{"CidrIp": "0.0.0.0/0"}}}))
		case 1:
			in = append(in, perm("tcp", port, port, obj{"UserIdGroupPairs": []obj{{"GroupId": GroupID(r.IntN(o.Groups)), "UserId": "111122223333"}}}))
		case 2:
			in = append(in, perm("tcp", port, port+r.IntN(10), obj{"IpRanges": []obj{{"CidrIp": fmt.Sprintf("10.%d.%d.0/24", v, r.IntN(o.Subnets))}, {"CidrIp": fmt.Sprintf("192.168.%d.0/24", r.IntN(256))}}}))
		default:
			in = append(in, perm("udp", port, port, obj{"Ipv6Ranges": []obj{{"CidrIpv6": "::/0"}}}))
		}
	}
	if r.IntN(10) < 7 {
		out = append(out, perm("-1", 0, 0, obj{"IpRanges": []obj{{"CidrIp": "0.0.0.0/0"}}}))
	} else {
		for k := 0; k < 2+r.IntN(6); k++ {
			port := ports[r.IntN(len(ports))]
			out = append(out, perm("tcp", port, port, obj{"IpRanges": []obj{{"CidrIp": "0.0.0.0/0"}}, "UserIdGroupPairs": []obj{{"GroupId": GroupID(r.IntN(o.Groups))}}}))
		}
	}
	return obj{"GroupId": GroupID(g), "GroupName": fmt.Sprintf("group-%d", g), "Description": "generated", "OwnerId": "111122223333",
		"VpcId": VPCID(v), "IpPermissions": in, "IpPermissionsEgress": out, "Tags": []obj{{"Key": "Name", "Value": fmt.Sprintf("group-%d", g)}}}
}

func genInterface(r *rand.Rand, o Options, i int) obj {
	v, s, host := placement(o, i)
	ip := fmt.Sprintf("10.%d.%d.%d", v, s, host)
	var gs []obj
	for k := 0; k < 1+r.IntN(3); k++ {
		// groups of the same VPC: g ≡ v (mod VPCs)
		g := (r.IntN(o.Groups/o.VPCs))*o.VPCs + v
		if g >= o.Groups {
			g = v
		}
		gs = append(gs, obj{"GroupId": GroupID(g), "GroupName": fmt.Sprintf("group-%d", g)})
	}
	privs := []obj{{"PrivateIpAddress": ip, "Primary": true, "PrivateDnsName": "ip-" + ip + ".ec2.internal"}}
	if i%4 == 0 { // a quarter carry a secondary address
		privs = append(privs, obj{"PrivateIpAddress": fmt.Sprintf("10.%d.%d.%d", v, s, host+128), "Primary": false})
	}
	e := obj{"NetworkInterfaceId": InterfaceID(i), "InterfaceType": "interface", "Status": "in-use", "SubnetId": SubnetID(v, s),
		"VpcId": VPCID(v), "AvailabilityZone": "us-east-1a", "OwnerId": "111122223333", "RequesterManaged": false,
		"SourceDestCheck": true, "Description": "", "MacAddress": "0a:1b:2c:3d:4e:5f", "Groups": gs,
		"PrivateIpAddress": ip, "PrivateDnsName": "ip-" + ip + ".ec2.internal", "PrivateIpAddresses": privs,
		"Ipv6Addresses": []obj{},
		"Attachment": obj{"AttachmentId": fmt.Sprintf("eni-attach-%017x", i+1), "InstanceId": fmt.Sprintf("i-%017x", i+1),
			"InstanceOwnerId": "111122223333", "DeviceIndex": 0, "NetworkCardIndex": 0, "Status": "attached", "DeleteOnTermination": true,
			"AttachTime": "2026-01-05T10:00:00+00:00"},
		"TagSet": []obj{}}
	if i%3 == 0 {
		pub := fmt.Sprintf("198.18.%d.%d", (i/250)%256, i%250)
		e["Association"] = obj{"PublicIp": pub, "PublicDnsName": "", "IpOwnerId": "amazon"}
	}
	return e
}

func writePages(dir, base, key string, items []obj, pages int) error {
	if pages <= 1 {
		return writeJSON(filepath.Join(dir, base+".json"), key, items)
	}
	per := (len(items) + pages - 1) / pages
	for p := 0; p < pages; p++ {
		lo, hi := p*per, min((p+1)*per, len(items))
		if lo >= hi {
			break
		}
		if err := writeJSON(filepath.Join(dir, fmt.Sprintf("%s-%03d.json", base, p+1)), key, items[lo:hi]); err != nil {
			return err
		}
	}
	return nil
}

// writeJSON writes {"key": items} indented as the AWS CLI prints it.
func writeJSON(path, key string, items []obj) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "    ")
	if err := enc.Encode(obj{key: items}); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
