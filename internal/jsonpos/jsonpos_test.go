package jsonpos

import "testing"

func TestOffset(t *testing.T) {
	doc := []byte("{\n  \"A\": [\n    {\"B\": 1},\n    {\"B\": 2,\n     \"C\": {\"D\": \"x\"}}\n  ],\n  \"E\": true\n}\n")
	for _, tt := range []struct {
		path  string
		line  int
		found bool
	}{
		{"A[1].C.D", 5, true},
		{"A[0].B", 3, true},
		{"E", 7, true},
		{"A[1].Missing", 4, false}, // the enclosing object
		{"A[9]", 2, false},         // the enclosing array
		{"", 1, true},
	} {
		off, found := Offset(doc, tt.path)
		if got := Line(doc, off); got != tt.line || found != tt.found {
			t.Errorf("%q: line %d found %v, want line %d found %v", tt.path, got, found, tt.line, tt.found)
		}
	}
}
