package policy

import (
	"sync"

	"github.com/walls-dev/walls/internal/netspace"
)

// setCache keeps compiled sets by what they were compiled from, so a rule
// or entry seen again (the same protocol and ports in many groups, the same
// NACL in every check) is compiled once. Sets are immutable, so sharing
// them is safe. It holds at most max sets; past that it compiles without
// keeping, so memory stays bounded whatever the inputs.
type setCache[K comparable] struct {
	mu  sync.RWMutex
	m   map[K]cached
	max int
}

type cached struct {
	set netspace.Set
	ok  bool
}

func (c *setCache[K]) get(k K, compile func() (netspace.Set, bool)) (netspace.Set, bool) {
	c.mu.RLock()
	v, hit := c.m[k]
	c.mu.RUnlock()
	if hit {
		return v.set, v.ok
	}
	set, ok := compile()
	c.mu.Lock()
	if c.m == nil {
		c.m = map[K]cached{}
	}
	if len(c.m) < c.max {
		c.m[k] = cached{set, ok}
	}
	c.mu.Unlock()
	return set, ok
}
