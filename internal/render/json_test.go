package render

import (
	"strings"
	"testing"
)

// testWalls stands for the build information cli passes as the "walls" field.
var testWalls = struct {
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
}{Version: "v0.0.0-test"}

func TestWriteJSONWallsFieldFirst(t *testing.T) {
	var b strings.Builder
	if err := WriteJSON(&b, struct{}{}, true, testWalls); err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"walls\": {\n    \"version\": \"v0.0.0-test\"\n  }\n}\n"; b.String() != want {
		t.Errorf("empty object: got %q, want %q", b.String(), want)
	}
	if err := WriteJSON(&b, []int{1}, true, testWalls); err == nil {
		t.Error("an array: no error")
	}
	for _, c := range []struct {
		escape bool
		want   string
	}{
		{true, "{\n  \"walls\": {\n    \"version\": \"v0.0.0-test\"\n  },\n  \"a\": \"\\u003cb\\u003e\"\n}\n"},
		{false, "{\n  \"walls\": {\n    \"version\": \"v0.0.0-test\"\n  },\n  \"a\": \"<b>\"\n}\n"},
	} {
		b.Reset()
		if err := WriteJSON(&b, map[string]string{"a": "<b>"}, c.escape, testWalls); err != nil {
			t.Fatal(err)
		}
		if b.String() != c.want {
			t.Errorf("escapeHTML %v: got %q, want %q", c.escape, b.String(), c.want)
		}
	}
}
