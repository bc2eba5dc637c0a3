package audit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/walls-dev/walls/internal/readfile"
)

// Suppression hides the findings of one check on matching resources, for a
// stated reason, optionally until a date. It comes from a suppressions file
// or from an inline `# walls:ignore WALLS-… reason` comment in a .tf file.
type Suppression struct {
	CheckID string `json:"checkId" yaml:"check"`
	// Resource is a resource id, a rule reference (sgr-… or sg-…/egress#2)
	// or a path.Match pattern over either ("sg-0ab*", "*").
	Resource string `json:"resource" yaml:"resource"`
	Reason   string `json:"reason" yaml:"reason"`
	// Expires is the last day (YYYY-MM-DD, UTC) the suppression holds.
	Expires string    `json:"expires,omitempty" yaml:"expires"`
	Source  *Location `json:"source,omitempty" yaml:"-"`
	// At, when set, matches findings located at this file and line instead
	// of by resource: an inline comment on one rule block of a .tf file.
	At *Location `json:"at,omitempty" yaml:"-"`
}

const dateLayout = "2006-01-02"

// expired reports whether the suppression's last day is before now.
func (s *Suppression) expired(now time.Time) bool {
	if s.Expires == "" {
		return false
	}
	d, err := time.Parse(dateLayout, s.Expires)
	if err != nil {
		return true // validated on load; an unparsable date never hides anything
	}
	return !now.UTC().Before(d.AddDate(0, 0, 1))
}

func globMatch(pattern, s string) bool {
	if pattern == s {
		return true
	}
	ok, err := path.Match(pattern, s)
	return err == nil && ok
}

// matches reports whether the suppression covers finding f.
func (s *Suppression) matches(f *Finding) bool {
	if s.CheckID != f.CheckID {
		return false
	}
	if s.At != nil {
		return f.Location != nil && f.Location.File == s.At.File && f.Location.Line == s.At.Line
	}
	if globMatch(s.Resource, f.ResourceID) {
		return true
	}
	if f.RuleRef != "" && globMatch(s.Resource, f.RuleRef) {
		return true
	}
	return false
}

// Validate checks one suppression: a known check, a resource, a reason, a
// valid date.
func (s *Suppression) Validate() error {
	if _, ok := Lookup(s.CheckID); !ok {
		return fmt.Errorf("unknown check %q (see walls audit --list-checks)", s.CheckID)
	}
	if s.Resource == "" {
		return fmt.Errorf("suppression of %s: a resource is required (an id, a rule reference or a pattern such as \"sg-0ab*\")", s.CheckID)
	}
	if _, err := path.Match(s.Resource, ""); err != nil {
		return fmt.Errorf("suppression of %s: resource pattern %q: %v", s.CheckID, s.Resource, err)
	}
	if strings.TrimSpace(s.Reason) == "" {
		return fmt.Errorf("suppression of %s on %s: a reason is required", s.CheckID, s.Resource)
	}
	if s.Expires != "" {
		if _, err := time.Parse(dateLayout, s.Expires); err != nil {
			return fmt.Errorf("suppression of %s on %s: expires %q: want a date YYYY-MM-DD", s.CheckID, s.Resource, s.Expires)
		}
	}
	return nil
}

// LoadSuppressions reads a suppressions file (YAML, or JSON, which YAML
// reads too):
//
//	suppressions:
//	  - check: WALLS-SG-003
//	    resource: sg-0a1b2c3d4e5f60718
//	    reason: the mail relay sends on 25
//	    expires: 2026-12-31
//
// Every entry needs a check ID, a resource and a reason; errors name the line.
func LoadSuppressions(file string) ([]Suppression, error) {
	b, err := readfile.Read(file) // regular files only, bounded
	if err != nil {
		return nil, err
	}
	return ParseSuppressions(file, b)
}

// ParseSuppressions parses the content of a suppressions file named file.
func ParseSuppressions(file string, b []byte) ([]Suppression, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	root := doc.Content[0]
	var list *yaml.Node
	switch root.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value == "suppressions" {
				list = root.Content[i+1]
			}
		}
		if list == nil {
			return nil, fmt.Errorf("%s:%d: want a top-level \"suppressions\" list", file, root.Line)
		}
	case yaml.SequenceNode:
		list = root
	default:
		return nil, fmt.Errorf("%s:%d: want a \"suppressions\" list", file, root.Line)
	}
	if list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s:%d: \"suppressions\" must be a list", file, list.Line)
	}
	var out []Suppression
	for _, n := range list.Content {
		var s Suppression
		if err := n.Decode(&s); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", file, n.Line, err)
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				switch n.Content[i].Value {
				case "check", "resource", "reason", "expires":
				default:
					return nil, fmt.Errorf("%s:%d: unknown field %q (want check, resource, reason, expires)", file, n.Content[i].Line, n.Content[i].Value)
				}
			}
		}
		s.Source = &Location{File: file, Line: n.Line}
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", file, n.Line, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// applySuppressions splits findings into kept and suppressed, and returns a
// finding for every expired suppression (which suppresses nothing).
func applySuppressions(all []Finding, sups []Suppression, now time.Time) (kept, suppressed, expired []Finding) {
	kept = make([]Finding, 0, len(all))
	for _, f := range all {
		hidden := false
		for i := range sups {
			s := &sups[i]
			if s.expired(now) || !s.matches(&f) {
				continue
			}
			f.Suppression = s
			suppressed = append(suppressed, f)
			hidden = true
			break
		}
		if !hidden {
			kept = append(kept, f)
		}
	}
	check, _ := Lookup(ExpiredSuppression)
	for i := range sups {
		s := &sups[i]
		if !s.expired(now) {
			continue
		}
		f := Finding{
			CheckID: ExpiredSuppression, Severity: check.Severity, Title: check.Title,
			ResourceID: s.CheckID + ":" + s.Resource, ResourceType: check.Resource,
			Message: fmt.Sprintf("The suppression of %s on %s expired on %s (reason given: %q); the findings it hid are reported again.",
				s.CheckID, s.Resource, s.Expires, s.Reason),
			Location: s.Source,
			key:      s.CheckID + "|" + s.Resource + "|" + s.Expires,
		}
		f.Fingerprint = fingerprint(&f)
		expired = append(expired, f)
	}
	return kept, suppressed, expired
}
