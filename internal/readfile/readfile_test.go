package readfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

func wantRefused(t *testing.T, path, want string) {
	t.Helper()
	data, err := Read(path)
	var ie *vpc.InputError
	if !errors.As(err, &ie) || ie.Loc.File != path || !strings.Contains(ie.Msg, want) {
		t.Fatalf("Read(%s) = %d bytes, %v; want an input error naming the file and %q", path, len(data), err, want)
	}
}

func TestReadRegular(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.json")
	os.WriteFile(p, []byte(`{"Vpcs": []}`), 0o644)
	data, err := Read(p)
	if err != nil || string(data) != `{"Vpcs": []}` {
		t.Fatalf("%q, %v", data, err)
	}
}

func TestReadRefusesDevice(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	wantRefused(t, "/dev/zero", "a device, not a regular file")
}

func TestReadRefusesFolder(t *testing.T) {
	wantRefused(t, t.TempDir(), "a folder, not a regular file")
}

// A file over MaxSize is refused from its size, before reading: the test
// file is sparse, so it costs no disk and no time.
func TestReadRefusesLargeFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.json")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(2 << 30); err != nil {
		t.Skip("no sparse files:", err)
	}
	f.Close()
	wantRefused(t, p, "file is 2 GiB; walls reads inventory files of up to 1 GiB each")
}

// endless is a reader with no end, like a pipe fed forever.
type endless struct{ read int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	e.read += int64(len(p))
	return len(p), nil
}

// Where the size is not known (a pipe, a file that claims 0 bytes), no
// more than the limit and one byte is read.
func TestReadLimited(t *testing.T) {
	r := &endless{}
	_, err := ReadLimited(r, 0, 10_000)
	if err == nil || !strings.Contains(err.Error(), "larger than") || r.read > 10_001 {
		t.Fatalf("err %v after reading %d bytes", err, r.read)
	}
	for _, hint := range []int64{0, 3, 10, 10_000, 1 << 40} {
		data, err := ReadLimited(strings.NewReader(strings.Repeat("x", 10)), hint, 10)
		if err != nil || len(data) != 10 {
			t.Fatalf("hint %d: %d bytes, %v", hint, len(data), err)
		}
		if _, err := ReadLimited(io.MultiReader(strings.NewReader(strings.Repeat("x", 11))), hint, 10); err == nil {
			t.Fatalf("hint %d: 11 bytes read under a limit of 10", hint)
		}
	}
}

func TestHuman(t *testing.T) {
	for n, want := range map[int64]string{1 << 30: "1 GiB", 3 << 29: "1.5 GiB", 171 << 20: "171 MiB", 12: "12 bytes", 2048: "2 KiB"} {
		if got := human(n); got != want {
			t.Errorf("human(%d) = %q, want %q", n, got, want)
		}
	}
}
