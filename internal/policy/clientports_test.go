package policy

import "testing"

func TestParseClientPorts(t *testing.T) {
	good := map[string]PortRange{
		"linux":        {32768, 60999},
		"Windows":      {49152, 65535},
		"nat":          {1024, 65535},
		"lambda":       {1024, 65535},
		"default":      DefaultClientPorts,
		"32768-65535":  {32768, 65535},
		" 1024 - 2048": {1024, 2048},
		"50000":        {50000, 50000},
	}
	for in, want := range good {
		got, err := ParseClientPorts(in)
		if err != nil || got != want {
			t.Errorf("ParseClientPorts(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "linux-ish", "70000", "-1-5", "5-4", "1-65536", "a-b"} {
		if r, err := ParseClientPorts(in); err == nil {
			t.Errorf("ParseClientPorts(%q) = %v, want an error", in, r)
		}
	}
	if DefaultClientPorts.String() != "32768-65535" {
		t.Errorf("default renders %q", DefaultClientPorts)
	}
	// The default holds every port of the common operating systems' ranges.
	for _, r := range []PortRange{LinuxClientPorts, WindowsClientPorts} {
		if !DefaultClientPorts.Contains(r.From) || !DefaultClientPorts.Contains(r.To) {
			t.Errorf("default %v misses %v", DefaultClientPorts, r)
		}
	}
}
