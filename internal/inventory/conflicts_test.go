package inventory

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

// writeInputs writes name -> content files into a fresh folder.
func writeInputs(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// wantInputError loads paths and checks for an *vpc.InputError holding
// every fragment.
func wantInputError(t *testing.T, paths []string, fragments ...string) {
	t.Helper()
	_, err := Load(paths)
	var ie *vpc.InputError
	if err == nil || !errors.As(err, &ie) {
		t.Fatalf("err = %v, want an *vpc.InputError", err)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not contain %q", err, f)
		}
	}
}

// A key twice in one object of AWS CLI JSON, at any depth, or two keys
// differing only in case (the decoders match case-insensitively and keep
// the last), is an error naming file, line, path and key.
func TestAWSJSONDuplicateKeys(t *testing.T) {
	t.Parallel()
	group := func(perm string) string {
		return "{\"SecurityGroups\": [\n {\"GroupId\": \"sg-1\", \"IpPermissionsEgress\": [],\n  \"IpPermissions\": [\n" + perm + "]}]}\n"
	}
	many := make([]string, 40)
	for i := range many {
		many[i] = fmt.Sprintf("\"X%d\": %d", i, i)
	}
	tests := []struct {
		name, doc string
		want      []string
	}{
		{"nested exact", group("   {\"IpProtocol\": \"tcp\", \"FromPort\": 22, \"ToPort\": 22,\n    \"IpRanges\": [{\"CidrIp\": \"10.0.0.0/8\",\n     \"CidrIp\": \"0.0.0.0/0\"}]}\n"),
			[]string{"g.json:6: SecurityGroups[0].IpPermissions[0].IpRanges[0].CidrIp:", `key "CidrIp" appears twice in one object (first on line 5)`}},
		{"case variant", group("   {\"IpProtocol\": \"tcp\", \"FromPort\": 22, \"ToPort\": 22,\n    \"IpRanges\": [{\"CidrIp\": \"10.0.0.0/8\"}],\n    \"ipRanges\": [{\"CidrIp\": \"0.0.0.0/0\"}]}\n"),
			[]string{"g.json:6: SecurityGroups[0].IpPermissions[0].ipRanges:", `key "ipRanges" repeats "IpRanges" (line 5)`}},
		{"top of element", "{\"SecurityGroups\": [{\"GroupId\": \"sg-1\",\n \"GROUPID\": \"sg-2\"}]}",
			[]string{"g.json:2: SecurityGroups[0].GROUPID:", `repeats "GroupId" (line 1)`}},
		{"escaped key", "{\"NetworkAcls\": [{\"NetworkAclId\": \"acl-1\", \"Network\\u0041clId\": \"acl-2\"}]}",
			[]string{"g.json:1: NetworkAcls[0].NetworkAclId:", `key "NetworkAclId" appears twice`}},
		{"second element, many keys", "{\"Vpcs\": [{\"VpcId\": \"vpc-1\"},\n {\"VpcId\": \"vpc-2\", " + strings.Join(many, ", ") + ",\n \"x7\": 1}]}",
			[]string{"g.json:3: Vpcs[1].x7:", `key "x7" repeats "X7" (line 2)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeInputs(t, map[string]string{"g.json": tt.doc})
			wantInputError(t, []string{filepath.Join(dir, "g.json")}, tt.want...)
		})
	}
}

// The same key in sibling objects or at other depths is no repeat.
func TestAWSJSONSameKeyElsewhereIsFine(t *testing.T) {
	t.Parallel()
	doc := `{"SecurityGroups": [{"GroupId": "sg-1", "Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}],
  "IpPermissions": [{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-1"}, {"GroupId": "sg-2"}], "IpRanges": [], "Ipv6Ranges": [], "PrefixListIds": []}],
  "IpPermissionsEgress": []}, {"GroupId": "sg-2", "IpPermissions": [], "IpPermissionsEgress": []}]}`
	dir := writeInputs(t, map[string]string{"g.json": doc})
	inv, err := Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Groups) != 2 || len(inv.Groups["sg-1"].Ingress) != 2 {
		t.Fatalf("groups %v", inv.Groups)
	}
}

// A NACL entry that is not AWS's default deny may not take rule number
// 32767: its verdict would depend on the order of entries.
func TestAWSJSONNACLRuleNumber32767(t *testing.T) {
	t.Parallel()
	entry := func(num int, action, cidr string) string {
		return fmt.Sprintf(`{"RuleNumber": %d, "Egress": false, "RuleAction": %q, "Protocol": "-1", "CidrBlock": %q}`, num, action, cidr)
	}
	nacl := func(entries ...string) string {
		return `{"NetworkAcls": [{"NetworkAclId": "acl-1", "Entries": [` + strings.Join(entries, ",\n") + `]}]}`
	}
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"allow at 32767", nacl(entry(32767, "allow", "0.0.0.0/0"), entry(32767, "deny", "0.0.0.0/0")), "rule number 32767 is reserved for AWS's default deny"},
		{"narrow deny at 32767", nacl(entry(32767, "deny", "10.0.0.0/8")), "rule number 32767 is reserved"},
		{"32769", nacl(entry(32769, "deny", "0.0.0.0/0")), "rule number 32769 out of range"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := writeInputs(t, map[string]string{"n.json": tc.doc})
			wantInputError(t, []string{dir}, "NetworkAcls[0].Entries[0].RuleNumber", tc.want)
		})
	}
	// AWS's own default entries load.
	v6 := `{"RuleNumber": 32768, "Egress": false, "RuleAction": "deny", "Protocol": "-1", "Ipv6CidrBlock": "::/0"}`
	dir := writeInputs(t, map[string]string{"n.json": nacl(entry(100, "allow", "0.0.0.0/0"), entry(32767, "deny", "0.0.0.0/0"), v6)})
	inv, err := Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if n := inv.NACLs["acl-1"]; len(n.Inbound) != 3 || !n.Inbound[2].IsDefaultDeny() {
		t.Fatalf("entries %+v", n.Inbound)
	}
}

// Two files that define one object differently are an error naming both
// places; the same definition twice (pages of one dump read twice) is
// silent.
func TestConflictingDefinitions(t *testing.T) {
	t.Parallel()
	sg := func(cidr string) string {
		return `{"SecurityGroups": [{"GroupId": "sg-1", "IpPermissionsEgress": [],
  "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "` + cidr + `"}]}]}]}`
	}
	nacl := func(action string) string {
		return `{"NetworkAcls": [{"NetworkAclId": "acl-1", "Entries": [
  {"RuleNumber": 100, "Egress": false, "RuleAction": "` + action + `", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"}]}]}`
	}
	rule := func(port int) string {
		return fmt.Sprintf(`{"SecurityGroupRules": [{"SecurityGroupRuleId": "sgr-1", "GroupId": "sg-1", "IsEgress": false, "IpProtocol": "tcp", "FromPort": %d, "ToPort": %d, "CidrIpv4": "10.0.0.0/8"}]}`, port, port)
	}
	entries := func(cidrs ...string) string {
		var es []string
		for _, c := range cidrs {
			es = append(es, `{"Cidr": "`+c+`"}`)
		}
		return `{"Entries": [` + strings.Join(es, ", ") + `]}`
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string // "" = loads without a warning
	}{
		{"same group twice", map[string]string{"a.json": sg("10.0.0.0/8"), "b.json": sg("10.0.0.0/8")}, ""},
		{"group differs", map[string]string{"a.json": sg("10.0.0.0/8"), "b.json": sg("0.0.0.0/0")},
			"b.json:1: SecurityGroups[0]: security group sg-1 is defined differently here and at a.json:1"},
		{"same NACL twice", map[string]string{"a.json": nacl("deny"), "b.json": nacl("deny")}, ""},
		{"NACL entry differs", map[string]string{"a.json": nacl("deny"), "b.json": nacl("allow")},
			"b.json:1: NetworkAcls[0]: network ACL acl-1 is defined differently here and at a.json:1"},
		{"same rule id twice", map[string]string{"a.json": rule(22), "b.json": rule(22)}, ""},
		{"rule id differs", map[string]string{"a.json": rule(22), "b.json": rule(3389)},
			"security group rule sgr-1 is defined differently here and at"},
		{"entries pages agree", map[string]string{"x/pl-1.json": entries("10.0.0.0/8", "192.168.0.0/16"), "y/pl-1.json": entries("192.168.0.0/16", "10.0.0.0/8")}, ""},
		{"entries files differ", map[string]string{"x/pl-1.json": entries("10.0.0.0/8"), "y/pl-1.json": entries("0.0.0.0/0")},
			"the entries of prefix list pl-1 are defined differently here and at"},
		{"list entries and entries file differ", map[string]string{
			"a.json":    `{"PrefixLists": [{"PrefixListId": "pl-1", "Entries": [{"Cidr": "10.0.0.0/8"}]}]}`,
			"pl-1.json": entries("0.0.0.0/0")},
			"pl-1.json:1: Entries: the entries of prefix list pl-1 are defined differently here and at"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := writeInputs(t, tc.files)
			var paths []string
			for name := range tc.files {
				paths = append(paths, filepath.Join(dir, name))
			}
			inv, err := Load(paths)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				for _, w := range inv.Warnings {
					if w.Code == "duplicate" {
						t.Errorf("identical definitions must be silent: %+v", w)
					}
				}
				return
			}
			var ie *vpc.InputError
			if !errors.As(err, &ie) || !strings.Contains(strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), ""), tc.want) {
				t.Errorf("err = %v, want an input error containing %q", err, tc.want)
			}
		})
	}
}
