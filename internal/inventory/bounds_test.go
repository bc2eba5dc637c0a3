package inventory

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

const vpcsJSON = `{"Vpcs": [{"VpcId": "vpc-0123456789abcdef0", "CidrBlock": "10.0.0.0/16"}]}`

func wantLoadError(t *testing.T, paths []string, file, want string) {
	t.Helper()
	_, err := Load(paths)
	var ie *vpc.InputError
	if !errors.As(err, &ie) || ie.Loc.File != file || !strings.Contains(err.Error(), want) {
		t.Fatalf("Load(%v) = %v; want an input error on %s saying %q", paths, err, file, want)
	}
}

func hasWarning(inv *vpc.Inventory, file, want string) bool {
	for _, w := range inv.Warnings {
		if w.Source.File == file && strings.Contains(w.Message, want) {
			return true
		}
	}
	return false
}

// /dev/zero named as INPUT is refused, not read (it never ends).
func TestLoadRefusesDevice(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	wantLoadError(t, []string{"/dev/zero"}, "/dev/zero", "a device, not a regular file")
}

// sparse makes a file of size bytes that costs neither disk nor time.
func sparse(t *testing.T, path string, size int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Skip("no sparse files:", err)
	}
}

// A file over 1 GiB is refused before it is read, named or found in a
// folder (it may be inventory; skipping it would be a quiet wrong answer).
func TestLoadRefusesLargeFile(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "network-interfaces.json")
	sparse(t, big, 2<<30)
	os.WriteFile(filepath.Join(dir, "vpcs.json"), []byte(vpcsJSON), 0o644)
	wantLoadError(t, []string{big}, big, "file is 2 GiB; walls reads inventory files of up to 1 GiB each")
	wantLoadError(t, []string{dir}, big, "file is 2 GiB")
	tf := filepath.Join(dir, "tf")
	os.Mkdir(tf, 0o755)
	sparse(t, filepath.Join(tf, "main.tf"), 3<<29)
	wantLoadError(t, []string{tf}, filepath.Join(tf, "main.tf"), "file is 1.5 GiB")
}

// AWS CLI JSON nested deeper than MaxJSONDepth is refused at its line, in
// a known key's elements and in an unknown key alike.
func TestLoadRefusesDeepJSON(t *testing.T) {
	dir := t.TempDir()
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	for name, doc := range map[string]string{
		"element.json": "{\n\"SecurityGroups\": [\n{\"GroupId\": \"sg-1\", \"X\": " + deep + "}]}",
		"unknown.json": "{\"Vpcs\": [],\n\"Other\":\n" + deep + "}",
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(doc), 0o644)
		_, err := Load([]string{p})
		var ie *vpc.InputError
		if !errors.As(err, &ie) || ie.Loc.File != p || ie.Loc.Line != 3 || !strings.Contains(ie.Msg, "nested more than 256 levels") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

const brokenTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Web:
    Type: AWS::EC2::SecurityGroup
   Properties:
      GroupDescription: web
`

// A CloudFormation YAML template with a syntax error said only "not AWS
// CLI JSON, a terraform show -json document or a CloudFormation template".
// Named, it is an error at the YAML parser's line with its reason; found
// in a folder, a warning that says the same.
func TestLoadYAMLSyntaxError(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "web.yaml")
	os.WriteFile(p, []byte(brokenTemplate), 0o644)
	_, err := Load([]string{p})
	var ie *vpc.InputError
	if !errors.As(err, &ie) || ie.Loc.File != p || ie.Loc.Line != 5 || !strings.Contains(ie.Msg, "invalid YAML: did not find expected key") {
		t.Fatalf("got %v; want %s:5: invalid YAML and the reason", err, p)
	}
	os.WriteFile(filepath.Join(dir, "vpcs.json"), []byte(vpcsJSON), 0o644)
	inv, err := Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, w := range inv.Warnings {
		found = found || w.Source.File == p && w.Source.Line == 5 && strings.Contains(w.Message, "invalid YAML: did not find expected key")
	}
	if !found {
		t.Fatalf("no located warning for %s: %v", p, inv.Warnings)
	}
}

// YAML nested deeper than the template reader's limit (or yaml.v3's own)
// is refused with the reason, not taken for some other format.
func TestLoadDeepYAML(t *testing.T) {
	dir := t.TempDir()
	var block strings.Builder
	block.WriteString("Resources:\n")
	for i := 1; i < 300; i++ {
		block.WriteString(strings.Repeat(" ", i) + "k:\n")
	}
	block.WriteString(strings.Repeat(" ", 300) + "k: 1\n")
	for name, doc := range map[string]string{
		"flow.yaml":  "Resources: " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "\n",
		"block.yaml": block.String(),
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(doc), 0o644)
		_, err := Load([]string{p})
		var ie *vpc.InputError
		if !errors.As(err, &ie) || ie.Loc.File != p || !strings.Contains(ie.Msg, "invalid YAML") ||
			!strings.Contains(ie.Msg, "nested more than 256 levels") && !strings.Contains(ie.Msg, "exceeded max depth") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
