package truth

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// writeInventory writes the world as `aws ec2 describe-*` output.
func writeInventory(t testing.TB, w *world, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	perm := func(r rule) map[string]any {
		p := map[string]any{"IpProtocol": protoName(r.proto), "IpRanges": []any{}, "Ipv6Ranges": []any{},
			"PrefixListIds": []any{}, "UserIdGroupPairs": []any{}}
		if r.proto != pAll {
			p["FromPort"], p["ToPort"] = r.from, r.to
		}
		if r.ref != "" {
			p["UserIdGroupPairs"] = []any{map[string]any{"GroupId": r.ref, "UserId": w.account}}
		} else {
			p["IpRanges"] = []any{map[string]any{"CidrIp": r.cidr.String()}}
		}
		return p
	}
	perms := func(rs []rule) []any {
		out := []any{}
		for _, r := range rs {
			out = append(out, perm(r))
		}
		return out
	}
	var sgs []any
	for _, g := range w.groups {
		sgs = append(sgs, map[string]any{"GroupId": g.id, "GroupName": g.name, "Description": g.name,
			"OwnerId": w.account, "VpcId": w.vpcID, "IpPermissions": perms(g.ingress),
			"IpPermissionsEgress": perms(g.egress)})
	}
	var enis []any
	for _, e := range w.enis {
		if e.gone {
			continue
		}
		var gs, ips []any
		for _, g := range e.groups {
			gs = append(gs, map[string]any{"GroupId": g, "GroupName": w.group(g).name})
		}
		for i, a := range e.ips {
			ips = append(ips, map[string]any{"Primary": i == 0, "PrivateIpAddress": a.String()})
		}
		sn := w.subnets[e.subnet]
		enis = append(enis, map[string]any{"NetworkInterfaceId": e.id, "InterfaceType": "interface",
			"Status": "in-use", "SubnetId": sn.id, "VpcId": w.vpcID, "OwnerId": w.account,
			"AvailabilityZone": sn.az, "Groups": gs, "PrivateIpAddress": e.ips[0].String(),
			"PrivateIpAddresses": ips, "Ipv6Addresses": []any{},
			"Attachment": map[string]any{"InstanceId": e.instance, "DeviceIndex": 0}})
	}
	var subnets []any
	for _, s := range w.subnets {
		subnets = append(subnets, map[string]any{"SubnetId": s.id, "VpcId": w.vpcID, "OwnerId": w.account,
			"CidrBlock": s.cidr.String(), "AvailabilityZone": s.az})
	}
	vpcs := []any{map[string]any{"VpcId": w.vpcID, "OwnerId": w.account, "CidrBlock": w.cidr.String(),
		"CidrBlockAssociationSet": []any{map[string]any{"CidrBlock": w.cidr.String(),
			"CidrBlockState": map[string]any{"State": "associated"}}}}}
	for name, v := range map[string]any{
		"describe-security-groups.json":    map[string]any{"SecurityGroups": sgs},
		"describe-network-interfaces.json": map[string]any{"NetworkInterfaces": enis},
		"describe-subnets.json":            map[string]any{"Subnets": subnets},
		"describe-vpcs.json":               map[string]any{"Vpcs": vpcs},
	} {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
