package scene

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// scene builds a scene from "row,col:colour shape" entries.
func scene(t testing.TB, rows, cols int, entries ...string) Scene {
	t.Helper()
	s := Scene{Rows: rows, Cols: cols, Cells: make([]Cell, rows*cols)}
	for _, e := range entries {
		var r, c int
		var colour, shape string
		if _, err := fmt.Sscanf(e, "%d,%d:%s %s", &r, &c, &colour, &shape); err != nil {
			t.Fatalf("bad entry %q: %v", e, err)
		}
		s.Cells[r*cols+c] = Cell{Filled: true, Shape: Shape(slices.Index(shapeNames[:], shape)), Colour: Colour(slices.Index(colourNames[:], colour))}
	}
	if err := s.checkCells(); err != nil {
		t.Fatalf("bad scene %v: %v", entries, err)
	}
	return s
}

// The expected captions are written by hand, not generated, so that the
// grammar tables are checked against an independent statement of the
// agreement rules in each language's file.
func TestCaption(t *testing.T) {
	tests := []struct {
		name  string
		rows  int
		cells []string
		want  map[string]string
	}{
		{"three items 2x2", 2, []string{"0,0:red circle", "0,1:green square", "1,1:blue star"}, map[string]string{
			"en": "A red circle at the top left, a green square at the top right and a blue star at the bottom right.",
			"de": "Ein roter Kreis oben links, ein grünes Quadrat oben rechts und ein blauer Stern unten rechts.",
			"fr": "Un cercle rouge en haut à gauche, un carré vert en haut à droite et une étoile bleue en bas à droite.",
			"es": "Un círculo rojo arriba a la izquierda, un cuadrado verde arriba a la derecha y una estrella azul abajo a la derecha.",
			"ru": "Красный круг вверху слева, зелёный квадрат вверху справа и синяя звезда внизу справа.",
			"ar": "في أعلى اليسار دائرة حمراء، وفي أعلى اليمين مربع أخضر، وفي أسفل اليمين نجمة زرقاء.",
			"hi": "ऊपर बाईं ओर एक लाल वृत्त है, ऊपर दाईं ओर एक हरा वर्ग है और नीचे दाईं ओर एक नीला तारा है।",
			"zh": "左上角有一个红色的圆形，右上角有一个绿色的正方形，右下角有一个蓝色的五角星。",
			"ja": "左上に赤い円、右上に緑の正方形、右下に青い星があります。",
			"sw": "Mduara mwekundu juu kushoto, mraba wa kijani juu kulia na nyota ya buluu chini kulia.",
		}},
		{"one item, feminine and invariable orange", 2, []string{"1,0:orange star"}, map[string]string{
			"en": "An orange star at the bottom left.",
			"de": "Ein orangefarbener Stern unten links.",
			"fr": "Une étoile orange en bas à gauche.",
			"es": "Una estrella naranja abajo a la izquierda.",
			"ru": "Оранжевая звезда внизу слева.",
			"ar": "في أسفل اليسار نجمة برتقالية.",
			"hi": "नीचे बाईं ओर एक नारंगी तारा है।",
			"zh": "左下角有一个橙色的五角星。",
			"ja": "左下にオレンジ色の星があります。",
			"sw": "Nyota ya rangi ya chungwa chini kushoto.",
		}},
		{"3x3 middle places, neuter and class 3", 3, []string{"0,1:purple triangle", "1,1:yellow star", "1,2:orange square"}, map[string]string{
			"en": "A purple triangle at the top centre, a yellow star in the centre and an orange square at the middle right.",
			"de": "Ein violettes Dreieck oben in der Mitte, ein gelber Stern in der Mitte und ein orangefarbenes Quadrat rechts in der Mitte.",
			"fr": "Un triangle violet en haut au centre, une étoile jaune au centre et un carré orange au milieu à droite.",
			"es": "Un triángulo morado arriba en el centro, una estrella amarilla en el centro y un cuadrado naranja en el medio a la derecha.",
			"ru": "Фиолетовый треугольник вверху посередине, жёлтая звезда в центре и оранжевый квадрат справа посередине.",
			"ar": "في أعلى الوسط مثلث بنفسجي، وفي الوسط نجمة صفراء، وفي وسط اليمين مربع برتقالي.",
			"hi": "ऊपर बीच में एक बैंगनी त्रिभुज है, बीच में एक पीला तारा है और बीच में दाईं ओर एक नारंगी वर्ग है।",
			"zh": "顶部中间有一个紫色的三角形，正中间有一个黄色的五角星，右侧中间有一个橙色的正方形。",
			"ja": "上部中央に紫の三角形、中央に黄色い星、右側中央にオレンジ色の正方形があります。",
			"sw": "Pembetatu ya zambarau juu katikati, nyota ya njano katikati na mraba wa rangi ya chungwa katikati kulia.",
		}},
		{"four items, red in every gender", 3, []string{"0,0:red star", "1,0:purple star", "2,0:green triangle", "2,2:red square"}, map[string]string{
			"en": "A red star at the top left, a purple star at the middle left, a green triangle at the bottom left and a red square at the bottom right.",
			"de": "Ein roter Stern oben links, ein violetter Stern links in der Mitte, ein grünes Dreieck unten links und ein rotes Quadrat unten rechts.",
			"fr": "Une étoile rouge en haut à gauche, une étoile violette au milieu à gauche, un triangle vert en bas à gauche et un carré rouge en bas à droite.",
			"es": "Una estrella roja arriba a la izquierda, una estrella morada en el medio a la izquierda, un triángulo verde abajo a la izquierda y un cuadrado rojo abajo a la derecha.",
			"ru": "Красная звезда вверху слева, фиолетовая звезда слева посередине, зелёный треугольник внизу слева и красный квадрат внизу справа.",
			"ar": "في أعلى اليسار نجمة حمراء، وفي وسط اليسار نجمة بنفسجية، وفي أسفل اليسار مثلث أخضر، وفي أسفل اليمين مربع أحمر.",
			"hi": "ऊपर बाईं ओर एक लाल तारा है, बीच में बाईं ओर एक बैंगनी तारा है, नीचे बाईं ओर एक हरा त्रिभुज है और नीचे दाईं ओर एक लाल वर्ग है।",
			"zh": "左上角有一个红色的五角星，左侧中间有一个紫色的五角星，左下角有一个绿色的三角形，右下角有一个红色的正方形。",
			"ja": "左上に赤い星、左側中央に紫の星、左下に緑の三角形、右下に赤い正方形があります。",
			"sw": "Nyota nyekundu juu kushoto, nyota ya zambarau katikati kushoto, pembetatu ya kijani chini kushoto na mraba mwekundu chini kulia.",
		}},
	}
	for _, tt := range tests {
		s := scene(t, tt.rows, tt.rows, tt.cells...)
		if len(tt.want) != len(languages) {
			t.Errorf("%s: table covers %d languages, want %d", tt.name, len(tt.want), len(languages))
		}
		for lang, want := range tt.want {
			t.Run(tt.name+"/"+lang, func(t *testing.T) {
				got, err := Caption(s, lang)
				if err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Errorf("Caption:\n got %s\nwant %s", got, want)
				}
			})
		}
	}
}

func TestObjectCaption(t *testing.T) {
	tests := []struct {
		shape  Shape
		colour Colour
		want   map[string]string
	}{
		{Square, Red, map[string]string{
			"en": "A red square.", "de": "Ein rotes Quadrat.", "fr": "Un carré rouge.", "es": "Un cuadrado rojo.",
			"ru": "Красный квадрат.", "ar": "مربع أحمر.", "hi": "एक लाल वर्ग।", "zh": "一个红色的正方形。",
			"ja": "赤い正方形。", "sw": "Mraba mwekundu.",
		}},
		{Star, Purple, map[string]string{
			"en": "A purple star.", "de": "Ein violetter Stern.", "fr": "Une étoile violette.", "es": "Una estrella morada.",
			"ru": "Фиолетовая звезда.", "ar": "نجمة بنفسجية.", "hi": "एक बैंगनी तारा।", "zh": "一个紫色的五角星。",
			"ja": "紫の星。", "sw": "Nyota ya zambarau.",
		}},
		{Circle, Yellow, map[string]string{
			"en": "A yellow circle.", "de": "Ein gelber Kreis.", "fr": "Un cercle jaune.", "es": "Un círculo amarillo.",
			"ru": "Жёлтый круг.", "ar": "دائرة صفراء.", "hi": "एक पीला वृत्त।", "zh": "一个黄色的圆形。",
			"ja": "黄色い円。", "sw": "Mduara wa njano.",
		}},
		{Triangle, Blue, map[string]string{
			"en": "A blue triangle.", "de": "Ein blaues Dreieck.", "fr": "Un triangle bleu.", "es": "Un triángulo azul.",
			"ru": "Синий треугольник.", "ar": "مثلث أزرق.", "hi": "एक नीला त्रिभुज।", "zh": "一个蓝色的三角形。",
			"ja": "青い三角形。", "sw": "Pembetatu ya buluu.",
		}},
		{Star, Green, map[string]string{
			"en": "A green star.", "de": "Ein grüner Stern.", "fr": "Une étoile verte.", "es": "Una estrella verde.",
			"ru": "Зелёная звезда.", "ar": "نجمة خضراء.", "hi": "एक हरा तारा।", "zh": "一个绿色的五角星。",
			"ja": "緑の星。", "sw": "Nyota ya kijani.",
		}},
		{Triangle, Red, map[string]string{
			"en": "A red triangle.", "de": "Ein rotes Dreieck.", "fr": "Un triangle rouge.", "es": "Un triángulo rojo.",
			"ru": "Красный треугольник.", "ar": "مثلث أحمر.", "hi": "एक लाल त्रिभुज।", "zh": "一个红色的三角形。",
			"ja": "赤い三角形。", "sw": "Pembetatu nyekundu.",
		}},
		{Circle, Orange, map[string]string{
			"en": "An orange circle.", "de": "Ein orangefarbener Kreis.", "fr": "Un cercle orange.", "es": "Un círculo naranja.",
			"ru": "Оранжевый круг.", "ar": "دائرة برتقالية.", "hi": "एक नारंगी वृत्त।", "zh": "一个橙色的圆形。",
			"ja": "オレンジ色の円。", "sw": "Mduara wa rangi ya chungwa.",
		}},
	}
	for _, tt := range tests {
		for lang, want := range tt.want {
			if got := ObjectCaption(tt.shape, tt.colour, lang); got != want {
				t.Errorf("ObjectCaption(%v, %v, %s) = %s, want %s", tt.shape, tt.colour, lang, got, want)
			}
		}
	}
	if got := ObjectCaption(Circle, Red, "xx"); got != "" {
		t.Errorf("ObjectCaption in an unknown language = %q, want empty", got)
	}
}

func TestCaptionErrors(t *testing.T) {
	ok := scene(t, 2, 2, "0,0:red circle")
	tests := []struct {
		name string
		s    Scene
		lang string
		want error
	}{
		{"language", ok, "pt", ErrLanguage},
		{"grid", Scene{Rows: 2, Cols: 3, Cells: make([]Cell, 6)}, "en", ErrGrid},
		{"empty", Scene{Rows: 2, Cols: 2, Cells: make([]Cell, 4)}, "en", ErrEmpty},
		{"cells", Scene{Rows: 2, Cols: 2, Cells: make([]Cell, 3)}, "en", ErrInvalid},
		{"colour", Scene{Rows: 2, Cols: 2, Cells: []Cell{{Filled: true, Colour: NumColours}, {}, {}, {}}}, "en", ErrInvalid},
	}
	for _, tt := range tests {
		if _, err := Caption(tt.s, tt.lang); !errors.Is(err, tt.want) {
			t.Errorf("%s: Caption error = %v, want %v", tt.name, err, tt.want)
		}
	}
}

// randomScenes returns a fixed mix of 2x2 and 3x3 scenes.
func randomScenes(n int) []Scene {
	rng := NewRand(7)
	out := make([]Scene, n)
	for i := range out {
		opts := &RandomOptions{Fill: 0.2 + 0.8*rng.Float64()}
		if i%2 == 1 {
			opts.Rows, opts.Cols = 3, 3
		}
		out[i] = Random(rng, opts)
	}
	return out
}

// Every caption is made of the language's words and marks, Split finds
// exactly the tokens the caption was built from, and Join undoes Split.
func TestSplitJoin(t *testing.T) {
	for _, lang := range Languages() {
		known := map[string]bool{}
		for _, w := range append(Words(lang), Marks(lang)...) {
			known[w] = true
		}
		g := grammars[lang]
		check := func(caption string, want []string) {
			t.Helper()
			got, err := Split(caption, lang)
			if err != nil {
				t.Fatalf("%s: Split(%q): %v", lang, caption, err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%s: Split(%q) = %q, want %q", lang, caption, got, want)
			}
			for _, w := range got {
				if !known[w] {
					t.Errorf("%s: %q is in no Words or Marks", lang, w)
				}
			}
			if j := Join(got, lang); j != caption {
				t.Errorf("%s: Join(Split(%q)) = %q", lang, caption, j)
			}
		}
		for _, s := range randomScenes(200) {
			c, err := Caption(s, lang)
			if err != nil {
				t.Fatal(err)
			}
			items, _ := s.Items()
			check(c, g.caption(items))
		}
		for _, it := range allItems() {
			check(ObjectCaption(it.Shape, it.Colour, lang), g.object(it.Shape, it.Colour))
		}
	}
	if _, err := Split("A red circle at the top leftish.", "en"); !errors.Is(err, ErrUnknownWord) {
		t.Errorf("Split of an unknown word: %v, want ErrUnknownWord", err)
	}
	if _, err := Split("左上角有一只猫。", "zh"); !errors.Is(err, ErrUnknownWord) {
		t.Errorf("Split of an unknown word: %v, want ErrUnknownWord", err)
	}
}

func TestWords(t *testing.T) {
	for _, lang := range Languages() {
		w := Words(lang)
		if !slices.IsSorted(w) || len(slices.Compact(slices.Clone(w))) != len(w) {
			t.Errorf("%s: Words not sorted and unique", lang)
		}
		for _, x := range w {
			if x == "" || strings.ContainsAny(x, " \t\n") || slices.Contains(Marks(lang), x) {
				t.Errorf("%s: bad word %q", lang, x)
			}
		}
	}
	if Words("xx") != nil || Marks("xx") != nil {
		t.Error("Words or Marks of an unknown language is not nil")
	}
	// Sentence-initial forms are part of the vocabulary.
	for lang, w := range map[string]string{"en": "An", "de": "Ein", "fr": "Une", "es": "Una", "ru": "Синяя", "sw": "Nyota", "ar": "وفي"} {
		if !slices.Contains(Words(lang), w) {
			t.Errorf("%s: Words lacks %q", lang, w)
		}
	}
}

func TestParseRoundTrip(t *testing.T) {
	for _, lang := range Languages() {
		for _, s := range randomScenes(100) {
			c, _ := Caption(s, lang)
			got, err := Parse(c, lang)
			if err != nil {
				t.Fatalf("%s: Parse(%q): %v", lang, c, err)
			}
			want, _ := s.Items()
			if !slices.Equal(got, want) {
				t.Fatalf("%s: Parse(%q) = %v, want %v", lang, c, got, want)
			}
		}
	}
}

func TestParsePartial(t *testing.T) {
	want := []Item{{TopLeft, Circle, Red}, {BottomRight, Star, Blue}}
	tests := []struct {
		lang, caption string
		want          []Item
	}{
		// The middle object is garbled; the others still count.
		{"en", "A red circle at the top left, a green blob at the top right and a blue star at the bottom right.", want},
		{"de", "ein roter Kreis oben links und kein gelber Stern unten links und ein blauer Stern unten rechts", want},
		{"zh", "左上角有一个红色的圆形，右上角有一只猫，右下角有一个蓝色的五角星。", want},
		{"ar", "في أعلى اليسار دائرة حمراء، وفي أعلى اليمين قطة، وفي أسفل اليمين نجمة زرقاء.", want},
		// Right objects, wrong order.
		{"en", "A blue star at the bottom right and a red circle at the top left.", []Item{want[1], want[0]}},
		// Right objects, wrong punctuation.
		{"ja", "左上に赤い円、右下に青い星がある。", want},
	}
	for _, tt := range tests {
		got, err := Parse(tt.caption, tt.lang)
		if !errors.Is(err, ErrNotCanonical) {
			t.Errorf("Parse(%q) error = %v, want ErrNotCanonical", tt.caption, err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Parse(%q) = %v, want %v", tt.caption, got, tt.want)
		}
	}
	if _, err := Parse("nothing here", "en"); !errors.Is(err, ErrNotCanonical) {
		t.Errorf("Parse of no objects: %v", err)
	}
	if _, err := Parse("A red circle at the top left.", "pt"); !errors.Is(err, ErrLanguage) {
		t.Errorf("Parse in an unknown language: %v", err)
	}
}

func TestPlaces(t *testing.T) {
	for _, g := range [][2]int{{2, 2}, {3, 3}} {
		seen := map[Place]bool{}
		for r := range g[0] {
			for c := range g[1] {
				p, ok := PlaceOf(g[0], g[1], r, c)
				if !ok || seen[p] {
					t.Fatalf("PlaceOf(%v, %d, %d) = %v, %v", g, r, c, p, ok)
				}
				seen[p] = true
				if r2, c2, ok := p.Cell(g[0], g[1]); !ok || r2 != r || c2 != c {
					t.Errorf("%v.Cell(%v) = %d, %d, %v; want %d, %d", p, g, r2, c2, ok, r, c)
				}
			}
		}
	}
	if p, _ := PlaceOf(2, 2, 1, 1); p != BottomRight {
		t.Errorf("bottom right of 2x2 = %v", p)
	}
	if _, _, ok := Centre.Cell(2, 2); ok {
		t.Error("a 2x2 grid has a centre")
	}
}
