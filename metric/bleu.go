package metric

import (
	"math"
	"strings"
)

// BLEU is corpus BLEU-4 as sacreBLEU computes it by default: clipped n-gram
// precisions for n = 1..4 summed over the corpus, their geometric mean,
// the brevity penalty against the reference length closest to each
// hypothesis (the shorter on a tie), and "exp" smoothing (an order without
// matches counts 1/2^k of its n-grams, k = 1, 2, ... in order; NLTK's
// method3). Hypotheses and references are token lists (Tokenize);
// refs[i] are the references of hyps[i]. The score is 0..100.
func BLEU(hyps [][]string, refs [][][]string) float64 {
	const order = 4
	var match, total [order]int
	hypLen, refLen := 0, 0
	for i, h := range hyps {
		hypLen += len(h)
		refLen += closestLength(len(h), refs[i])
		hc := make([]map[string]int, order)
		for n := 1; n <= order; n++ {
			hc[n-1] = ngramCounts(h, n)
		}
		for n := 1; n <= order; n++ {
			maxRef := map[string]int{}
			for _, r := range refs[i] {
				for g, c := range ngramCounts(r, n) {
					maxRef[g] = max(maxRef[g], c)
				}
			}
			for g, c := range hc[n-1] {
				match[n-1] += min(c, maxRef[g])
			}
			total[n-1] += max(len(h)-n+1, 0)
		}
	}
	if hypLen == 0 || refLen == 0 {
		return 0 // nothing to score, or nothing to score against
	}
	logSum := 0.0
	k := 1
	for n := range order {
		if total[n] == 0 {
			return 0
		}
		p := float64(match[n]) / float64(total[n])
		if match[n] == 0 {
			p = 1 / (math.Pow(2, float64(k)) * float64(total[n]))
			k++
		}
		logSum += math.Log(p)
	}
	bp := 1.0
	if hypLen < refLen {
		bp = math.Exp(1 - float64(refLen)/float64(hypLen))
	}
	return 100 * bp * math.Exp(logSum/order)
}

// closestLength is the reference length closest to n (the shorter on a
// tie).
func closestLength(n int, refs [][]string) int {
	best := -1
	for _, r := range refs {
		d, bd := abs(len(r)-n), abs(best-n)
		if best < 0 || d < bd || (d == bd && len(r) < best) {
			best = len(r)
		}
	}
	return max(best, 0)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// ngramCounts counts the n-grams of tokens (joined with a separator no
// token holds).
func ngramCounts(tokens []string, n int) map[string]int {
	m := map[string]int{}
	for i := 0; i+n <= len(tokens); i++ {
		m[strings.Join(tokens[i:i+n], "\x00")]++
	}
	return m
}
