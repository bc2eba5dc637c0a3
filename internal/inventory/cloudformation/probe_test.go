package cloudformation

import (
	"errors"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

// A template that does not parse says where and why; yaml.v3's own line is
// the enclosing block's, so the line is the first that breaks the document.
func TestProbeSyntaxErrors(t *testing.T) {
	head := "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Web:\n    Type: AWS::EC2::SecurityGroup\n"
	for _, c := range []struct {
		name, doc string
		line      int
		reason    string
	}{
		{"indent", head + "   Properties:\n      GroupDescription: web\n", 5, "did not find expected key"},
		{"tab", head + "    Properties:\n\tGroupDescription: web\n", 6, "found character that cannot start any token"},
		{"quote", head + "    Properties:\n      GroupDescription: \"web\n", 6, "found unexpected end of stream"},
		{"flow", head + "    Properties:\n      Tags: [a,\n        b,\n        c: d: e]\n", 8, "did not find expected ',' or ']'"},
		{"depth", head + "    Properties: " + strings.Repeat("[", 20000) + "\n", 5, "exceeded max depth of 10000"},
		{"nesting", head + "    Properties: " + strings.Repeat("[", 300) + strings.Repeat("]", 300) + "\n", 5, "nested more than 256 levels deep"},
		{"json", "{\"Resources\": {\n\"A\": [1,,]}}", 2, "invalid JSON"},
	} {
		ok, err := Probe("t.yaml", []byte(c.doc))
		var ie *vpc.InputError
		if ok || !errors.As(err, &ie) || ie.Loc.File != "t.yaml" || ie.Loc.Line != c.line || !strings.Contains(ie.Msg, c.reason) {
			t.Errorf("%s: %v, %v; want t.yaml:%d: %s", c.name, ok, err, c.line, c.reason)
		}
	}
	if ok, err := Probe("t.yaml", []byte(head+"    Properties:\n      GroupDescription: web\n")); !ok || err != nil {
		t.Errorf("valid template: %v, %v", ok, err)
	}
	if ok, err := Probe("compose.yaml", []byte("services:\n  web:\n    image: nginx\n")); ok || err != nil {
		t.Errorf("other YAML: %v, %v", ok, err)
	}
}
