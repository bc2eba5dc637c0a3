// Package safe runs goroutines whose panics reach the goroutine that waits
// for them. A panic in a goroutine of its own kills the process with the Go
// runtime's exit code 2, walls' code for bad input; carried to the waiting
// goroutine it reaches the command's recover, which reports an internal
// error (exit 3) with the original stack.
package safe

import (
	"fmt"
	"runtime/debug"
	"sync"
)

// Panic is a panic carried out of a goroutine, with that goroutine's stack.
type Panic struct {
	Value any
	Stack []byte
}

func (p *Panic) String() string { return fmt.Sprintf("%v\n\ngoroutine stack:\n%s", p.Value, p.Stack) }

// Error makes a carried panic print like its value.
func (p *Panic) Error() string { return fmt.Sprint(p.Value) }

// Group is a sync.WaitGroup whose goroutines' first panic is raised again
// by Wait. The zero Group is ready to use.
type Group struct {
	wg sync.WaitGroup
	mu sync.Mutex
	p  *Panic
}

// Go runs f in a new goroutine.
func (g *Group) Go(f func()) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		defer g.Catch()
		f()
	}()
}

// Catch, deferred at the top of a goroutine the Group does not start (one
// counted on another WaitGroup), records its panic for Wait or Rethrow.
func (g *Group) Catch() {
	if r := recover(); r != nil {
		g.Record(r)
	}
}

// Record keeps r, a value recover returned, as the group's panic unless
// one is kept already: for goroutines that recover themselves and go on.
func (g *Group) Record(r any) {
	g.mu.Lock()
	if g.p == nil {
		if p, ok := r.(*Panic); ok {
			g.p = p
		} else {
			g.p = &Panic{Value: r, Stack: debug.Stack()}
		}
	}
	g.mu.Unlock()
}

// Wait waits for the goroutines Go started, then panics with the first
// panic any of them (or any goroutine that deferred Catch) raised.
func (g *Group) Wait() {
	g.wg.Wait()
	g.Rethrow()
}

// Rethrow panics with the first recorded panic, if any.
func (g *Group) Rethrow() {
	g.mu.Lock()
	p := g.p
	g.mu.Unlock()
	if p != nil {
		panic(p)
	}
}
