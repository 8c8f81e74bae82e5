package metric_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capgen/capgen/metric"
)

// pair is a hypothesis with its references in one language.
type pair struct {
	lang string
	hyp  string
	refs []string
}

// pairs are caption-like hypotheses and references, written for this
// package, in ten languages and scripts, with one to three references.
var pairs = []pair{
	{"en", "A brown dog runs across a green field.", []string{"A brown dog is running across a green field on a sunny day.", "A dog runs through the grass."}},
	{"en", "Two kids sit on a bench near the lake.", []string{"Two children are sitting on a wooden bench next to a lake."}},
	{"en", "A red car parked in front of an old building, 3.5 m long.", []string{"A red car is parked in front of an old brick building.", "An old building with a red car in front of it.", "A red car."}},
	{"de", "Ein brauner Hund rennt über eine Wiese.", []string{"Ein brauner Hund rennt an einem sonnigen Tag über eine grüne Wiese.", "Ein Hund läuft über das Gras."}},
	{"fr", "Un chien brun court dans un champ vert.", []string{"Un chien brun court dans un champ vert par une journée ensoleillée."}},
	{"es", "Una mujer con un paraguas camina por la calle.", []string{"Una mujer sostiene un paraguas mientras camina por una calle concurrida.", "Una mujer camina con un paraguas."}},
	{"ru", "Коричневая собака бежит по полю.", []string{"Коричневая собака бежит по зелёному полю в солнечный день."}},
	{"ar", "كلب بني يركض في حقل.", []string{"كلب بني يركض في حقل أخضر في يوم مشمس."}},
	{"hi", "एक भूरा कुत्ता मैदान में दौड़ रहा है।", []string{"एक भूरा कुत्ता धूप वाले दिन हरे मैदान में दौड़ रहा है।"}},
	{"zh", "一只棕色的狗在草地上跑。", []string{"一只棕色的狗在阳光明媚的日子里穿过绿色的草地。", "一只狗在草地上奔跑。"}},
	{"ja", "茶色の犬が草原を走っています。", []string{"晴れた日に茶色の犬が緑の草原を走っています。"}},
	{"sw", "Mbwa wa kahawia anakimbia shambani.", []string{"Mbwa wa kahawia anakimbia kwenye shamba la kijani siku yenye jua."}},
}

func TestTokenize(t *testing.T) {
	for _, tt := range []struct{ lang, text, want string }{
		{"en", "A dog, a cat.", "A dog , a cat ."},
		{"en", "It costs 3.50 dollars (1,000 cents).", "It costs 3.50 dollars ( 1,000 cents ) ."},
		{"en", "The 5-year-old's toy!", "The 5 - year-old's toy !"},
		{"en", "A&quot;B", `A " B`},
		{"de", "Ein Hund: groß/klein?", "Ein Hund : groß / klein ?"},
		{"zh", "一只狗在草地上。", "一 只 狗 在 草 地 上 。"},
		{"ja", "iPhone 15で撮った写真。", "iPhone 15 で 撮 っ た 写 真 。"},
		{"th", "สุนัขวิ่ง", "ส ุ น ั ข ว ิ ่ ง"},
		{"ru", "Собака, кошка.", "Собака , кошка ."},
	} {
		assert.Equal(t, tt.want, strings.Join(metric.Tokenize(tt.text, tt.lang), " "), "%s %q", tt.lang, tt.text)
	}
}

// nltk computes the scores with NLTK (Debian's python3-nltk, an
// implementation nobody here wrote) from the same tokens and strings.
func nltk(t *testing.T, in any) map[string]float64 {
	t.Helper()
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import nltk").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("python3-nltk is missing: apt-get install python3-nltk (.ci/run does)")
		}
		t.Skip("python3-nltk is not installed (apt-get install python3-nltk); CI runs this test")
	}
	const script = `
import json, sys
from nltk.translate.bleu_score import corpus_bleu, SmoothingFunction
from nltk.translate.chrf_score import corpus_chrf
d = json.load(sys.stdin)
out = {}
out["bleu"] = 100 * corpus_bleu(d["refs"], d["hyps"], smoothing_function=SmoothingFunction().method3)
out["chrf_b3"] = 100 * corpus_chrf(d["ref1"], d["hyps_s"])
out["chrf_b2"] = 100 * corpus_chrf(d["ref1"], d["hyps_s"], beta=2.0)
for i in range(len(d["hyps"])):
    out["bleu_%d" % i] = 100 * corpus_bleu([d["refs"][i]], [d["hyps"][i]], smoothing_function=SmoothingFunction().method3)
json.dump(out, sys.stdout)
`
	b, err := json.Marshal(in)
	require.NoError(t, err)
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = strings.NewReader(string(b))
	out, err := cmd.Output()
	require.NoError(t, err)
	var res map[string]float64
	require.NoError(t, json.Unmarshal(out, &res))
	return res
}

// BLEU and chrF agree with NLTK's implementations on the multilingual
// pairs, corpus-level and per sentence, to 1e-9.
func TestAgainstNLTK(t *testing.T) {
	var hyps [][]string
	var refs [][][]string
	var hypS []string
	var ref1 []string
	var chrfRefs [][]string
	for _, p := range pairs {
		hyps = append(hyps, metric.Tokenize(p.hyp, p.lang))
		var rs [][]string
		for _, r := range p.refs {
			rs = append(rs, metric.Tokenize(r, p.lang))
		}
		refs = append(refs, rs)
		hypS = append(hypS, p.hyp)
		ref1 = append(ref1, p.refs[0])
		chrfRefs = append(chrfRefs, p.refs[:1])
	}
	want := nltk(t, map[string]any{"hyps": hyps, "refs": refs, "hyps_s": hypS, "ref1": ref1})
	assert.InDelta(t, want["bleu"], metric.BLEU(hyps, refs), 1e-9, "corpus BLEU")
	for i := range hyps {
		key := fmt.Sprintf("bleu_%d", i)
		assert.InDelta(t, want[key], metric.BLEU(hyps[i:i+1], refs[i:i+1]), 1e-9, "sentence BLEU %s %q", pairs[i].lang, pairs[i].hyp)
	}
	for _, beta := range []float64{3, 2} {
		got := metric.ChrF(hypS, chrfRefs, metric.ChrFOptions{CharOrder: 6, Beta: beta, SentenceAverage: true})
		key := "chrf_b3"
		if beta == 2 {
			key = "chrf_b2"
		}
		assert.InDelta(t, want[key], got, 1e-9, "chrF beta %g", beta)
	}
	t.Logf("corpus BLEU %.4f, chrF (NLTK's averaging, beta 3) %.4f", want["bleu"], want["chrf_b3"])
}

// Properties of the sacreBLEU definitions that do not need a reference
// implementation: identical text scores 100, a hypothesis sharing nothing
// scores 0, more references never lower the score.
func TestScoresBounds(t *testing.T) {
	tok := func(s string) []string { return metric.Tokenize(s, "en") }
	same := "A brown dog runs across a green field."
	assert.InDelta(t, 100, metric.BLEU([][]string{tok(same)}, [][][]string{{tok(same)}}), 1e-9)
	assert.InDelta(t, 100, metric.ChrF([]string{same}, [][]string{{same}}, metric.ChrFPlusPlus), 1e-9)
	// exp smoothing keeps a hypothesis without matches above 0 (2.29 here).
	assert.Less(t, metric.BLEU([][]string{tok("zzz qqq xxx www")}, [][][]string{{tok(same)}}), 3.0)
	assert.Equal(t, 0.0, metric.ChrF([]string{"zzz qqq"}, [][]string{{"abc def"}}, metric.ChrFPlusPlus))
	one := metric.ChrF([]string{"A dog runs."}, [][]string{{same}}, metric.ChrFPlusPlus)
	two := metric.ChrF([]string{"A dog runs."}, [][]string{{same, "A dog runs fast."}}, metric.ChrFPlusPlus)
	assert.GreaterOrEqual(t, two, one)
	assert.False(t, math.IsNaN(metric.BLEU(nil, nil)))
	// A hypothesis without references scores 0, without a panic.
	assert.Equal(t, 0.0, metric.ChrF([]string{"A dog."}, [][]string{nil}, metric.ChrFPlusPlus))
	assert.Equal(t, 0.0, metric.BLEU([][]string{tok("A dog runs fast today.")}, [][][]string{nil}))
}

// CIDEr-D on a fixture small enough to work out by hand from the COCO
// definition: two images; "a" occurs in both images' references (IDF 0),
// every other n-gram in one (IDF log 2).
//
//	image 1: candidate = reference "a dog runs": cosine 1 for orders 1-3,
//	         order 4 empty (0); length penalty 1: 10 * 3/4 = 7.5
//	image 2: candidate "a cat", reference "a cat sleeps": order 1
//	         log2^2 / (log2 * sqrt2 log2) = 1/sqrt2, order 2 the same,
//	         orders 3-4 0; penalty exp(-1/72): 10 * (2/sqrt2) * exp(-1/72) / 4
//	corpus:  the mean of the two.
func TestCIDErDWorked(t *testing.T) {
	cands := [][]string{metric.CIDErTokens("A dog runs.", "en"), metric.CIDErTokens("A cat", "en")}
	refs := [][][]string{{metric.CIDErTokens("a dog runs", "en")}, {metric.CIDErTokens("a cat sleeps", "en")}}
	corpus, per := metric.CIDErD(cands, refs)
	img2 := 10 * (2 / math.Sqrt2) * math.Exp(-1.0/72) / 4
	assert.InDelta(t, 7.5, per[0], 1e-4)
	assert.InDelta(t, 3.4868, per[1], 1e-4)
	assert.InDelta(t, img2, per[1], 1e-12)
	assert.InDelta(t, 5.4934, corpus, 1e-4)

	// Two references: the score averages over them; a reference that
	// shares nothing pulls it down.
	refs[1] = append(refs[1], metric.CIDErTokens("an empty room", "en"))
	_, per = metric.CIDErD(cands, refs)
	assert.Less(t, per[1], img2)
}
