package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every anchor of docs/semantics.md that a Go file cites exists in the
// document, so renaming or dropping an anchor cannot leave a comment
// pointing nowhere.
func TestSemanticsAnchorsExist(t *testing.T) {
	root := filepath.Join("..", "..")
	doc, err := os.ReadFile(filepath.Join(root, "docs", "semantics.md"))
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]bool{}
	for _, m := range regexp.MustCompile(`<a id="([a-z0-9-]+)"></a>`).FindAllStringSubmatch(string(doc), -1) {
		anchors[m[1]] = true
	}
	cite := regexp.MustCompile(`docs/semantics\.md((?:#[a-z0-9-]+)(?:,\s*(?://\s*)?#[a-z0-9-]+)*)`)
	cited := 0
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range cite.FindAllStringSubmatch(string(src), -1) {
			for _, a := range regexp.MustCompile(`#([a-z0-9-]+)`).FindAllStringSubmatch(m[1], -1) {
				cited++
				if !anchors[a[1]] {
					t.Errorf("%s cites docs/semantics.md#%s, which the document does not have", p, a[1])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if cited == 0 {
		t.Error("no citation found: the pattern no longer matches the comments")
	}
}
