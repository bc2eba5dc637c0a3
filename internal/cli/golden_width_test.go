package cli

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/walls-dev/walls/internal/render"
)

// TestGoldenTablesFit: every golden file a table command writes for people
// (.txt) fits the width tests render at, render.DefaultWidth.
func TestGoldenTablesFit(t *testing.T) {
	n := 0
	err := filepath.WalkDir("testdata", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".txt" {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		for i, line := range strings.Split(string(data), "\n") {
			if w := utf8.RuneCountInString(line); w > render.DefaultWidth {
				t.Errorf("%s:%d: %d columns, wider than %d:\n%s", path, i+1, w, render.DefaultWidth, line)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 8 {
		t.Errorf("only %d golden .txt files found", n)
	}
}
