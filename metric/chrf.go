package metric

import (
	"strings"
	"unicode"
)

// ChrFOptions selects a chrF variant. The zero value is not useful; use
// ChrFPlusPlus or set the fields.
type ChrFOptions struct {
	CharOrder int     // character n-grams 1..CharOrder (6)
	WordOrder int     // word n-grams 1..WordOrder (2 for chrF++, 0 for chrF)
	Beta      float64 // recall weight (2)
	// SentenceAverage averages sentence-level F-scores per n-gram order
	// (NLTK's corpus_chrf) instead of computing one F-score from the
	// corpus' summed statistics (sacreBLEU's).
	SentenceAverage bool
}

// ChrFPlusPlus is sacreBLEU's chrF++: 6 character and 2 word orders,
// beta 2, corpus statistics.
var ChrFPlusPlus = ChrFOptions{CharOrder: 6, WordOrder: 2, Beta: 2}

// ChrF scores hypotheses against their references (one or more each;
// with several, each hypothesis is scored against the reference that
// gives it the best sentence F-score, as sacreBLEU does). Texts are
// strings: character n-grams are taken with white space removed, word
// n-grams from the words with punctuation split off their ends. The score
// is 0..100.
func ChrF(hyps []string, refs [][]string, o ChrFOptions) float64 {
	orders := o.CharOrder + o.WordOrder
	if orders == 0 || len(hyps) == 0 {
		return 0
	}
	var sum []chrfStat // corpus statistics per order
	sum = make([]chrfStat, orders)
	var sentF [][]float64 // per order, per sentence (SentenceAverage)
	sentF = make([][]float64, orders)
	for i, h := range hyps {
		// Without references a hypothesis matches nothing.
		best := chrfStats(h, "", o)
		bestF := -1.0
		for _, r := range refs[i] {
			st := chrfStats(h, r, o)
			if f := chrfScore(st, o.Beta); f > bestF {
				best, bestF = st, f
			}
		}
		for n := range orders {
			sum[n].add(best[n])
			sentF[n] = append(sentF[n], best[n].f(o.Beta))
		}
	}
	if o.SentenceAverage {
		total := 0.0
		for n := range orders {
			for _, f := range sentF[n] {
				total += f
			}
		}
		return 100 * total / float64(orders) / float64(len(hyps))
	}
	return 100 * chrfScore(sum, o.Beta)
}

// chrfStat is one n-gram order's counts: matches, hypothesis and reference
// n-grams.
type chrfStat struct{ match, hyp, ref int }

func (s *chrfStat) add(o chrfStat) {
	s.match += o.match
	s.hyp += o.hyp
	s.ref += o.ref
}

// f is the order's own F-score, with NLTK's fallback (a tiny epsilon) when
// precision or recall is undefined or both are 0.
func (s chrfStat) f(beta float64) float64 {
	const eps = 1e-16
	if s.hyp == 0 || s.ref == 0 {
		return eps
	}
	p, r := float64(s.match)/float64(s.hyp), float64(s.match)/float64(s.ref)
	if p+r == 0 {
		return eps
	}
	b2 := beta * beta
	return (1 + b2) * p * r / (b2*p + r)
}

// chrfScore is sacreBLEU's F-score over orders: precision and recall
// averaged over the orders that have n-grams, then combined.
func chrfScore(st []chrfStat, beta float64) float64 {
	var prec, rec float64
	n := 0
	for _, s := range st {
		if s.hyp > 0 && s.ref > 0 {
			prec += float64(s.match) / float64(s.hyp)
			rec += float64(s.match) / float64(s.ref)
			n++
		}
	}
	if n == 0 || prec+rec == 0 {
		return 0
	}
	prec, rec = prec/float64(n), rec/float64(n)
	b2 := beta * beta
	return (1 + b2) * prec * rec / (b2*prec + rec)
}

// chrfStats counts one pair: character orders first, then word orders.
func chrfStats(hyp, ref string, o ChrFOptions) []chrfStat {
	var st []chrfStat
	hc, rc := []rune(stripSpace(hyp)), []rune(stripSpace(ref))
	for n := 1; n <= o.CharOrder; n++ {
		st = append(st, overlap(runeNgrams(hc, n), runeNgrams(rc, n)))
	}
	hw, rw := chrfWords(hyp), chrfWords(ref)
	for n := 1; n <= o.WordOrder; n++ {
		st = append(st, overlap(ngramCounts(hw, n), ngramCounts(rw, n)))
	}
	return st
}

func overlap(h, r map[string]int) chrfStat {
	var s chrfStat
	for g, c := range h {
		s.hyp += c
		s.match += min(c, r[g])
	}
	for _, c := range r {
		s.ref += c
	}
	return s
}

func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

func runeNgrams(rs []rune, n int) map[string]int {
	m := map[string]int{}
	for i := 0; i+n <= len(rs); i++ {
		m[string(rs[i:i+n])]++
	}
	return m
}

// chrfWords splits on white space and splits one punctuation mark off the
// start or the end of a word (sacreBLEU's chrF++ word n-grams).
func chrfWords(s string) []string {
	var out []string
	for _, w := range strings.Fields(s) {
		rs := []rune(w)
		switch {
		case len(rs) > 1 && unicode.IsPunct(rs[len(rs)-1]):
			out = append(out, string(rs[:len(rs)-1]), string(rs[len(rs)-1]))
		case len(rs) > 1 && unicode.IsPunct(rs[0]):
			out = append(out, string(rs[0]), string(rs[1:]))
		default:
			out = append(out, w)
		}
	}
	return out
}
