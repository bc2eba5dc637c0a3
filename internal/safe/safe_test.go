package safe

import (
	"strings"
	"testing"
)

func TestGroupCarriesPanic(t *testing.T) {
	var g Group
	for i := 0; i < 4; i++ {
		g.Go(func() {
			if i == 2 {
				panic("boom")
			}
		})
	}
	defer func() {
		r := recover()
		p, ok := r.(*Panic)
		if !ok || p.Value != "boom" || !strings.Contains(string(p.Stack), "safe_test.go") {
			t.Fatalf("recovered %#v, want *Panic with the goroutine's stack", r)
		}
	}()
	g.Wait()
	t.Fatal("Wait returned although a goroutine panicked")
}

func TestGroupQuiet(t *testing.T) {
	var g Group
	n := 0
	g.Go(func() { n++ })
	g.Wait()
	if n != 1 {
		t.Fatal("goroutine did not run")
	}
}
