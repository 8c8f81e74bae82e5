package batch_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capgen/capgen"
	"github.com/capgen/capgen/batch"
	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/llama"
	"github.com/capgen/capgen/sidecar"
)

// toyEngine loads the toy model of testdata/toy, which reads its drawn
// scenes exactly (testdata/scene.png has canonical captions).
func toyEngine(t testing.TB) *caption.Engine {
	t.Helper()
	dir := filepath.Join("..", "testdata", "toy")
	e, err := caption.Load(context.Background(), filepath.Join(dir, capgen.ToyModelFile), filepath.Join(dir, capgen.ToyProjectorFile),
		&caption.LoadOptions{Projector: llama.ProjectorOptions{Threads: 1, NoWarmup: true}}, &caption.Options{Threads: 1})
	require.NoError(t, err)
	t.Cleanup(func() { e.Close() })
	return e
}

// scenes copies testdata/scene.png to n files with different bytes (so
// different keys) in a new folder.
func scenes(t testing.TB, n int) (dir string, paths []string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "scene.png"))
	require.NoError(t, err)
	dir = t.TempDir()
	for i := range n {
		p := filepath.Join(dir, "img"+string(rune('a'+i))+".png")
		require.NoError(t, os.WriteFile(p, append(append([]byte(nil), data...), byte(i)), 0o644))
		paths = append(paths, p)
	}
	return dir, paths
}

const sceneDE = "Ein gelbes Dreieck oben links, ein grüner Stern unten links und ein blaues Dreieck unten rechts."

func request(t testing.TB, langs string) caption.Request {
	l, err := caption.ParseLanguages(langs)
	require.NoError(t, err)
	return caption.Request{Languages: l}
}

func TestRunCaptionsResumesAndWritesSidecars(t *testing.T) {
	e := toyEngine(t)
	_, paths := scenes(t, 5)
	broken := filepath.Join(filepath.Dir(paths[0]), "broken.jpg")
	require.NoError(t, os.WriteFile(broken, []byte("not a jpeg"), 0o644))
	all := append(slices.Clone(paths), broken)
	journal := filepath.Join(t.TempDir(), "captions.jsonl")
	var events []batch.Event
	opt := &batch.Options{Request: request(t, "de,ja"), Journal: journal, XMP: true, Text: true,
		OnEvent: func(ev batch.Event) { events = append(events, ev) }}

	sum, err := batch.Run(context.Background(), e, all, opt)
	require.NoError(t, err)
	assert.Equal(t, batch.Summary{Images: 6, Captioned: 5, Failed: 1, Tokens: sum.Tokens, Elapsed: sum.Elapsed,
		Quality: batch.Quality{Captions: 10, Matched: 10}}, sum, "5 images in de and ja, every caption in its language")
	assert.Positive(t, sum.Tokens)
	require.Len(t, events, 6)
	assert.Equal(t, 6, events[5].Done)
	recs, _, err := sidecar.ReadJournal(journal)
	require.NoError(t, err)
	assert.Len(t, recs, 6, "one record per image, the broken one keyed by its path")
	for _, p := range paths {
		txt, err := os.ReadFile(sidecar.TextPath(p, nil))
		require.NoError(t, err)
		assert.Equal(t, sceneDE, strings.TrimSpace(string(txt)), "%s: the .txt sidecar holds the first language", p)
		_, err = os.Stat(p + ".xmp")
		assert.NoError(t, err)
	}

	// Resume: the captioned images are skipped, the broken one is tried again.
	events = nil
	sum, err = batch.Run(context.Background(), e, all, opt)
	require.NoError(t, err)
	assert.Equal(t, 5, sum.Skipped)
	assert.Equal(t, 1, sum.Failed)
	assert.Zero(t, sum.Captioned)
}

// A named pipe among the images fails alone, at once, instead of blocking
// a worker in read(2); in a folder, Collect leaves it out and says so.
func TestNamedPipeIsNotRead(t *testing.T) {
	e := toyEngine(t)
	dir, paths := scenes(t, 1)
	fifo := filepath.Join(dir, "pipe.png")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	var skipped []string
	got, err := batch.Collect([]string{dir}, &batch.CollectOptions{Skipped: func(p, why string) { skipped = append(skipped, p+": "+why) }})
	require.NoError(t, err)
	assert.Equal(t, paths, got)
	assert.Equal(t, []string{fifo + ": a named pipe, not a file"}, skipped)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var failed []batch.Event
	sum, err := batch.Run(ctx, e, []string{fifo, paths[0]}, &batch.Options{Request: request(t, "en"), Journal: filepath.Join(t.TempDir(), "j.jsonl"),
		OnEvent: func(ev batch.Event) {
			if ev.Status == batch.StatusFailed {
				failed = append(failed, ev)
			}
		}})
	require.NoError(t, err, "the run must end before the timeout")
	assert.Equal(t, 1, sum.Captioned)
	require.Len(t, failed, 1)
	assert.Equal(t, fifo, failed[0].File)
	assert.ErrorContains(t, failed[0].Err, "not a regular file")
}

func TestCollect(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.jpg", "a.PNG", "notes.txt", "sub/c.webp", ".hidden/d.png"} {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte("x"), 0o644))
	}
	list := filepath.Join(t.TempDir(), "list.txt")
	require.NoError(t, os.WriteFile(list, []byte("# comment\n"+filepath.Join(dir, "notes.txt")+"\n\n"), 0o644))

	got, err := batch.Collect([]string{dir, filepath.Join(dir, "b.jpg")}, &batch.CollectOptions{FilesFrom: list})
	require.NoError(t, err)
	j := func(n string) string { return filepath.Join(dir, n) }
	assert.Equal(t, []string{j("notes.txt"), j("a.PNG"), j("b.jpg"), j("sub/c.webp")}, got,
		"the list first, then the folder in lexical order, hidden folders left out, no duplicates")

	got, err = batch.Collect([]string{dir}, &batch.CollectOptions{NoRecursive: true})
	require.NoError(t, err)
	assert.Equal(t, []string{j("a.PNG"), j("b.jpg")}, got)

	got, err = batch.Collect([]string{"-"}, &batch.CollectOptions{Stdin: strings.NewReader(j("b.jpg") + "\n")})
	require.NoError(t, err)
	assert.Equal(t, []string{j("b.jpg")}, got)

	for _, args := range [][]string{{j("missing.png")}, {filepath.Join(dir, "*.gif")}} {
		_, err := batch.Collect(args, nil)
		assert.ErrorIs(t, err, batch.ErrInput, "%v", args)
	}
}

// A journal that cannot be read is the caller's input problem, named as
// such, before the model does any work.
func TestUnreadableJournal(t *testing.T) {
	e := toyEngine(t)
	_, paths := scenes(t, 1)
	_, err := batch.Run(context.Background(), e, paths, &batch.Options{Request: request(t, "en"), Journal: t.TempDir()})
	var je *batch.JournalError
	require.ErrorAs(t, err, &je)
	assert.ErrorIs(t, err, batch.ErrInput)
	_, err = batch.ParseExisting("sometimes")
	assert.ErrorIs(t, err, batch.ErrInput)
	_, err = batch.Run(context.Background(), e, paths, &batch.Options{Request: request(t, "en"), Journal: ""})
	assert.True(t, errors.Is(err, batch.ErrInput))
}
