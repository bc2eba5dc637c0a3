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
