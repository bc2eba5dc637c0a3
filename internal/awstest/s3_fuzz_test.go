package awstest

import "testing"

// FuzzParseRange: an accepted Range header selects bytes inside the object.
func FuzzParseRange(f *testing.F) {
	f.Add("bytes=0-99", int64(50))
	f.Fuzz(func(t *testing.T, h string, size int64) {
		if size < 0 || size > 1<<40 {
			return
		}
		from, to, ok := parseRange(h, size)
		if ok && (from < 0 || to < from || to >= size) {
			t.Fatalf("%q of %d: %d-%d", h, size, from, to)
		}
	})
}
