package awstest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// recordT keeps the errors a helper reports instead of failing the test.
type recordT struct {
	testing.TB
	errs []string
}

func (r *recordT) Helper() {}

func (r *recordT) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// NoSecretsUnder names each file that holds a secret, in sub-folders too,
// and passes over empty secrets and clean files.
func TestNoSecretsUnder(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "a", "b"), 0o755)
	os.WriteFile(filepath.Join(dir, "clean.json"), []byte(`{"ok": true}`), 0o644)
	os.WriteFile(filepath.Join(dir, "a", "b", "leak.json"), []byte(`{"key": "AKIDSECRET1"}`), 0o644)
	r := &recordT{TB: t}
	NoSecretsUnder(r, dir, "", "AKIDSECRET1")
	if len(r.errs) != 1 || r.errs[0] != filepath.Join(dir, "a", "b", "leak.json")+" holds a credential" {
		t.Errorf("reported %q", r.errs)
	}
	r = &recordT{TB: t}
	NoSecretsUnder(r, dir, "")
	if len(r.errs) != 0 {
		t.Errorf("an empty secret was found: %q", r.errs)
	}
}
