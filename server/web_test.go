package server_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// browser starts headless Chromium (Debian's package; .ci/run installs it).
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is missing: apt-get install chromium (.ci/run does)")
		}
		t.Skip("chromium is not installed (apt-get install chromium); CI runs this test")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.WindowSize(1280, 1000), chromedp.Flag("headless", "new"))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancel3)
	return ctx
}

// The web page in a real browser: upload testdata/scene.png, ask for
// German and Japanese, read the captions and their verdicts from the page;
// then drag a box on the picture and caption the region. A screenshot goes
// to build/artifacts (or $CAPGEN_ARTIFACTS).
func TestWebPageInBrowser(t *testing.T) {
	_, hs := serve(t, nil)
	ctx := browser(t)
	scene, err := filepath.Abs(filepath.Join("..", "testdata", "scene.png"))
	require.NoError(t, err)

	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	text := func(sel string) string {
		v, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
		require.NoError(t, err, sel)
		return strings.TrimSpace(v)
	}
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(hs.URL+"/"),
		chromedp.WaitVisible(css("#drop")),
		chromedp.SetUploadFiles(css("#files"), []string{scene}),
		chromedp.SetValue(css("#langs"), "de,ja"),
		chromedp.WaitEnabled(css("#run")),
		chromedp.Click(css("#run")),
		chromedp.WaitVisible(css(`body[data-done="1"]`)),
	))
	assert.Equal(t, sceneDE, text(`.caption[data-lang="de"] .text`))
	assert.Equal(t, "左上に黄色い三角形、左下に緑の星、右下に青い三角形があります。", text(`.caption[data-lang="ja"] .text`))
	verdict, err := chromedp.Run(ctx, chromedp.AttributeValue(css(`.caption[data-lang="de"] .verdict`), "data-status"))
	require.NoError(t, err)
	assert.Equal(t, "ok", verdict.Value)
	assert.Contains(t, text("#model"), "capgen-toy")

	// Regions: drag over the top-left quadrant (the yellow triangle).
	require.NoError(t, chromedp.Do(ctx, chromedp.SetValue(css("#mode"), "regions")))
	r, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const r = document.querySelector(".card canvas").getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`))
	require.NoError(t, err)
	require.Len(t, r, 4)
	x0, y0, x1, y1 := r[0]+r[2]*0.02, r[1]+r[3]*0.02, r[0]+r[2]*0.48, r[1]+r[3]*0.48
	require.NoError(t, chromedp.Do(ctx,
		chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, x0, y0, chromedp.ButtonLeft, chromedp.ClickCount(1)),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, (x0+x1)/2, (y0+y1)/2, chromedp.ButtonLeft),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, x1, y1, chromedp.ButtonLeft, chromedp.ClickCount(1)),
		chromedp.Click(css("#run")),
		chromedp.WaitVisible(css(`body[data-done="2"]`)),
	))
	assert.Equal(t, "Ein gelbes Dreieck.", text(`.caption[data-lang="de"] .text`))
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)

	dir := os.Getenv("CAPGEN_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "build", "artifacts")
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	out := filepath.Join(dir, "serve-web-page.png")
	require.NoError(t, os.WriteFile(out, shot, 0o644))
	t.Logf("screenshot: %s", out)
}
