package llama

import (
	"container/list"
	"sync"
)

// EmbeddingCache stores image embeddings so an image seen twice is encoded
// once. Keys combine the image content ID, the projector file and the
// slice index. Implementations must be safe for concurrent use.
type EmbeddingCache interface {
	Get(key string) ([]float32, bool)
	Put(key string, embd []float32)
}

// LRUCache is an EmbeddingCache bounded by bytes, evicting the least
// recently used entries. It is safe for concurrent use.
type LRUCache struct {
	mu       sync.Mutex
	maxBytes int64
	bytes    int64
	order    *list.List // front = most recent
	entries  map[string]*list.Element
	hits     int64
	misses   int64
}

type lruEntry struct {
	key  string
	embd []float32
}

// NewLRUCache returns a cache holding at most maxBytes of embeddings.
func NewLRUCache(maxBytes int64) *LRUCache {
	return &LRUCache{maxBytes: maxBytes, order: list.New(), entries: map[string]*list.Element{}}
}

// Get returns the embeddings stored under key. The slice must not be
// modified.
func (c *LRUCache) Get(key string) ([]float32, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		c.misses++
		return nil, false
	}
	c.hits++
	c.order.MoveToFront(el)
	return el.Value.(*lruEntry).embd, true
}

// Put stores embd under key; entries larger than the whole cache are not
// stored.
func (c *LRUCache) Put(key string, embd []float32) {
	size := int64(len(embd)) * 4
	c.mu.Lock()
	defer c.mu.Unlock()
	if size > c.maxBytes {
		return
	}
	if el, ok := c.entries[key]; ok {
		c.bytes -= int64(len(el.Value.(*lruEntry).embd)) * 4
		el.Value.(*lruEntry).embd = embd
		c.bytes += size
		c.order.MoveToFront(el)
	} else {
		c.entries[key] = c.order.PushFront(&lruEntry{key, embd})
		c.bytes += size
	}
	for c.bytes > c.maxBytes {
		el := c.order.Back()
		e := el.Value.(*lruEntry)
		c.order.Remove(el)
		delete(c.entries, e.key)
		c.bytes -= int64(len(e.embd)) * 4
	}
}

// Stats returns the hit and miss counts and the bytes held.
func (c *LRUCache) Stats() (hits, misses, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.misses, c.bytes
}
