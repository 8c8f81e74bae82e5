package batch

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"path/filepath"
	"slices"
	"strings"

	"github.com/capgen/capgen/sidecar"
)

// Shards split a collection between N machines without a queue (a
// Kubernetes Indexed Job, a Slurm job array, GNU parallel): shard K of N
// takes the images whose path hashes to K. The hash (FNV-1a, 64 bits, of
// the path as collected, with forward slashes) depends only on the path,
// so every shard computes the same assignment without reading any file;
// give every shard the same arguments from the same place (a relative
// folder works on machines that mount the collection in different
// places). Copies of one image under two paths may land in two shards;
// `capgen journal merge` then keeps both paths' records.

// ShardOf is the shard (0..n-1) of path among n.
func ShardOf(path string, n int) int {
	h := fnv.New64a()
	h.Write([]byte(filepath.ToSlash(filepath.Clean(path))))
	return int(h.Sum64() % uint64(n))
}

// Shard keeps the paths of shard k of n.
func Shard(paths []string, k, n int) []string {
	var out []string
	for _, p := range paths {
		if ShardOf(p, n) == k {
			out = append(out, p)
		}
	}
	return out
}

// ParseShard reads "K/N" with 0 <= K < N.
func ParseShard(s string) (k, n int, err error) {
	if c, err2 := fmt.Sscanf(s, "%d/%d", &k, &n); c != 2 || err2 != nil || n < 1 || k < 0 || k >= n || strings.Count(s, "/") != 1 {
		return 0, 0, fmt.Errorf("shard %q: want K/N with 0 <= K < N, such as 0/4 (Kubernetes: $JOB_COMPLETION_INDEX/N; Slurm: $SLURM_ARRAY_TASK_ID/N with --array=0-%s)", s, "N-1")
	}
	return k, n, nil
}

// MergeSummary is what Merge did.
type MergeSummary struct {
	Inputs, Read, Written, Duplicates int
	// Conflicts name the paths with two different successful results
	// (another content, or other captions of the same content); the later
	// one was kept.
	Conflicts []string
}

// Merge combines journals (shard journals, or runs on several machines)
// into out: one record per image path and kind, the successful one where
// there is one (else the latest failure, so that a rerun redoes it), the
// latest of equals. Identical records are duplicates; two different
// successful records of one path are a conflict, reported.
func Merge(inputs []string, out *sidecar.Journal) (MergeSummary, error) {
	type entry struct {
		rec    Record
		raw    json.RawMessage
		from   string
		good   bool
		serial int
	}
	best := map[string]*entry{}
	var order []string
	sum := MergeSummary{Inputs: len(inputs)}
	serial := 0
	for _, in := range inputs {
		_, err := sidecar.ScanJournal(in, func(key string, raw json.RawMessage) {
			var r Record
			if json.Unmarshal(raw, &r) != nil {
				return
			}
			sum.Read++
			serial++
			if r.Kind == "" {
				r.Kind = Describe
			}
			id := string(r.Kind) + "\x00" + r.File
			e := &entry{rec: r, raw: slices.Clone(raw), from: in, good: r.Error == "" && r.Status != StatusPartial, serial: serial}
			old, seen := best[id]
			switch {
			case !seen:
				best[id] = e
				order = append(order, id)
			case old.good && e.good:
				if old.rec.Key != e.rec.Key || !sameCaptions(&old.rec, &e.rec) {
					if old.from != e.from || old.rec.Key != e.rec.Key {
						sum.Conflicts = append(sum.Conflicts, fmt.Sprintf("%s: %s (%s) and %s (%s) differ; kept the latter",
							r.File, old.from, short(old.rec.Key), e.from, short(e.rec.Key)))
					}
				} else {
					sum.Duplicates++
				}
				best[id] = e
			case e.good || !old.good:
				best[id] = e
			default:
				sum.Duplicates++ // a failure after a success: the success stands
			}
		})
		if err != nil {
			return sum, &JournalError{Path: in, Err: err}
		}
	}
	for _, id := range order {
		if err := out.Append(best[id].raw); err != nil {
			return sum, err
		}
		sum.Written++
	}
	return sum, nil
}

// sameCaptions compares the caption texts of two records.
func sameCaptions(a, b *Record) bool {
	ta, tb := captionTexts(a), captionTexts(b)
	return slices.Equal(ta, tb)
}

func captionTexts(r *Record) []string {
	var out []string
	for _, c := range r.main() {
		out = append(out, c.Language.Tag+"\x00"+c.Text)
	}
	return out
}

func short(key string) string {
	if len(key) > 12 {
		return key[:12]
	}
	return key
}
