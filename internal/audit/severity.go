package audit

import (
	"fmt"
	"strings"
)

// Severity ranks a finding. The order is critical > high > medium > low; the
// zero value is invalid so a forgotten severity shows up in tests.
type Severity int

// Severities from least to most severe.
const (
	Low Severity = iota + 1
	Medium
	High
	Critical
)

// String is the lower-case name used in JSON and on the command line.
func (s Severity) String() string {
	switch s {
	case Low:
		return "low"
	case Medium:
		return "medium"
	case High:
		return "high"
	case Critical:
		return "critical"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// ParseSeverity reads critical, high, medium or low, in any case.
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "low":
		return Low, nil
	case "medium":
		return Medium, nil
	case "high":
		return High, nil
	case "critical":
		return Critical, nil
	}
	return 0, fmt.Errorf("severity %q: want critical, high, medium or low", s)
}

// MarshalText writes the name, so JSON carries "high", not 3.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads the name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
