package batch_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capgen/capgen/batch"
	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/sidecar"
	"github.com/capgen/capgen/toy"
	"github.com/capgen/capgen/toy/scene"
)

// sceneOfTestdata is testdata/scene.png (480x360): a yellow triangle top
// left, a green star bottom left, a blue triangle bottom right.
func sceneOfTestdata() scene.Scene {
	return scene.Scene{Rows: 2, Cols: 2, Cells: []scene.Cell{
		{Filled: true, Shape: scene.Triangle, Colour: scene.Yellow}, {},
		{Filled: true, Shape: scene.Star, Colour: scene.Green}, {Filled: true, Shape: scene.Triangle, Colour: scene.Blue},
	}}
}

func records(t *testing.T, journal string) []batch.Record {
	t.Helper()
	raw, _, err := sidecar.ReadJournal(journal)
	require.NoError(t, err)
	var out []batch.Record
	for _, r := range raw {
		var rec batch.Record
		require.NoError(t, json.Unmarshal(r, &rec))
		out = append(out, rec)
	}
	return out
}

// A Regions run takes each image's boxes from IMG.png.boxes.json and
// records one caption per box; the toy model names each cell's object. A
// journal of a describe run does not make a regions run skip its images.
func TestRunRegions(t *testing.T) {
	e := toyEngine(t)
	_, paths := scenes(t, 2)
	s := sceneOfTestdata()
	var boxes [][4]int
	var cells []scene.Cell
	for i, c := range s.Cells {
		if c.Filled {
			r := scene.CellBox(s, 480, 360, i/2, i%2)
			boxes = append(boxes, [4]int{r.Min.X, r.Min.Y, r.Max.X, r.Max.Y})
			cells = append(cells, c)
		}
	}
	data, _ := json.Marshal(boxes)
	require.NoError(t, os.WriteFile(paths[0]+batch.BoxesSuffix, data, 0o644))
	journal := filepath.Join(t.TempDir(), "j.jsonl")

	_, err := batch.Run(context.Background(), e, paths, &batch.Options{Request: request(t, "de"), Journal: journal})
	require.NoError(t, err)
	var failed []batch.Event
	sum, err := batch.Run(context.Background(), e, paths, &batch.Options{Kind: batch.Regions, Journal: journal,
		Regions: &caption.RegionsRequest{Languages: request(t, "de,ja").Languages, Words: toy.RegionWords, Margin: 0.05},
		OnEvent: func(ev batch.Event) {
			if ev.Status == batch.StatusFailed {
				failed = append(failed, ev)
			}
		}})
	require.NoError(t, err)
	assert.Equal(t, 1, sum.Captioned, "the image with boxes")
	assert.Zero(t, sum.Skipped, "describe records do not count for a regions run")
	require.Len(t, failed, 1, "the image without a boxes file fails alone")
	assert.ErrorContains(t, failed[0].Err, paths[1]+batch.BoxesSuffix+" does not exist")

	var rec *batch.Record
	for _, r := range records(t, journal) {
		if r.Kind == batch.Regions && r.File == paths[0] && r.Error == "" {
			rec = &r
		}
	}
	require.NotNil(t, rec, "regions record of %s", paths[0])
	require.Len(t, rec.Regions, len(boxes))
	for i, r := range rec.Regions {
		for _, c := range r.Captions {
			assert.Equal(t, scene.ObjectCaption(cells[i].Shape, cells[i].Colour, c.Language.Tag), c.Raw, "box %d %s", i, c.Language.Tag)
		}
	}
	_, err = batch.Run(context.Background(), e, paths, &batch.Options{Kind: batch.Regions, Journal: journal, XMP: true})
	assert.ErrorIs(t, err, batch.ErrInput, "region captions have no sidecar")
}

// A Dense run keeps the global and tile captions in the journal and puts
// the merged description into the sidecars.
func TestRunDense(t *testing.T) {
	e := toyEngine(t)
	_, paths := scenes(t, 1)
	journal := filepath.Join(t.TempDir(), "j.jsonl")
	sum, err := batch.Run(context.Background(), e, paths, &batch.Options{Kind: batch.Dense, Journal: journal, Text: true,
		Dense: &caption.DenseRequest{Languages: request(t, "de").Languages, GlobalDetail: caption.Brief, TileMode: caption.ModeRegion,
			TileWords: toy.RegionWords, Generation: caption.Generation{MaxTokens: 16},
			// The toy was not trained to merge: its merged text is no
			// language; this test is about the record, so keep it.
			OnMismatch: caption.MismatchKeep}})
	require.NoError(t, err)
	require.Equal(t, 1, sum.Captioned)
	recs := records(t, journal)
	require.Len(t, recs, 1)
	rec := recs[0]
	assert.Equal(t, batch.Dense, rec.Kind)
	require.Len(t, rec.Global, 1)
	assert.Equal(t, sceneDE, rec.Global[0].Text)
	require.Len(t, rec.Tiles, 4)
	s := sceneOfTestdata()
	for _, tile := range rec.Tiles {
		if c := s.Cells[tile.Row*2+tile.Col]; c.Filled {
			assert.Equal(t, scene.ObjectCaption(c.Shape, c.Colour, "de"), tile.Captions[0].Raw, "tile %d,%d", tile.Row, tile.Col)
		}
	}
	require.Len(t, rec.Captions, 1, "the merged description")
	txt, err := os.ReadFile(sidecar.TextPath(paths[0], nil))
	require.NoError(t, err)
	assert.Equal(t, rec.Captions[0].Text, strings.TrimSpace(string(txt)))
}
