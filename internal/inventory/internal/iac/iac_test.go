package iac

import (
	"errors"
	"strings"
	"testing"
)

func TestParseJSONLines(t *testing.T) {
	t.Parallel()
	doc := "{\n  \"a\": 1,\n  \"list\": [\n    {\"x\": \"y\"},\n    \"s\"\n  ],\n  \"o\": {\n    \"k\": true\n  }\n}\n"
	n, err := ParseJSON([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		got  *Node
		line int
	}{
		{"root", n, 1},
		{"number", n.Get("a"), 2},
		{"array member", n.Get("list"), 3},
		{"object in array", n.Get("list").Items[0], 4},
		{"string in object", n.Get("list").Items[0].Get("x"), 4},
		{"string in array", n.Get("list").Items[1], 5},
		{"object member", n.Get("o"), 7},
		{"bool", n.Get("o").Get("k"), 8},
	}
	for _, tt := range tests {
		if tt.got == nil || tt.got.Line != tt.line {
			t.Errorf("%s: line %v, want %d", tt.name, tt.got, tt.line)
		}
	}
	if strings.Join(n.Keys, ",") != "a,list,o" {
		t.Errorf("keys %v", n.Keys)
	}
	for _, bad := range []string{"{", "{\"a\": }", "{} {}", "[" + strings.Repeat("[", 300) + strings.Repeat("]", 301)} {
		if _, err := ParseJSON([]byte(bad)); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}

func TestParsePrefix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		family int
		want   string // "" = error
	}{
		{"10.0.0.0/16", 4, "10.0.0.0/16"},
		{"100.68.0.18/18", 0, "100.68.0.0/18"},
		{" 2001:db8::1/56 ", 6, "2001:db8::/56"},
		{"10.0.0.1", 0, ""},
		{"10.0.0.0/33", 0, ""},
		{"::/0", 4, ""},
		{"0.0.0.0/0", 6, ""},
		{"::ffff:10.0.0.0/104", 0, ""},
		{"fe80::1%eth0/64", 0, ""},
	}
	for _, tt := range tests {
		p, err := ParsePrefix(tt.in, tt.family)
		got := ""
		if err == nil {
			got = p.String()
		}
		if got != tt.want {
			t.Errorf("ParsePrefix(%q, %d) = %q, %v; want %q", tt.in, tt.family, got, err, tt.want)
		}
	}
}

// Only an account id before the slash makes a cross-account reference;
// anything else is part of the id (a qualified address of an IaC unit).
func TestGroupRefAccount(t *testing.T) {
	for in, want := range map[string][2]string{
		"sg-1":                                {"sg-1", ""},
		"111122223333/sg-1":                   {"sg-1", "111122223333"},
		"envs/staging/aws_security_group.web": {"envs/staging/aws_security_group.web", ""},
		"prod.json/aws_security_group.web":    {"prod.json/aws_security_group.web", ""},
		"11112222333/sg-1":                    {"11112222333/sg-1", ""},
	} {
		if g := GroupRef(in); g.GroupID != want[0] || g.UserID != want[1] {
			t.Errorf("GroupRef(%q) = %q in %q, want %q in %q", in, g.GroupID, g.UserID, want[0], want[1])
		}
	}
}

// A key twice in one object, at any depth, is an error at the second
// occurrence's line that names the key and the first line.
func TestParseJSONDuplicateKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		doc  string
		line int
		key  string
	}{
		{"{\"a\": 1,\n \"a\": 2}", 2, `"a"`},
		{"{\"r\": [\n  {\"x\": {\"CidrIp\": \"10.0.0.0/8\",\n   \"CidrIp\": \"0.0.0.0/0\"}}]}", 3, `"CidrIp"`},
		{"{\"o\": {},\n\"o\": []}", 2, `"o"`},
	} {
		_, err := ParseJSON([]byte(tc.doc))
		var se *SyntaxError
		var dup *DuplicateKeyError
		if !errors.As(err, &se) || !errors.As(err, &dup) || se.Line != tc.line || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%q: got %v, want a duplicate key %s at line %d", tc.doc, err, tc.key, tc.line)
		}
	}
	// Keys that differ in case are different keys to the IaC loaders, which
	// match exactly.
	if _, err := ParseJSON([]byte(`{"a": 1, "A": 2}`)); err != nil {
		t.Errorf("case variants: %v", err)
	}
}
