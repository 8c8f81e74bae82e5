package sidecar

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

var manyLangs = []Entry{
	{"en", "A red boat & a <blue> \"quoted\" 'sign' by the pier."},
	{"de", "Ein rotes Boot an der Straße – „Zitat“ & <Tag>."},
	{"ar", "قارب أحمر بجانب الرصيف، وفي الخلفية غروب الشمس."},
	{"ja", "桟橋のそばにある赤いボート。背景に夕日。"},
	{"zh-Hant", "碼頭旁的紅色小船。"},
	{"es", "Un barco rojo 🚤 junto al muelle 🌅👨‍👩‍👧."},
	{"pt-BR", "Um barco vermelho\nem duas linhas\tcom tabulação."},
}

func wantDescriptions(t *testing.T, got map[string]any, xdefault string, caps []Entry) {
	t.Helper()
	if g := got["XMP-dc:Description"]; g != xdefault {
		t.Errorf("x-default = %q, want %q", g, xdefault)
	}
	for _, c := range caps {
		// exiftool normalises the case of tags (zh-Hant -> zh-hant).
		key := "XMP-dc:Description-" + c.Lang
		var g any
		for k, v := range got {
			if strings.EqualFold(k, key) {
				g = v
			}
		}
		if g != c.Text {
			t.Errorf("%s = %q, want %q", key, g, c.Text)
		}
	}
}

// wellFormed parses path with namespace processing and checks the XMP
// skeleton, so that a reader stricter than exiftool accepts it too.
func wellFormed(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	var stack []string
	seen := map[string]bool{}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s is not well-formed: %v\n%s", path, err, data)
		}
		if s, ok := tok.(xml.StartElement); ok {
			if s.Name.Space == "" {
				t.Errorf("element <%s> has no namespace", s.Name.Local)
			}
			stack = append(stack, s.Name.Space+s.Name.Local)
			seen[strings.Join(stack, " ")] = true
		}
		if _, ok := tok.(xml.EndElement); ok {
			stack = stack[:len(stack)-1]
		}
	}
	want := "adobe:ns:meta/xmpmeta " + nsRDF + "RDF " + nsRDF + "Description " + nsDC + "description " + nsRDF + "Alt " + nsRDF + "li"
	if !seen[want] {
		t.Errorf("%s lacks x:xmpmeta/rdf:RDF/rdf:Description/dc:description/rdf:Alt/rdf:li:\n%s", path, data)
	}
}

func noTempFiles(t *testing.T, dir string, want ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("folder holds %q, want exactly %q (temporary file left behind?)", got, want)
	}
}

func TestWriteXMPNew(t *testing.T) {
	dir := t.TempDir()
	img := filepath.Join(dir, "IMG_0001.jpg")
	when := time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)
	path, err := WriteXMP(img, manyLangs, &XMPOptions{Model: "qwen2.5-vl-3b <q4_k_m>", Time: when})
	if err != nil {
		t.Fatal(err)
	}
	if path != img+".xmp" {
		t.Errorf("path = %q, want %q", path, img+".xmp")
	}
	wellFormed(t, path)
	got := exif(t, path)
	wantDescriptions(t, got, manyLangs[0].Text, manyLangs)
	if g := got["XMP-capgen:Model"]; g != "qwen2.5-vl-3b <q4_k_m>" {
		t.Errorf("capgen:model = %v", g)
	}
	if g, _ := got["XMP-capgen:Date"].(string); !strings.HasPrefix(g, "2026:11:28 03:00:00") {
		t.Errorf("capgen:date = %q, want 2026-11-28T03:00:00Z", g)
	}
	noTempFiles(t, dir, "IMG_0001.jpg.xmp")

	// Writing the same languages again replaces them: one entry each.
	again := []Entry{{"de", "Neuer Text."}, {"ja", "新しい文。"}}
	if _, err := WriteXMP(img, again, nil); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	for _, lang := range []string{"x-default", "de", "ja", "ar"} {
		if n := bytes.Count(data, []byte(`xml:lang="`+lang+`"`)); n != 1 {
			t.Errorf("%d entries for %s, want 1:\n%s", n, lang, data)
		}
	}
	got = exif(t, path)
	wantDescriptions(t, got, manyLangs[0].Text, append(again, manyLangs[2]))
	noTempFiles(t, dir, "IMG_0001.jpg.xmp")
}

func TestWriteXMPMergeDarktable(t *testing.T) {
	src, err := os.ReadFile("testdata/darktable.jpg.xmp")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	img := filepath.Join(dir, "harbour.jpg")
	side := img + ".xmp"
	if err := os.WriteFile(side, src, 0o600); err != nil {
		t.Fatal(err)
	}
	before := exif(t, side)

	caps := []Entry{{"de", "Fischerboote im Morgengrauen & <Nebel>."}, {"ja", "夜明けの漁船。"}}
	if _, err := WriteXMP(img, caps, nil); err != nil {
		t.Fatal(err)
	}
	wellFormed(t, side)
	// Byte for byte, only the de line changes and a ja line follows it.
	golden, err := os.ReadFile("testdata/darktable.merged.xmp")
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(side); !bytes.Equal(data, golden) {
		t.Errorf("merged sidecar differs from testdata/darktable.merged.xmp:\n%s", data)
	}
	after := exif(t, side)
	wantDescriptions(t, after, "Fishing boats at dawn, typed by hand.", caps)
	for k, v := range before {
		if k == "XMP-dc:Description-de" {
			continue
		}
		if !reflect.DeepEqual(after[k], v) {
			t.Errorf("%s changed by the merge: %v -> %v", k, v, after[k])
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok && k != "XMP-dc:Description-ja" {
			t.Errorf("merge added %s = %v", k, after[k])
		}
	}
	// The check above covers these; they are the ones a user would miss.
	for _, k := range []string{"XMP-xmp:Rating", "XMP-dc:Subject", "XMP-dc:Description-fr", "XMP-darktable:History"} {
		if after[k] == nil {
			t.Errorf("%s missing after the merge", k)
		}
	}
	if st, err := os.Stat(side); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("mode after merge = %v (%v), want the original 0600", st.Mode().Perm(), err)
	}

	// ReplaceDefault and provenance touch only x-default and capgen:*.
	if _, err := WriteXMP(img, caps, &XMPOptions{ReplaceDefault: true, Default: "Boats.", Model: "m"}); err != nil {
		t.Fatal(err)
	}
	third := exif(t, side)
	wantDescriptions(t, third, "Boats.", caps)
	if third["XMP-dc:Description-fr"] != before["XMP-dc:Description-fr"] || third["XMP-capgen:Model"] != "m" {
		t.Errorf("after ReplaceDefault: fr = %v, model = %v", third["XMP-dc:Description-fr"], third["XMP-capgen:Model"])
	}
	noTempFiles(t, dir, "harbour.jpg.xmp")
}

// TestWriteXMPShapes merges into the other ways XMP writers lay out
// dc:description and its namespaces.
func TestWriteXMPShapes(t *testing.T) {
	const head = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">`
	const tail = `</rdf:RDF></x:xmpmeta>`
	tests := []struct {
		name, in, xdefault string
		keep               map[string]any
	}{
		{"attribute form", head + `<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" dc:description="Old &amp; typed." xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="2"/>` + tail,
			"Old & typed.", map[string]any{"XMP-xmp:Rating": float64(2)}},
		{"plain literal", head + `<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:description>Plain.</dc:description></rdf:Description>` + tail,
			"Plain.", nil},
		{"no dc namespace, other prefix taken", head + `<rdf:Description rdf:about="" xmlns:dc="urn:not-dublin-core" xmlns:xmp="http://ns.adobe.com/xap/1.0/"><xmp:Label>Red</xmp:Label></rdf:Description>` + tail,
			"", map[string]any{"XMP-xmp:Label": "Red"}},
		{"odd prefixes, second Description", `<?xpacket begin="` + "\uFEFF" + `" id="W5M0MpCehiHzreSzNTczkc9d"?><meta:xmpmeta xmlns:meta="adobe:ns:meta/"><r:RDF xmlns:r="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><r:Description r:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="5"/><r:Description r:about="" xmlns:e="http://purl.org/dc/elements/1.1/"><e:description><r:Alt><r:li xml:lang="x-default">Kept.</r:li><r:li xml:lang="it">Italiano.</r:li></r:Alt></e:description></r:Description></r:RDF></meta:xmpmeta><?xpacket end="w"?>`,
			"Kept.", map[string]any{"XMP-xmp:Rating": float64(5), "XMP-dc:Description-it": "Italiano."}},
		{"no Description", head + tail, "", nil},
	}
	caps := []Entry{{"de", "Deutsch."}, {"ar", "عربي."}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			img := filepath.Join(dir, "a.png")
			if err := os.WriteFile(img+".xmp", []byte(tt.in), 0o644); err != nil {
				t.Fatal(err)
			}
			path, err := WriteXMP(img, caps, nil)
			if err != nil {
				t.Fatal(err)
			}
			wellFormed(t, path)
			got := exif(t, path)
			xdefault := tt.xdefault
			if xdefault == "" {
				xdefault = caps[0].Text
			}
			wantDescriptions(t, got, xdefault, caps)
			for k, v := range tt.keep {
				if got[k] != v {
					t.Errorf("%s = %v, want %v", k, got[k], v)
				}
			}
		})
	}
}

func TestWriteXMPErrors(t *testing.T) {
	tests := []struct {
		name     string
		caps     []Entry
		existing string
		want     error
	}{
		{"no captions", nil, "", ErrInvalid},
		{"empty tag", []Entry{{"", "x"}}, "", ErrInvalid},
		{"bad tag", []Entry{{"de_DE", "x"}}, "", ErrInvalid},
		{"x-default as language", []Entry{{"x-default", "x"}}, "", ErrInvalid},
		{"duplicate", []Entry{{"de", "x"}, {"DE", "y"}}, "", ErrInvalid},
		{"not XML", []Entry{{"de", "x"}}, "<x:xmpmeta><rdf:RDF>", ErrNotXMP},
		{"mismatched tags", []Entry{{"de", "x"}}, "<a><b></a></b>", ErrNotXMP},
		{"no rdf:RDF", []Entry{{"de", "x"}}, `<x:xmpmeta xmlns:x="adobe:ns:meta/"/>`, ErrNotXMP},
		{"description is a Bag", []Entry{{"de", "x"}}, `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:description><rdf:Bag><rdf:li>a</rdf:li></rdf:Bag></dc:description></rdf:Description></rdf:RDF>`, ErrNotXMP},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			img := filepath.Join(dir, "b.jpg")
			files := []string{}
			if tt.existing != "" {
				os.WriteFile(img+".xmp", []byte(tt.existing), 0o644)
				files = append(files, "b.jpg.xmp")
			}
			_, err := WriteXMP(img, tt.caps, nil)
			var e *Error
			if !errors.Is(err, tt.want) || !errors.As(err, &e) || e.Op != "WriteXMP" || e.Path != img+".xmp" {
				t.Fatalf("err = %v, want a *Error from WriteXMP on %s wrapping %v", err, img+".xmp", tt.want)
			}
			if tt.existing != "" {
				if data, _ := os.ReadFile(img + ".xmp"); string(data) != tt.existing {
					t.Errorf("unusable sidecar was modified:\n%s", data)
				}
			}
			noTempFiles(t, dir, files...)
		})
	}
}

func TestPaths(t *testing.T) {
	tests := []struct {
		img      string
		xopt     *XMPOptions
		topt     *TextOptions
		xmp, txt string
	}{
		{"photos/IMG_1.jpg", nil, nil, "photos/IMG_1.jpg.xmp", "photos/IMG_1.txt"},
		{"photos/IMG_1.jpg", &XMPOptions{ReplaceExtension: true}, &TextOptions{Lang: "de"}, "photos/IMG_1.xmp", "photos/IMG_1.de.txt"},
		{"raw/DSC.0001.NEF", &XMPOptions{ReplaceExtension: true}, &TextOptions{Lang: "zh-Hant"}, "raw/DSC.0001.xmp", "raw/DSC.0001.zh-Hant.txt"},
		{"noext", &XMPOptions{ReplaceExtension: true}, nil, "noext.xmp", "noext.txt"},
		{"noext", &XMPOptions{}, &TextOptions{}, "noext.xmp", "noext.txt"},
	}
	for _, tt := range tests {
		if got := XMPPath(tt.img, tt.xopt); got != tt.xmp {
			t.Errorf("XMPPath(%q, %+v) = %q, want %q", tt.img, tt.xopt, got, tt.xmp)
		}
		if got := TextPath(tt.img, tt.topt); got != tt.txt {
			t.Errorf("TextPath(%q, %+v) = %q, want %q", tt.img, tt.topt, got, tt.txt)
		}
	}
}

func TestWriteXMPReplaceExtension(t *testing.T) {
	dir := t.TempDir()
	img := filepath.Join(dir, "DSC_0042.NEF")
	path, err := WriteXMP(img, []Entry{{"fr", "Un chat."}}, &XMPOptions{ReplaceExtension: true})
	if err != nil {
		t.Fatal(err)
	}
	if path != filepath.Join(dir, "DSC_0042.xmp") {
		t.Errorf("path = %q", path)
	}
	wantDescriptions(t, exif(t, path), "Un chat.", []Entry{{"fr", "Un chat."}})
	noTempFiles(t, dir, "DSC_0042.xmp")
}
