package caption

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// detectHaveIdentifier is false in builds with -tags nolingua, where only
// the script and function-word checks run.
var detectHaveIdentifier = identifierSupports("en")

func TestDetectScript(t *testing.T) {
	tests := []struct {
		text   string
		script string
		share  float64
	}{
		{"A dog on the grass.", "Latn", 1},
		{"Собака на траве.", "Cyrl", 1},
		{"这只狗在草地上。", "Hans", 1},
		{"這隻狗在草地上。", "Hant", 1},
		{"一只狗", "Hani", 1}, // no variant character
		{"草の上の犬。", "Jpan", 1},
		{"ラーメンを食べる人", "Jpan", 1},
		{"풀밭 위의 개.", "Kore", 1},
		{"كلب على العشب.", "Arab", 1},
		{"घास पर एक कुत्ता।", "Deva", 1},
		{"Ένας σκύλος.", "Grek", 1},
		{"כלב על הדשא.", "Hebr", 1},
		{"สุนัขบนสนามหญ้า", "Thai", 1},
		{"గడ్డిపై కుక్క.", "Telu", 1},
		{"ঘাসের উপর কুকুর।", "Beng", 1},
		{"ძაღლი ბალახზე.", "Geor", 1},
		{"Շուն խոտի վրա.", "Armn", 1},
		{"ውሻ በሣር ላይ።", "Ethi", 1},
		// Latin names inside another script do not outvote it.
		{"Логотип Apple на iPhone 15 Pro Max", "Cyrl", 1},
		{"A sign reading Магазин", "Latn", 0.6},
		{"123 !!! ...", "", 0},
		{"", "", 0},
	}
	for _, tt := range tests {
		script, share := DetectScript(tt.text)
		if script != tt.script || math.Abs(share-tt.share) > 0.05 {
			t.Errorf("DetectScript(%q) = %s %.2f, want %s %.2f", tt.text, script, share, tt.script, tt.share)
		}
	}
}

func TestHanVariantTables(t *testing.T) {
	simp, trad := []rune(hanSimplifiedOnly), []rune(hanTraditionalOnly)
	if len(simp) != len(trad) {
		t.Fatalf("variant tables differ in length: %d vs %d", len(simp), len(trad))
	}
	for i := range simp {
		if simp[i] == trad[i] || strings.ContainsRune(hanTraditionalOnly, simp[i]) {
			t.Errorf("%c (simplified) also listed as traditional", simp[i])
		}
	}
	// The sample sentences must lean the right way and never the wrong one.
	for _, s := range detectSamplesLong {
		c := countScripts(s.text)
		switch s.tag {
		case "zh":
			if c.trad > 0 || c.simp == 0 {
				t.Errorf("simplified sample %q: simp %d trad %d", s.text, c.simp, c.trad)
			}
		case "zh-Hant":
			if c.simp > 0 || c.trad == 0 {
				t.Errorf("traditional sample %q: simp %d trad %d", s.text, c.simp, c.trad)
			}
		}
	}
}

func TestDetectScriptDecisions(t *testing.T) {
	// Decisions that need no identifier: they hold in every build.
	const (
		english  = "A brown dog is running across a green field on a sunny day."
		chinese  = "一只棕色的狗在阳光明媚的日子里穿过绿色的草地。"
		chineseT = "一隻棕色的狗在陽光明媚的日子裡跑過綠色的草地。"
		japanese = "晴れた日に茶色の犬が緑の草原を走っています。"
	)
	tests := []struct {
		want     string
		text     string
		match    bool
		lang     string // expected Lang.Tag ("" = not checked)
		reasonIn string
	}{
		{"ru", english, false, "en", "Cyrl"},
		{"hi", english, false, "en", "Deva"},
		{"ar", english, false, "en", "Arab"},
		{"ja", chinese, false, "zh", "without kana"},
		{"ja", "東京駅", true, "ja", ""},
		{"ja", japanese, true, "ja", ""},
		{"zh", japanese, false, "ja", "kana"},
		{"zh", chineseT, false, "zh-Hant", "Traditional"},
		{"zh-Hant", chinese, false, "zh", "Simplified"},
		{"zh", "一只狗", true, "zh", ""},
		{"zh", chinese, true, "zh", ""},
		{"zh-Hant", chineseT, true, "zh-Hant", ""},
		{"ko", japanese, false, "ja", "Korean"},
		{"ko", "맑은 날 갈색 개가 푸른 들판을 달리고 있습니다.", true, "ko", ""},
		{"ru", "Логотип Apple на iPhone 15 Pro Max", true, "ru", ""},
		{"el", "Ένα κόκκινο αυτοκίνητο είναι παρκαρισμένο μπροστά σε ένα παλιό κτίριο.", true, "el", ""},
		{"th", "เด็กสองคนนั่งอยู่บนม้านั่งไม้ข้างทะเลสาบ", true, "th", ""},
		{"th", english, false, "en", "Thai"},
		{"de", "Собака на траве сидит и смотрит на нас.", false, "", "Latn"},
		{"en", chinese, false, "zh", "Latn"},
		{"de", "", true, "", "no letters"},
		{"de", "12:30 — 14:00", true, "", "no letters"},
		// Latin languages without a model: English is still caught.
		{"quz", english, false, "en", "English"},
		{"quz", "Kay rikch'aypiqa huk allqu q'omer pampapi phawachkan.", true, "quz", ""},
		{"haw", "He ʻīlio ʻeleʻele e holo ana ma ke kahakai.", true, "haw", ""},
		// Short answers are never overruled by identification.
		{"es", "Gato negro", true, "es", "too few"},
		{"de", "Red car", true, "de", "too few"},
		{"sw", "Red car.", true, "sw", "too few"},
	}
	for _, tt := range tests {
		d := DetectLanguage(tt.text, MustLookupLanguage(tt.want))
		if d.Match != tt.match {
			t.Errorf("want %s, %q: Match = %v (%s)", tt.want, tt.text, d.Match, d.Reason)
		}
		if tt.lang != "" && d.Lang.Tag != tt.lang {
			t.Errorf("want %s, %q: Lang = %q, want %s (%s)", tt.want, tt.text, d.Lang.Tag, tt.lang, d.Reason)
		}
		if tt.reasonIn != "" && !strings.Contains(d.Reason, tt.reasonIn) && detectHaveIdentifier {
			t.Errorf("want %s, %q: Reason %q lacks %q", tt.want, tt.text, d.Reason, tt.reasonIn)
		}
		if d.Confidence < 0 || d.Confidence > 1 {
			t.Errorf("want %s, %q: Confidence %v out of range", tt.want, tt.text, d.Confidence)
		}
	}
}

func TestDetectNoLanguageRequested(t *testing.T) {
	d := DetectLanguage("Ein brauner Hund rennt über eine grüne Wiese.", Language{})
	if !d.Match || d.Reason != "no language requested" || d.Script != "Latn" {
		t.Errorf("got %+v", d)
	}
}

// TestDetectAcceptsCorrectSamples: text in the requested language passes.
// Every false reject costs a needless retry.
func TestDetectAcceptsCorrectSamples(t *testing.T) {
	for _, s := range detectSamplesLong {
		d := DetectLanguage(s.text, MustLookupLanguage(s.tag))
		if !d.Match && (slices.Contains(langToyTags, s.tag) || !detectHaveIdentifier) {
			// The toy languages and the script checks must be exact.
			t.Errorf("%s sample rejected: %q (%s)", s.tag, s.text, d.Reason)
		}
	}
	acc, n := detectAcceptRate(DetectLanguage, detectSamplesLong)
	if acc < 0.95*float64(n) {
		t.Errorf("accepted %v of %d correct long samples, want at least 95%%", acc, n)
	}
	acc, n = detectAcceptRate(DetectLanguage, detectSamplesShort)
	if acc < 0.9*float64(n) {
		t.Errorf("accepted %v of %d correct short samples, want at least 90%%", acc, n)
	}
}

func detectAcceptRate(detect func(string, Language) Detection, set []detectSample) (float64, int) {
	ok := 0
	for _, s := range set {
		if detect(s.text, MustLookupLanguage(s.tag)).Match {
			ok++
		}
	}
	return float64(ok), len(set)
}

// TestDetectFlagsEnglish: the commonest failure, a model answering in
// English, is caught for every toy language and every sample length above
// three words.
func TestDetectFlagsEnglish(t *testing.T) {
	var english []string
	for _, s := range append(slices.Clone(detectSamplesLong), detectSamplesShort...) {
		if s.tag == "en" && utf8.RuneCountInString(s.text) > 0 && len(strings.Fields(s.text)) >= minIdentifyWords {
			english = append(english, s.text)
		}
	}
	for _, tag := range langToyTags {
		if tag == "en" {
			continue
		}
		for _, text := range english {
			if d := DetectLanguage(text, MustLookupLanguage(tag)); d.Match {
				t.Errorf("English accepted as %s: %q (%s)", tag, text, d.Reason)
			} else if d.Lang.Tag != "en" {
				t.Errorf("English answer for %s identified as %q (%s)", tag, d.Lang.Tag, d.Reason)
			}
		}
	}
}

// TestDetectIssueCases: the wrong answers that issue 13 saw accepted by
// the default build are flagged, and say what they are.
func TestDetectIssueCases(t *testing.T) {
	if !detectHaveIdentifier {
		t.Skip("built with -tags nolingua: only English and script drift are caught")
	}
	cases := []struct{ want, text, is string }{
		// --lang de --prompt "Describe in English": a Swahili answer.
		{"de", "Pembetatu ya njano iko juu kushoto na nyota ya kijani chini.", "sw"},
		{"de", "Kuna pembetatu ya bluu chini kulia.", "sw"},
		// --lang pt: a Spanish/French mix.
		{"pt", "Un triángulo azul en la parte inferior derecha et une étoile verte.", ""},
		// --lang it: English and French mixed.
		{"it", "A purple triangle rouge en haut à gauche", ""},
		// An en target is checked too.
		{"en", "Ein gelbes Dreieck oben links und ein grüner Stern unten links.", "de"},
		{"en", "Un triangle jaune en haut à gauche et une étoile verte.", "fr"},
		// Short English for languages whose trigrams resemble it.
		{"cy", "A grey cat is sleeping on a red sofa.", "en"},
		{"mi", "A yellow bus is waiting at the stop.", "en"},
	}
	for _, c := range cases {
		d := DetectLanguage(c.text, MustLookupLanguage(c.want))
		if d.Match {
			t.Errorf("accepted as %s: %q (%s)", c.want, c.text, d.Reason)
		} else if c.is != "" && d.Lang.Tag != c.is {
			t.Errorf("%q as %s: identified as %q, want %s (%s)", c.text, c.want, d.Lang.Tag, c.is, d.Reason)
		}
	}
}

// TestDetectFlagsDrift: answers in a near language (uk→ru, ca→es, no→da,
// pt→es) are caught in most cases. Needs the identifier.
func TestDetectFlagsDrift(t *testing.T) {
	if !detectHaveIdentifier {
		t.Skip("built with -tags nolingua: no statistical identifier")
	}
	rej, n := detectRejectRate(DetectLanguage, detectSamplesLong)
	if rej < 0.95*float64(n) {
		t.Errorf("flagged %v of %d wrong-language long samples, want at least 95%%", rej, n)
	}
	cases := []struct{ want, text string }{
		{"uk", "Коричневая собака бежит по зелёному полю в солнечный день."},
		{"be", "Коричневая собака бежит по зелёному полю в солнечный день."},
		{"ca", "Un perro marrón corre por un campo verde en un día soleado."},
		{"pt", "Un perro marrón corre por un campo verde en un día soleado."},
		{"af", "Een bruine hond rent op een zonnige dag over een groen veld."},
		{"no", "En brun hund løber over en grøn mark på en solrig dag."},
		{"fa", "كلب بني يركض في حقل أخضر في يوم مشمس."},
	}
	for _, c := range cases {
		if d := DetectLanguage(c.text, MustLookupLanguage(c.want)); d.Match {
			t.Errorf("drift accepted as %s: %q (%s)", c.want, c.text, d.Reason)
		}
	}
}

// detectRejectRate offers every sample to every language that lists the
// sample's language as a drift candidate (the realistic wrong answers).
// Samples under minIdentifyWords are left out: by design they are never
// flagged when the script fits.
func detectRejectRate(detect func(string, Language) Detection, set []detectSample) (float64, int) {
	rej, n := 0, 0
	for _, s := range set {
		if len(strings.Fields(s.text)) < minIdentifyWords {
			continue
		}
		for want := range detectDrift {
			w := MustLookupLanguage(want)
			if want == s.tag || !slices.Contains(detectCandidates(w), s.tag) {
				continue
			}
			n++
			if !detect(s.text, w).Match {
				rej++
			}
		}
	}
	return float64(rej), n
}

// detectMeasure is the measurement protocol behind the figures in
// detect.go and docs/languages.md, on every labelled sample (long, short
// and hard cases):
//
//   - accept: a sample passes as its own language;
//   - reject (all): a sample of 5+ words offered as each other language of
//     its script in the sample set, when the sample's language is a likely
//     wrong answer for it (a drift language or one of the script's big
//     languages, detectCommon), is flagged (twins left out);
//   - reject (drift): the same, restricted to the languages that list the
//     sample's language as a drift candidate (detectDrift: the realistic
//     wrong answers, it/es/pt, da/no/sv, cs/sk, ru/uk/bg, hi/mr/ne);
//   - twins: a sample offered as its twin (hr/sr-Latn/bs, ms/id) is told
//     apart, reported only: such answers are accepted by design.
type detectFigures struct {
	acceptLatn, acceptAll   detectRate // samples of 5+ words; every sample
	rejectLatn, rejectDrift detectRate // Latin script, 5+ words
	rejectOther             detectRate // drift pairs of other scripts, 5+ words
	rejectEnglish           detectRate // English samples of 5+ words, as the other Latin languages
	twinsApart              detectRate // identifier told the twins apart
}

type detectRate struct{ hit, n int }

func (r detectRate) pct() float64 { return 100 * float64(r.hit) / float64(max(r.n, 1)) }
func (r detectRate) String() string {
	return fmt.Sprintf("%.1f%% (%d/%d)", r.pct(), r.hit, r.n)
}
func (r *detectRate) add(hit bool) {
	r.n++
	if hit {
		r.hit++
	}
}

func detectAllSamples() []detectSample {
	return slices.Concat(detectSamplesLong, detectSamplesShort, detectSamplesHard)
}

func measureDetector(d *Detector) (f detectFigures, misses []string) {
	// The requested languages are those of the sample set: the languages
	// whose correct captions are measured too.
	var sampled []string
	for _, s := range detectAllSamples() {
		if !slices.Contains(sampled, s.tag) {
			sampled = append(sampled, s.tag)
		}
	}
	for _, s := range detectAllSamples() {
		lang := MustLookupLanguage(s.tag)
		long := len(strings.Fields(s.text)) >= 5
		ok := d.Detect(s.text, lang).Match
		f.acceptAll.add(ok)
		if long && lang.Script == "Latn" {
			f.acceptLatn.add(ok)
		}
		if !ok {
			misses = append(misses, fmt.Sprintf("rejected %s %q", s.tag, s.text))
		}
		if !long {
			continue
		}
		// Twins: would the most accurate models tell them apart?
		if g := twinsOf(s.tag); g != nil && identifierSupports(s.tag) {
			if id := d.identifierFor(lang); id != nil {
				fs := id.final(s.text, g)
				f.twinsApart.add(len(fs) > 0 && fs[0].tag == s.tag)
			}
		}
		for _, other := range scriptLanguages[lang.Script] {
			w := MustLookupLanguage(other)
			// Realistic wrong answers only: s.tag is a language models
			// asked for other drift into, or one of the script's big
			// languages (the same pairs in every build).
			likely := slices.Contains(detectDrift[other], s.tag) || slices.Contains(detectCommon[lang.Script], s.tag)
			if other == s.tag || !likely || !slices.Contains(sampled, other) {
				continue
			}
			if sameLanguage(other, s.tag) {
				continue
			}
			det := d.Detect(s.text, w)
			drift := slices.Contains(detectDrift[other], s.tag)
			switch {
			case lang.Script == "Latn":
				f.rejectLatn.add(!det.Match)
				if s.tag == "en" {
					f.rejectEnglish.add(!det.Match)
				}
				if drift {
					f.rejectDrift.add(!det.Match)
				}
			case drift:
				f.rejectOther.add(!det.Match)
			}
			if !det.Match || !(drift || lang.Script == "Latn") {
				continue
			}
			misses = append(misses, fmt.Sprintf("accepted %s sample as %s: %q (%s)", s.tag, other, s.text, det.Reason))
		}
	}
	return f, misses
}

// TestDetectMeasure asserts the figures that issue 13 sets for the default
// build and prints them (go test -run TestDetectMeasure -v ./caption/;
// CAPGEN_DETECT_HIGH=1 adds the high-accuracy detector). The heap figure is
// only meaningful when the test runs alone, because lingua-go caches models
// process-wide.
func TestDetectMeasure(t *testing.T) {
	opts := []DetectOptions{{}}
	if os.Getenv("CAPGEN_DETECT_HIGH") != "" {
		opts = append(opts, DetectOptions{HighAccuracy: true})
	}
	for _, opt := range opts {
		d := NewDetector(&opt)
		name := map[bool]string{false: "low accuracy (default)", true: "high accuracy"}[opt.HighAccuracy]
		if !detectHaveIdentifier {
			name = "-tags nolingua"
		}
		before := detectHeap()
		for _, tag := range langToyTags {
			d.Detect(detectSamplesLong[0].text, MustLookupLanguage(tag))
		}
		toyHeap := detectHeap() - before
		f, misses := measureDetector(d)
		t.Logf("%s: heap for the toy languages' identifiers +%.1f MiB, after every language +%.1f MiB",
			name, toyHeap, detectHeap()-before)
		t.Logf("%s: accept Latin 5+ words %v; accept every sample %v", name, f.acceptLatn, f.acceptAll)
		t.Logf("%s: reject Latin 5+ words, every other language %v; drift pairs %v; other scripts' drift pairs %v",
			name, f.rejectLatn, f.rejectDrift, f.rejectOther)
		t.Logf("%s: English answers rejected %v; twins told apart %v (accepted either way)", name, f.rejectEnglish, f.twinsApart)
		for _, m := range misses {
			t.Logf("%s: %s", name, m)
		}
		if opt.HighAccuracy || !detectHaveIdentifier {
			continue // the bar is for the default build
		}
		// The bar issue 13 sets for the default build.
		if f.acceptLatn.pct() < 97 {
			t.Errorf("accepted %v of the correct Latin-script captions of 5+ words, want >= 97%%", f.acceptLatn)
		}
		if f.rejectLatn.pct() < 95 || f.rejectDrift.pct() < 95 {
			t.Errorf("rejected %v (all) and %v (drift pairs) of the wrong Latin-script captions of 5+ words, want >= 95%%",
				f.rejectLatn, f.rejectDrift)
		}
		if f.rejectOther.pct() < 90 {
			t.Errorf("rejected %v of the other scripts' drift answers, want >= 90%%", f.rejectOther)
		}
		if f.acceptAll.pct() < 95 {
			t.Errorf("accepted %v of all correct samples, want >= 95%%", f.acceptAll)
		}
	}
}

func detectHeap() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}

func TestDetectConcurrent(t *testing.T) {
	d := NewDetector(nil)
	var wg sync.WaitGroup
	errs := make(chan string, len(detectSamplesShort))
	for _, s := range detectSamplesShort {
		wg.Add(1)
		go func() {
			defer wg.Done()
			want := MustLookupLanguage(s.tag)
			// lingua-go sums probabilities in map order, so the last bits of
			// a confidence may differ between calls; the verdict may not.
			a, b := d.Detect(s.text, want), d.Detect(s.text, want)
			if a.Match != b.Match || a.Lang != b.Lang || a.Script != b.Script || math.Abs(a.Confidence-b.Confidence) > 1e-9 {
				errs <- fmt.Sprintf("%q: %+v then %+v", s.text, a, b)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error("non-deterministic detection:", e)
	}
}

func TestLooksEnglish(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"A dog is sitting on the grass next to a bench.", true},
		{"Two children and their dog at the beach.", true},
		{"Kay rikch'aypiqa huk allqu pampapi phawachkan.", false},
		{"Ein Hund sitzt auf dem Gras in der Sonne.", false},
		{"Dog, grass, bench.", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := looksEnglish(tt.text); got != tt.want {
			t.Errorf("looksEnglish(%q) = %v", tt.text, got)
		}
	}
	// No non-English sample may look English.
	for _, s := range detectSamplesLong {
		if looksEnglish(s.text) != (s.tag == "en") {
			t.Errorf("looksEnglish(%s sample %q) = %v", s.tag, s.text, !(s.tag == "en"))
		}
	}
}

func TestDetectCandidates(t *testing.T) {
	tests := []struct{ tag, want string }{
		{"uk", "uk ru"},
		{"ca", "ca es en fr de pt it nl id tr pl vi sw"},
		{"sw", "sw en es fr de pt it nl id tr pl vi"},
		{"en", "en es fr de pt it nl id tr pl vi sw"},
		{"bs", "bs hr en es fr de pt it nl id tr pl vi sw"},
		{"sr-Latn", "sr-Latn hr bs en es fr de pt it nl id tr pl vi sw"},
		{"ja", "ja"},
	}
	for _, tt := range tests {
		if !detectHaveIdentifier {
			tt.want = tt.tag // one candidate: nothing to identify with
		}
		if got := strings.Join(detectCandidates(MustLookupLanguage(tt.tag)), " "); got != tt.want {
			t.Errorf("detectCandidates(%s) = %s, want %s", tt.tag, got, tt.want)
		}
	}
	// Every drift target must be a registry language of the same script.
	for want, drift := range detectDrift {
		w := MustLookupLanguage(want)
		for _, d := range drift {
			l, err := LookupLanguage(d)
			if err != nil || l.Script != w.Script {
				t.Errorf("drift %s→%s: %v script %s vs %s", want, d, err, l.Script, w.Script)
			}
		}
	}
}
