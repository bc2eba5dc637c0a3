package audit

import "testing"

// FuzzParseSuppressions: any bytes either parse into valid suppressions or
// give an error naming the file; never a panic.
func FuzzParseSuppressions(f *testing.F) {
	f.Add([]byte("suppressions:\n  - check: WALLS-SG-001\n    resource: sg-1\n    reason: r\n    expires: 2026-01-01\n"))
	f.Add([]byte("- check: WALLS-SG-003\n  resource: \"*\"\n  reason: x\n"))
	f.Add([]byte(`{"suppressions":[{"check":"WALLS-NACL-001","resource":"acl-1","reason":"y"}]}`))
	f.Add([]byte("suppressions: [1, 2]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		sups, err := ParseSuppressions("f.yaml", b)
		if err != nil {
			return
		}
		for _, s := range sups {
			if err := s.Validate(); err != nil {
				t.Fatalf("parsed an invalid suppression: %v", err)
			}
		}
	})
}
