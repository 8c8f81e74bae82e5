package main

import (
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/capgen/capgen/internal/testmodels"
	toyscene "github.com/capgen/capgen/toy/scene"
)

// TestToyScripts runs the scenarios of testdata/toyscript with the
// embedded toy model (--model toy), which really reads its drawn scenes:
// the scripts compare captions with the scenes' ground truth, so a wrong
// language, a crop from the wrong place or a lost sidecar fails them.
//
// Setup draws the pictures into the work folder with their expected
// captions: scene.png (640x480, three cells filled), wide.png (a
// landscape 3:2 scene), and pics/a.png, pics/b.png, pics/c.png for batch.
// want-LANG.txt holds the caption of scene.png in LANG (as describe
// prints one language); crop-LANG.txt the caption of its top right cell;
// pics/X.want the caption of each batch picture in English (as the .txt
// sidecar holds it, without a final newline); pics-refs.jsonl their
// canonical captions in en, de and sw as XM3600-style references. MODEL
// and MMPROJ are a random-weight pair, for comparisons.
func TestToyScripts(t *testing.T) {
	tiny := testmodels.Tiny(t, "tiny-llava")
	testscript.Run(t, testscript.Params{
		Dir: "testdata/toyscript",
		Setup: func(env *testscript.Env) error {
			env.Setenv("MODEL", tiny.Model)
			env.Setenv("MMPROJ", tiny.MMProj)
			env.Setenv("CAPGEN_THREADS", "1")
			env.Setenv("XDG_CONFIG_HOME", env.WorkDir+"/config")
			env.Setenv("CAPGEN_MODELS", env.WorkDir+"/models")
			return drawToyFiles(env.WorkDir)
		},
	})
}

func drawToyFiles(dir string) error {
	picture := toyscene.Scene{Rows: 2, Cols: 2, Cells: []toyscene.Cell{
		{Filled: true, Shape: toyscene.Square, Colour: toyscene.Red},
		{Filled: true, Shape: toyscene.Star, Colour: toyscene.Green},
		{},
		{Filled: true, Shape: toyscene.Circle, Colour: toyscene.Yellow},
	}}
	if err := drawPNG(filepath.Join(dir, "scene.png"), picture, 640, 480, 31); err != nil {
		return err
	}
	for _, lang := range []string{"en", "de", "ja", "ar", "sw"} {
		c, err := toyscene.Caption(picture, lang)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "want-"+lang+".txt"), []byte(c+"\n"), 0o644); err != nil {
			return err
		}
		obj := toyscene.ObjectCaption(toyscene.Star, toyscene.Green, lang)
		if err := os.WriteFile(filepath.Join(dir, "crop-"+lang+".txt"), []byte(obj+"\n"), 0o644); err != nil {
			return err
		}
	}
	wide := toyscene.Scene{Rows: 2, Cols: 2, Cells: []toyscene.Cell{
		{}, {Filled: true, Shape: toyscene.Triangle, Colour: toyscene.Purple},
		{Filled: true, Shape: toyscene.Circle, Colour: toyscene.Orange}, {},
	}}
	if err := drawPNG(filepath.Join(dir, "wide.png"), wide, 900, 600, 17); err != nil {
		return err
	}
	c, err := toyscene.Caption(wide, "fr")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "wide-fr.txt"), []byte(c+"\n"), 0o644); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, "pics"), 0o755); err != nil {
		return err
	}
	var refs []string
	for i, name := range []string{"a", "b", "c"} {
		rng := toyscene.NewRand(uint64(500 + i))
		s := toyscene.Random(rng, &toyscene.RandomOptions{Rows: 2, Cols: 2})
		if err := drawPNG(filepath.Join(dir, "pics", name+".png"), s, 480+40*i, 400, uint64(600+i)); err != nil {
			return err
		}
		c, err := toyscene.Caption(s, "en")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "pics", name+".want"), []byte(c), 0o644); err != nil {
			return err
		}
		rec := map[string]any{"image/key": name}
		for _, lang := range []string{"en", "de", "sw"} {
			c, err := toyscene.Caption(s, lang)
			if err != nil {
				return err
			}
			rec[lang] = map[string]any{"caption": []string{c}}
		}
		b, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		refs = append(refs, string(b))
	}
	return os.WriteFile(filepath.Join(dir, "pics-refs.jsonl"), []byte(strings.Join(refs, "\n")+"\n"), 0o644)
}

func drawPNG(path string, s toyscene.Scene, w, h int, seed uint64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, toyscene.Render(s, w, h, toyscene.NewRand(seed), nil)); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}
