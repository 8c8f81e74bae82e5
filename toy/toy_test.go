package toy

import (
	"strings"
	"testing"

	"github.com/capgen/capgen"
	"github.com/capgen/capgen/caption"
)

func TestPreprocessPadsToSquare(t *testing.T) {
	// A white 200x100 image becomes a 96x96 square: white rows in the
	// middle, the pad colour above and below.
	rgb := make([]byte, 3*200*100)
	for i := range rgb {
		rgb[i] = 255
	}
	out := Preprocess(rgb, 200, 100, 96)
	if len(out) != 3*96*96 {
		t.Fatalf("got %d bytes", len(out))
	}
	px := func(x, y int) [3]byte { i := 3 * (y*96 + x); return [3]byte{out[i], out[i+1], out[i+2]} }
	if px(50, 0) != PadColour || px(50, 95) != PadColour {
		t.Errorf("top and bottom rows: %v %v, want the pad colour %v", px(50, 0), px(50, 95), PadColour)
	}
	if px(50, 48) != [3]byte{255, 255, 255} {
		t.Errorf("centre: %v, want white", px(50, 48))
	}
	same := Preprocess(out, 96, 96, 96)
	if string(same) != string(out) {
		t.Error("an image of the model's size must pass unchanged")
	}
}

func TestInstructionsStateTheLanguage(t *testing.T) {
	for _, lang := range Languages() {
		for _, mode := range Modes() {
			ins, err := Instruction(lang, mode)
			if err != nil {
				t.Fatal(err)
			}
			if mode == caption.ModeRegion && !strings.Contains(ins, "10") {
				t.Errorf("%s region prompt %q lacks the word budget", lang, ins)
			}
		}
	}
}

func TestVocab(t *testing.T) {
	v, err := Vocab()
	if err != nil {
		t.Fatal(err)
	}
	if v.ID(TokImEnd) != v.EOS || v.ID("▁circle") == -1 {
		t.Errorf("vocabulary lacks its end token or caption words")
	}
	if _, err := TemplatesHash(); err != nil {
		t.Fatal(err)
	}
}

// The module embeds the toy model under fixed names (toy.go at the root);
// they must be the names cmd/toyexport writes.
func TestEmbeddedFileNames(t *testing.T) {
	m, mm := FileNames()
	if m != capgen.ToyModelFile || mm != capgen.ToyProjectorFile {
		t.Errorf("toy.FileNames() = %s, %s; the embedded files are %s, %s", m, mm, capgen.ToyModelFile, capgen.ToyProjectorFile)
	}
	if len(capgen.ToyModel) == 0 || len(capgen.ToyProjector) == 0 {
		t.Error("the embedded toy model is empty")
	}
}
