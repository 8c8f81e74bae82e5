package batch_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capgen/capgen/batch"
)

// N shards cover every path exactly once, spread evenly, and a path's
// shard does not depend on the others (so machines agree).
func TestShardsCoverEveryPathOnce(t *testing.T) {
	var paths []string
	for i := range 3000 {
		paths = append(paths, fmt.Sprintf("photos/%d/IMG_%04d.JPG", i%17, i))
	}
	for _, n := range []int{1, 2, 3, 8} {
		seen := map[string]int{}
		for k := range n {
			part := batch.Shard(paths, k, n)
			assert.InDelta(t, len(paths)/n, len(part), float64(len(paths))/float64(n)*0.15, "shard %d/%d", k, n)
			for _, p := range part {
				seen[p]++
				assert.Equal(t, k, batch.ShardOf(p, n))
			}
		}
		require.Len(t, seen, len(paths), "n=%d", n)
		for p, c := range seen {
			require.Equal(t, 1, c, "%s in %d shards of %d", p, c, n)
		}
	}
	// The same path written differently is the same image.
	assert.Equal(t, batch.ShardOf("photos/a.jpg", 7), batch.ShardOf("photos//./a.jpg", 7))
	// The documented value, so that a change of the hash is noticed: it
	// would reassign images between the shards of a run in progress.
	assert.Equal(t, 4, batch.ShardOf("photos/2024/IMG_0001.JPG", 8))

	for _, bad := range []string{"", "3/3", "-1/2", "1/0", "a/b", "1/2/3", "2"} {
		_, _, err := batch.ParseShard(bad)
		assert.Error(t, err, bad)
	}
	k, n, err := batch.ParseShard("2/5")
	require.NoError(t, err)
	assert.Equal(t, [2]int{2, 5}, [2]int{k, n})
}
