package iac

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

var headFields = HeadFields{Protocol: "proto", From: "from", To: "to"}

func TestRuleHead(t *testing.T) {
	for _, tc := range []struct {
		name     string
		f        map[string]any
		want     string // "proto from to", "" = skipped
		err      string // prefix: the field, then the message
		warnings []string
	}{
		{name: "tcp", f: map[string]any{"proto": "TCP", "from": 22, "to": 23}, want: "6 22 23"},
		{name: "all ignores ports", f: map[string]any{"proto": "-1", "from": "junk", "to": unknownVal{}}, want: "-1 -1 -1"},
		{name: "icmpv6 range optional", f: map[string]any{"proto": "icmpv6"}, want: "58 -1 -1"},
		{name: "missing protocol at the field", f: map[string]any{"from": 1, "to": 1}, err: "proto: missing: want tcp, udp"},
		{name: "bad protocol at the field", f: map[string]any{"proto": "300"}, err: `proto: protocol "300"`},
		{name: "unknown protocol", f: map[string]any{"proto": unknownVal{}}, warnings: []string{"proto: rule skipped"}},
		{name: "to out of range at to", f: map[string]any{"proto": "udp", "from": 1, "to": 70000}, err: "to: udp port 70000 out of range"},
		{name: "missing ports at from", f: map[string]any{"proto": "tcp"}, err: "from: missing: tcp rules need a port range"},
		{name: "the unknown port is named", f: map[string]any{"proto": "tcp", "from": 1, "to": unknownVal{}}, warnings: []string{"to: rule skipped"}},
		{name: "a read error before an unknown", f: map[string]any{"proto": "tcp", "from": unknownVal{}, "to": "x"}, err: "to: want a whole number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &mapBody{f: tc.f}
			p, from, to, ok, err := RuleHead(b, headFields)
			got := strings.Join([]string{itoa(int64(p)), itoa(int64(from)), itoa(int64(to))}, " ")
			checkRead(t, b, got, ok, err, tc.want, tc.err, tc.warnings)
		})
	}
}

// checkRead checks one read: got (ok) against want ("" = skipped), or err
// starting with wantErr, and the warnings b recorded.
func checkRead(t *testing.T, b *mapBody, got string, ok bool, err error, want, wantErr string, warnings []string) {
	t.Helper()
	switch {
	case wantErr != "":
		if err == nil || !strings.HasPrefix(err.Error(), wantErr) {
			t.Fatalf("err %v, want %q…", err, wantErr)
		}
	case err != nil:
		t.Fatal(err)
	case want == "" && ok:
		t.Errorf("read %s, want it skipped", got)
	case want != "" && (!ok || got != want):
		t.Errorf("read %s (ok %v), want %s", got, ok, want)
	}
	if !reflect.DeepEqual(b.warnings, warnings) {
		t.Errorf("warnings %q, want %q", b.warnings, warnings)
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

var (
	flatEntry   = EntryFields{Number: "n", Action: "a", Protocol: "p", CIDR4: "c4", CIDR6: "c6", From: "from", To: "to", Type: "type", Code: "code", UnsetICMPIsZero: true}
	nestedEntry = EntryFields{Number: "n", Action: "a", Protocol: "p", ProtocolWant: "WANT", CIDR4: "c4", CIDR6: "c6",
		PortRange: "range", From: "from", To: "to", ICMP: "icmp", Type: "type", Code: "code"}
)

func TestNACLEntry(t *testing.T) {
	base := func(kv ...any) map[string]any {
		m := map[string]any{"n": 100, "a": "allow", "c4": "0.0.0.0/0"}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	for _, tc := range []struct {
		name     string
		fields   EntryFields
		f        map[string]any
		want     string // the entry's String(), "" = skipped
		err      string
		warnings []string
	}{
		{name: "flat tcp", fields: flatEntry, f: base("p", "6", "from", 80, "to", 81), want: "100 allow tcp 80-81 0.0.0.0/0"},
		{name: "flat unset icmp is 0", fields: flatEntry, f: base("p", "1"), want: "100 allow icmp type 0 code 0 0.0.0.0/0"},
		{name: "flat fields read whatever the protocol", fields: flatEntry, f: base("p", "-1", "code", unknownVal{}), warnings: []string{"code: entry skipped"}},
		{name: "flat port error at the field", fields: flatEntry, f: base("p", "17", "from", 5, "to", 70000), err: "to: udp port 70000 out of range"},
		{name: "nested tcp", fields: nestedEntry, f: base("p", "6", "range", map[string]any{"from": 1, "to": 2}), want: "100 allow tcp 1-2 0.0.0.0/0"},
		{name: "nested not needed not read", fields: nestedEntry, f: base("p", "-1", "range", unknownVal{}, "icmp", unknownVal{}), want: "100 allow all 0.0.0.0/0"},
		{name: "nested icmpv6 on IPv4 needs no Icmp", fields: nestedEntry, f: base("p", "58", "icmp", unknownVal{}), want: "100 allow icmpv6 0.0.0.0/0"},
		{name: "nested missing range at the object", fields: nestedEntry, f: base("p", "6"), err: "range: missing: protocol tcp needs a port range"},
		{name: "nested missing icmp at the object", fields: nestedEntry, f: base("p", "1"), err: "icmp: missing: protocol icmp needs"},
		{name: "nested empty icmp at the object", fields: nestedEntry, f: base("p", "1", "icmp", map[string]any{}), err: "icmp: missing"},
		{name: "nested error inside the object", fields: nestedEntry, f: base("p", "1", "icmp", map[string]any{"type": 3, "code": 256}), err: "icmp.code: icmp code 256 out of range"},
		{name: "nested unknown object", fields: nestedEntry, f: base("p", "6", "range", unknownVal{}), warnings: []string{"range: entry skipped"}},
		{name: "nested unknown inside", fields: nestedEntry, f: base("p", "6", "range", map[string]any{"from": 1, "to": unknownVal{}}), warnings: []string{"range.to: entry skipped"}},
		{name: "missing number at the field", fields: nestedEntry, f: map[string]any{"a": "allow", "p": "-1", "c4": "0.0.0.0/0"}, err: "n: missing: want a rule number 1-32766"},
		{name: "reserved number", fields: nestedEntry, f: base("n", 32767, "p", "-1"), err: "n: rule number 32767"},
		{name: "missing action at the field", fields: flatEntry, f: map[string]any{"n": 1, "p": "-1", "c4": "0.0.0.0/0"}, err: "a: missing: want allow or deny"},
		{name: "bad action", fields: flatEntry, f: base("a", "accept", "p", "-1"), err: `a: rule action "accept"`},
		{name: "missing protocol, the table's want", fields: nestedEntry, f: base(), err: "p: missing: want WANT"},
		{name: "both blocks", fields: flatEntry, f: base("p", "-1", "c6", "::/0"), err: "body: both c4 and c6 set: want exactly one"},
		{name: "no block", fields: flatEntry, f: map[string]any{"n": 1, "a": "deny", "p": "-1", "c4": ""}, err: "body: missing c4 or c6: want exactly one"},
		{name: "the unknown block is named", fields: flatEntry, f: base("p", "-1", "c6", unknownVal{}), warnings: []string{"c6: entry skipped"}},
		{name: "bad block at the field", fields: flatEntry, f: base("p", "-1", "c4", "10.0.0.0/40"), err: `c4: CIDR "10.0.0.0/40"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &mapBody{f: tc.f}
			e, ok, err := NACLEntry(b, tc.fields)
			checkRead(t, b, e.String(), ok, err, tc.want, tc.err, tc.warnings)
		})
	}
}
