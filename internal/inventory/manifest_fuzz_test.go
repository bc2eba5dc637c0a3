package inventory

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

// FuzzParseManifest: no manifest.json may panic; a manifest either parses
// with a time, or fails with an InputError naming the file.
func FuzzParseManifest(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "snapshots", "*", "manifest.json"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"walls":"snapshot","time":"2024-05-01T12:00:00Z","extra":[1,2]}`))
	f.Add([]byte(`{"walls":"snapshot","time":17}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, _, err := ParseManifest("manifest.json", data)
		if err != nil {
			var ie *vpc.InputError
			if !errors.As(err, &ie) || ie.Loc.File != "manifest.json" {
				t.Fatalf("error %v is not an InputError naming the file", err)
			}
			return
		}
		if m == nil || m.Time.IsZero() {
			t.Fatalf("parsed manifest without a time: %+v", m)
		}
	})
}
