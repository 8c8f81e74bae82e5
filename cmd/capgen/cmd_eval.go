package main

import (
	"bufio"
	"context"
	"encoding/json"

	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/capgen/capgen/batch"
	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/metric"
	"github.com/capgen/capgen/models"
	"github.com/capgen/capgen/toy"
)

// capgen eval: captions (generated now, or read from capgen journals) of a
// set of images scored per language against human references, one or more
// models side by side.

type evalOptions struct {
	modelOptions
	Models   cli.StringSlice
	MMProjs  cli.StringSlice
	Captions cli.StringSlice
	Refs     string
	RefsLang string
	Langs    string
	Format   string
	Plot     string
	PerImage bool
	Max      int
}

func evalCommand() *cli.Command {
	var o evalOptions
	flags := []cli.Flag{}
	for _, f := range o.modelOptions.flags() {
		if n := f.Names()[0]; n != "model" && n != "mmproj" {
			flags = append(flags, f)
		}
	}
	return &cli.Command{
		Name:      "eval",
		Usage:     "score captions per language against references: BLEU-4, chrF++, CIDEr-D, language match; models side by side",
		ArgsUsage: "IMAGES... (files, folders, globs; only images with references are scored)",
		Flags: append(flags,
			&cli.StringSliceFlag{Name: "model", Usage: "a model to caption with (repeat for several: toy, a pulled name, or a .gguf file)", Destination: &o.Models},
			&cli.StringSliceFlag{Name: "mmproj", Usage: "the projectors of the --model files that are .gguf files, in the same order", Destination: &o.MMProjs},
			&cli.StringSliceFlag{Name: "captions", Usage: "score the captions of this capgen journal instead of captioning (repeat for several; LABEL=FILE names the column)", Destination: &o.Captions},
			&cli.StringFlag{Name: "refs", Usage: "references: XM3600 JSON Lines (image/key and a caption list per language) or COCO captions JSON", Required: true, Destination: &o.Refs},
			&cli.StringFlag{Name: "refs-lang", Usage: "the language of COCO-style references", Value: "en", Destination: &o.RefsLang},
			&cli.StringFlag{Name: "lang", Usage: "languages to caption and score (default: every language of the references)", Destination: &o.Langs},
			&cli.StringFlag{Name: "format", Usage: "text, markdown or json", Value: "text", Destination: &o.Format},
			&cli.StringFlag{Name: "plot", Usage: "also draw chrF++ per language per model into this SVG file", Destination: &o.Plot},
			&cli.BoolFlag{Name: "per-image", Usage: "with --format json: scores of every image too", Destination: &o.PerImage},
			&cli.IntFlag{Name: "max-tokens", Usage: "most tokens per caption (0 = by detail)", Destination: &o.Max},
		),
		Action: func(c *cli.Context) error {
			return runEval(c.Context, c.App.Writer, c.App.ErrWriter, o, c.Args().Slice())
		},
	}
}

// refSet is the references: image key -> language -> captions.
type refSet map[string]map[string][]string

// imageKey is how images and references meet: the file name without its
// extension (XM3600's images are named KEY.jpg).
func imageKey(path string) string {
	b := filepath.Base(path)
	return strings.TrimSuffix(b, filepath.Ext(b))
}

func readRefs(path, cocoLang string) (refSet, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("--refs: %v", err)
	}
	refs := refSet{}
	add := func(key, lang string, caps ...string) {
		if refs[key] == nil {
			refs[key] = map[string][]string{}
		}
		for _, c := range caps {
			if c = strings.TrimSpace(c); c != "" {
				refs[key][lang] = append(refs[key][lang], c)
			}
		}
	}
	// COCO: one JSON object with images and annotations.
	var coco struct {
		Images []struct {
			ID       json.RawMessage `json:"id"`
			FileName string          `json:"file_name"`
		} `json:"images"`
		Annotations []struct {
			ImageID json.RawMessage `json:"image_id"`
			Caption string          `json:"caption"`
		} `json:"annotations"`
	}
	if json.Unmarshal(b, &coco) == nil && len(coco.Annotations) > 0 {
		names := map[string]string{}
		for _, im := range coco.Images {
			names[string(im.ID)] = imageKey(im.FileName)
		}
		for _, a := range coco.Annotations {
			key, ok := names[string(a.ImageID)]
			if !ok {
				key = strings.Trim(string(a.ImageID), `"`)
			}
			add(key, cocoLang, a.Caption)
		}
		return refs, nil
	}
	// XM3600: one record per line.
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var rec map[string]json.RawMessage
		if err := json.Unmarshal([]byte(text), &rec); err != nil {
			return nil, usagef("--refs %s:%d: neither COCO captions JSON nor XM3600 JSON Lines: %v", path, line, err)
		}
		var key string
		for _, k := range []string{"image/key", "key", "image", "file"} {
			if json.Unmarshal(rec[k], &key) == nil && key != "" {
				break
			}
		}
		if key == "" {
			return nil, usagef("--refs %s:%d: no image/key", path, line)
		}
		key = imageKey(key)
		for lang, v := range rec {
			if strings.Contains(lang, "/") || lang == "key" || lang == "image" || lang == "file" {
				continue
			}
			var obj struct {
				Caption []string `json:"caption"`
			}
			var list []string
			switch {
			case json.Unmarshal(v, &obj) == nil && len(obj.Caption) > 0:
				add(key, lang, obj.Caption...)
			case json.Unmarshal(v, &list) == nil:
				add(key, lang, list...)
			}
		}
	}
	if len(refs) == 0 {
		return nil, usagef("--refs %s: no references found", path)
	}
	return refs, nil
}

// evalColumn is one model's captions: image key -> language -> caption.
type evalColumn struct {
	label string
	caps  map[string]map[string]caption.Caption
}

func readCaptions(label, path string) (evalColumn, error) {
	col := evalColumn{label: label, caps: map[string]map[string]caption.Caption{}}
	recs, _, err := readJournal(path)
	if err != nil {
		return col, usagef("--captions %s: %v", path, err)
	}
	for _, r := range recs {
		key := imageKey(r.File)
		if col.caps[key] == nil {
			col.caps[key] = map[string]caption.Caption{}
		}
		for _, c := range r.Captions {
			col.caps[key][c.Language.Tag] = c
		}
	}
	return col, nil
}

func readJournal(path string) ([]batch.Record, int, error) {
	var recs []batch.Record
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var r batch.Record
		if json.Unmarshal(sc.Bytes(), &r) == nil && r.Error == "" {
			recs = append(recs, r)
		}
	}
	return recs, 0, sc.Err()
}

// evalRow is one model's scores in one language.
type evalRow struct {
	Model     string         `json:"model"`
	Language  string         `json:"language"`
	Images    int            `json:"images"`
	BLEU      float64        `json:"bleu4"`
	ChrF      float64        `json:"chrf_pp"`
	CIDEr     float64        `json:"cider_d"`
	LangMatch float64        `json:"language_match"`
	MeanLen   float64        `json:"mean_tokens"`
	PerImage  []evalImageRow `json:"per_image,omitempty"`
	Missing   int            `json:"missing"` // images with references but no caption in this language

}

type evalImageRow struct {
	Image string  `json:"image"`
	BLEU  float64 `json:"bleu4"`
	ChrF  float64 `json:"chrf_pp"`
	CIDEr float64 `json:"cider_d"`
	Match bool    `json:"language_match"`
}

// score scores one column in one language.
func score(col evalColumn, refs refSet, lang string, perImage bool) evalRow {
	row := evalRow{Model: col.label, Language: lang}
	var keys []string
	for k, byLang := range refs {
		if len(byLang[lang]) > 0 {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var hypT [][]string
	var refT [][][]string
	var hypS []string
	var refS [][]string
	var cidH [][]string
	var cidR [][][]string
	var used []string
	matches, length := 0, 0
	for _, k := range keys {
		c, ok := col.caps[k][lang]
		if !ok || c.Failed() {
			row.Missing++
			continue
		}
		used = append(used, k)
		hypT = append(hypT, metric.Tokenize(c.Text, lang))
		hypS = append(hypS, c.Text)
		cidH = append(cidH, metric.CIDErTokens(c.Text, lang))
		var rt, rc [][]string
		for _, r := range refs[k][lang] {
			rt = append(rt, metric.Tokenize(r, lang))
			rc = append(rc, metric.CIDErTokens(r, lang))
		}
		refT, refS, cidR = append(refT, rt), append(refS, refs[k][lang]), append(cidR, rc)
		if c.Detected.Match {
			matches++
		}
		length += len(hypT[len(hypT)-1])
	}
	row.Images = len(used)
	if row.Images == 0 {
		return row
	}
	row.BLEU = metric.BLEU(hypT, refT)
	row.ChrF = metric.ChrF(hypS, refS, metric.ChrFPlusPlus)
	var per []float64
	row.CIDEr, per = metric.CIDErD(cidH, cidR)
	row.LangMatch = float64(matches) / float64(row.Images)
	row.MeanLen = float64(length) / float64(row.Images)
	if perImage {
		for i, k := range used {
			row.PerImage = append(row.PerImage, evalImageRow{Image: k, BLEU: metric.BLEU(hypT[i:i+1], refT[i:i+1]),
				ChrF: metric.ChrF(hypS[i:i+1], refS[i:i+1], metric.ChrFPlusPlus), CIDEr: per[i], Match: col.caps[k][lang].Detected.Match})
		}
	}
	return row
}

func runEval(ctx context.Context, w, errw io.Writer, o evalOptions, args []string) error {
	switch o.Format {
	case "text", "markdown", "json":
	default:
		return usagef("--format %q: use text, markdown or json", o.Format)
	}
	refs, err := readRefs(o.Refs, o.RefsLang)
	if err != nil {
		return err
	}
	var langs []string
	if o.Langs != "" {
		ls, err := parseLangs(o.Langs)
		if err != nil {
			return err
		}
		for _, l := range ls {
			langs = append(langs, l.Tag)
		}
	} else {
		seen := map[string]bool{}
		for _, byLang := range refs {
			for l := range byLang {
				if _, err := caption.LookupLanguage(l); err == nil && !seen[l] {
					seen[l] = true
					langs = append(langs, l)
				}
			}
		}
		sort.Strings(langs)
	}
	if len(langs) == 0 {
		return usagef("--refs %s has no language capgen knows (see capgen languages)", o.Refs)
	}
	modelNames := o.Models.Value()
	journals := o.Captions.Value()
	if len(modelNames) == 0 && len(journals) == 0 {
		return usagef("give --model (to caption now) or --captions JOURNAL (captions of an earlier run)")
	}
	var cols []evalColumn
	for _, j := range journals {
		label, path, ok := strings.Cut(j, "=")
		if !ok {
			label, path = strings.TrimSuffix(filepath.Base(j), filepath.Ext(j)), j
		}
		col, err := readCaptions(label, path)
		if err != nil {
			return err
		}
		cols = append(cols, col)
	}
	if len(modelNames) > 0 {
		if len(args) == 0 {
			return usagef("eval --model needs the images: files, folders or globs")
		}
		paths, err := batch.Collect(args, nil)
		if err != nil {
			return usagef("%v", err)
		}
		var withRefs []string
		for _, p := range paths {
			if refs[imageKey(p)] != nil {
				withRefs = append(withRefs, p)
			}
		}
		if len(withRefs) == 0 {
			return usagef("none of the %d images has references in %s (images and references meet by file name without extension)", len(paths), o.Refs)
		}
		mmprojs := o.MMProjs.Value()
		for _, m := range modelNames {
			mo := o.modelOptions
			mo.Model, mo.MMProj, mo.name = m, "", ""
			_, known := models.Lookup(m)
			if m != toy.ModelName && known != nil {
				if len(mmprojs) == 0 {
					return usagef("--model %s is a file: give its --mmproj (one per model file, in order)", m)
				}
				mo.MMProj, mmprojs = mmprojs[0], mmprojs[1:]
			}
			col, err := evalCaption(ctx, errw, mo, m, withRefs, langs, o.Max)
			if err != nil {
				return err
			}
			cols = append(cols, col)
		}
	}
	var rows []evalRow
	for _, col := range cols {
		for _, l := range langs {
			rows = append(rows, score(col, refs, l, o.PerImage))
		}
	}
	if o.Plot != "" {
		if err := os.WriteFile(o.Plot, []byte(evalSVG(rows, cols, langs)), 0o644); err != nil {
			return err
		}
	}
	return writeEval(w, o.Format, rows)
}

// evalCaption captions the images with one model through the batch
// pipeline (journal in a temporary file) and reads the captions back.
func evalCaption(ctx context.Context, errw io.Writer, mo modelOptions, label string, paths []string, langs []string, maxTokens int) (evalColumn, error) {
	e, err := mo.engine(ctx)
	if err != nil {
		return evalColumn{}, err
	}
	defer e.Close()
	dir, err := os.MkdirTemp("", "capgen-eval-")
	if err != nil {
		return evalColumn{}, err
	}
	defer os.RemoveAll(dir)
	var ls []caption.Language
	for _, l := range langs {
		ls = append(ls, caption.MustLookupLanguage(l))
	}
	journal := filepath.Join(dir, "captions.jsonl")
	// The first answer is scored as it is (keep): eval measures the model,
	// and the language-match rate reports the check.
	sum, err := batch.Run(ctx, e, paths, &batch.Options{Journal: journal, Decode: mo.decodeOptions(reduceDescribe),
		Request: caption.Request{Languages: ls, OnMismatch: caption.MismatchKeep, Generation: caption.Generation{MaxTokens: maxTokens}}})
	if err != nil {
		return evalColumn{}, err
	}
	fmt.Fprintf(errw, "capgen: %s: %d images captioned in %d languages, %d failed\n", label, sum.Captioned+sum.Reused, len(langs), sum.Failed)
	return readCaptions(label, journal)
}

func writeEval(w io.Writer, format string, rows []evalRow) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(map[string]any{"scores": rows,
			"metrics": "BLEU-4 and chrF++ (sacreBLEU definitions, 0-100), CIDEr-D (COCO, 0-10), language match (share of captions that pass capgen's language check)"})
	case "markdown":
		fmt.Fprintln(w, "| model | language | images | BLEU-4 | chrF++ | CIDEr-D | language match | mean tokens |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
		for _, r := range rows {
			fmt.Fprintf(w, "| %s | %s | %d | %.1f | %.1f | %.3f | %.0f%% | %.1f |\n", r.Model, r.Language, r.Images, r.BLEU, r.ChrF, r.CIDEr, 100*r.LangMatch, r.MeanLen)
		}
		return nil
	}
	fmt.Fprintf(w, "%-24s %-8s %6s %7s %7s %8s %8s %7s\n", "model", "language", "images", "BLEU-4", "chrF++", "CIDEr-D", "lang ok", "tokens")
	for _, r := range rows {
		fmt.Fprintf(w, "%-24s %-8s %6d %7.1f %7.1f %8.3f %7.0f%% %7.1f\n", r.Model, r.Language, r.Images, r.BLEU, r.ChrF, r.CIDEr, 100*r.LangMatch, r.MeanLen)
	}
	return nil
}

// evalSVG draws chrF++ per language, one bar per model.
func evalSVG(rows []evalRow, cols []evalColumn, langs []string) string {
	const barW, gap, h, top, left = 18, 14, 220, 30, 40
	groupW := len(cols)*barW + gap
	width := left + len(langs)*groupW + 160
	colours := []string{"#2456c7", "#e8590c", "#2f9e44", "#ae3ec9", "#f08c00", "#0c8599"}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">`+"\n", width, h+top+40)
	fmt.Fprintf(&b, `<text x="%d" y="18" font-size="13">chrF++ per language</text>`+"\n", left)
	for _, y := range []int{0, 25, 50, 75, 100} {
		py := top + h - y*h/100
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#ddd"/><text x="4" y="%d">%d</text>`+"\n", left, left+len(langs)*groupW, py, py, py+4, y)
	}
	for li, l := range langs {
		x0 := left + li*groupW
		for ci, c := range cols {
			i := slices.IndexFunc(rows, func(r evalRow) bool { return r.Model == c.label && r.Language == l })
			if i < 0 {
				continue
			}
			bh := int(rows[i].ChrF * h / 100)
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"><title>%s %s: %.1f</title></rect>`+"\n",
				x0+ci*barW, top+h-bh, barW-2, bh, colours[ci%len(colours)], escapeXML(c.label), l, rows[i].ChrF)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`+"\n", x0, top+h+14, l)
	}
	for ci, c := range cols {
		y := top + 14*ci
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d">%s</text>`+"\n",
			left+len(langs)*groupW+10, y, colours[ci%len(colours)], left+len(langs)*groupW+26, y+9, escapeXML(c.label))
	}
	b.WriteString("</svg>\n")
	return b.String()
}

func escapeXML(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}
