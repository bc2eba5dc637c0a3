package inventory

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

// FuzzDecodeAWSJSON feeds arbitrary bytes through decoding, conversion and
// merging: no input may panic; errors are fine.
func FuzzDecodeAWSJSON(f *testing.F) {
	for _, dir := range []string{"testdata/spec", "testdata/pages", "testdata/errors", "testdata/prefixlists"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := &parsed{file: "pl-0abc.json"}
		fd, err := decodeAWSJSON("pl-0abc.json", data)
		if err != nil {
			return
		}
		p.aws = fd
		p.conv = &converter{file: "pl-0abc.json"}
		p.conv.convertAll(fd)
		inv := newInventoryForFuzz()
		m := newMerger(inv)
		_ = m.add(p)
		m.finish()
		Finalize(inv)
	})
}

func newInventoryForFuzz() *vpc.Inventory { return vpc.New() }
