package metric

import (
	"math"
	"strings"
	"unicode"
)

// CIDEr-D as the COCO caption evaluation defines it (Vedantam et al.,
// 2015, and pycocoevalcap's cider scorer): n-grams of orders 1..4 weighted
// by TF-IDF, where the document frequency of an n-gram is the number of
// images among whose references it occurs, and the IDF is
// log(images) - log(max(1, df)); per order, the cosine of the candidate's
// and a reference's vectors with the candidate's counts clipped by the
// reference's, times a Gaussian penalty on their length difference
// (sigma 6); averaged over the orders, over the references, times 10; the
// corpus score is the mean over images.

// CIDErTokens prepares a caption for CIDEr-D as COCO's evaluation does:
// Tokenize, lower-cased, punctuation tokens dropped.
func CIDErTokens(text, lang string) []string {
	var out []string
	for _, t := range Tokenize(strings.ToLower(text), lang) {
		if strings.IndexFunc(t, func(r rune) bool { return !unicode.IsPunct(r) && !unicode.IsSymbol(r) }) >= 0 {
			out = append(out, t)
		}
	}
	return out
}

// CIDErD returns the corpus score and the score of each image; cands[i] is
// image i's candidate and refs[i] its references, as CIDErTokens gives
// them. The document frequencies come from refs, so scores depend on the
// whole set of images (as in COCO): score a test set at once.
func CIDErD(cands [][]string, refs [][][]string) (float64, []float64) {
	const order = 4
	const sigma = 6.0
	df := map[string]int{}
	for _, rs := range refs {
		seen := map[string]bool{}
		for _, r := range rs {
			for n := 1; n <= order; n++ {
				for g := range ngramCounts(r, n) {
					seen[string(rune('0'+n))+g] = true
				}
			}
		}
		for g := range seen {
			df[g]++
		}
	}
	logN := math.Log(float64(len(refs)))
	type vec struct {
		w      [order]map[string]float64
		norm   [order]float64
		length int
	}
	mk := func(tokens []string) vec {
		var v vec
		for n := 1; n <= order; n++ {
			v.w[n-1] = map[string]float64{}
			for g, tf := range ngramCounts(tokens, n) {
				idf := logN - math.Log(math.Max(1, float64(df[string(rune('0'+n))+g])))
				w := float64(tf) * idf
				v.w[n-1][g] = w
				v.norm[n-1] += w * w
			}
			v.norm[n-1] = math.Sqrt(v.norm[n-1])
		}
		v.length = len(tokens)
		return v
	}
	scores := make([]float64, len(cands))
	total := 0.0
	for i, c := range cands {
		if len(refs[i]) == 0 {
			continue
		}
		h := mk(c)
		sum := 0.0
		for _, r := range refs[i] {
			rv := mk(r)
			delta := float64(h.length - rv.length)
			penalty := math.Exp(-delta * delta / (2 * sigma * sigma))
			for n := range order {
				val := 0.0
				for g, w := range h.w[n] {
					if rw, ok := rv.w[n][g]; ok {
						val += math.Min(w, rw) * rw
					}
				}
				if h.norm[n] != 0 && rv.norm[n] != 0 {
					val /= h.norm[n] * rv.norm[n]
				}
				sum += val * penalty / order
			}
		}
		scores[i] = 10 * sum / float64(len(refs[i]))
		total += scores[i]
	}
	if len(cands) == 0 {
		return 0, nil
	}
	return total / float64(len(cands)), scores
}
