package vision

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"strings"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"
)

// Formats lists the formats Decode accepts, by the names Image.Format uses.
// Treat it as read-only.
var Formats = []string{"jpeg", "png", "gif", "bmp", "tiff", "webp"}

type codec struct {
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}

// The codecs are called directly rather than through image.Decode so that
// formats registered by other imports cannot change what this package
// accepts, and so that detection stays by content only.
var codecs = map[string]codec{
	"jpeg": {jpeg.DecodeConfig, jpeg.Decode},
	"png":  {png.DecodeConfig, png.Decode},
	"gif":  {gif.DecodeConfig, gif.Decode},
	"bmp":  {bmp.DecodeConfig, bmp.Decode},
	"tiff": {tiff.DecodeConfig, tiff.Decode},
	"webp": {webp.DecodeConfig, webp.Decode},
}

// sniff names the format from the first bytes of the content.
func sniff(h []byte) string {
	switch {
	case bytes.HasPrefix(h, []byte("\xff\xd8\xff")):
		return "jpeg"
	case bytes.HasPrefix(h, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(h, []byte("GIF87a")), bytes.HasPrefix(h, []byte("GIF89a")):
		return "gif"
	case bytes.HasPrefix(h, []byte("BM")):
		return "bmp"
	case bytes.HasPrefix(h, []byte("II*\x00")), bytes.HasPrefix(h, []byte("MM\x00*")):
		return "tiff"
	case len(h) >= 12 && string(h[:4]) == "RIFF" && string(h[8:12]) == "WEBP":
		return "webp"
	}
	return ""
}

// Info is what Probe reads from a file's header.
type Info struct {
	Format string
	// Width and Height are upright: swapped already for orientations 5-8
	// unless Options.NoAutoOrient.
	Width, Height int
	Orientation   int
}

// Probe reads the format, size and orientation of an image file without
// decoding its pixels, applying the same file-size guard as Load. It does
// not apply MaxPixels, so that callers can report the size of a file that
// Load would refuse.
func Probe(path string, opt *Options) (Info, error) {
	s := opt.settings()
	f, size, err := openFile(path, s)
	if err != nil {
		return Info{}, err
	}
	defer f.Close()
	info, _, err := probe("probe", f, size, s, path)
	return info, err
}

// Load reads and decodes an image file. The format is detected from the
// content; the extension is ignored.
func Load(path string, opt *Options) (*Image, error) {
	s := opt.settings()
	f, size, err := openFile(path, s)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if size < 0 {
		// Not a regular file (a pipe, /dev/stdin): no random access.
		return decodeStream("load", f, s, path)
	}
	return decodeAt("load", f, size, s, path)
}

// Decode reads all of r (at most Options.MaxFileBytes) and decodes it.
func Decode(r io.Reader, opt *Options) (*Image, error) {
	s := opt.settings()
	return decodeStream("decode", r, s, s.name)
}

// DecodeBytes decodes an image held in memory. b is not retained.
func DecodeBytes(b []byte, opt *Options) (*Image, error) {
	s := opt.settings()
	if err := checkFileSize("decode", s.name, int64(len(b)), s); err != nil {
		return nil, err
	}
	return decodeAt("decode", bytes.NewReader(b), int64(len(b)), s, s.name)
}

// openFile opens path and checks its size; size is -1 for files that are
// not regular.
func openFile(path string, s settings) (*os.File, int64, error) {
	flag := os.O_RDONLY
	if st, err := os.Stat(path); err == nil && st.Mode()&os.ModeNamedPipe != 0 {
		// Opening a named pipe waits for a writer, for ever if none comes;
		// without blocking, a pipe that has one (bash's <(...)) is read
		// as usual and one that has none reads as empty at once.
		flag |= openNonblock
	}
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		return nil, 0, &Error{Op: "load", Path: path, Err: err}
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, &Error{Op: "load", Path: path, Err: err}
	}
	if st.IsDir() {
		f.Close()
		return nil, 0, newError("load", path, ErrInvalid, "is a directory, not an image file")
	}
	if !st.Mode().IsRegular() {
		return f, -1, nil
	}
	if err := checkFileSize("load", path, st.Size(), s); err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

// CheckFileSize fails with ErrFileTooLarge when a file of n bytes is
// above opt's MaxFileBytes: a caller that reads files itself checks before
// reading, as Load does.
func CheckFileSize(name string, n int64, opt *Options) error {
	return checkFileSize("vision.CheckFileSize", name, n, opt.settings())
}

func checkFileSize(op, name string, n int64, s settings) error {
	if s.maxFileBytes > 0 && n > s.maxFileBytes {
		return newError(op, name, ErrFileTooLarge, "file of %s, above the limit of %s (raise --max-file-size)",
			humanBytes(n), humanBytes(s.maxFileBytes))
	}
	return nil
}

func decodeStream(op string, r io.Reader, s settings, name string) (*Image, error) {
	lr := r
	if s.maxFileBytes > 0 {
		lr = io.LimitReader(r, s.maxFileBytes+1)
	}
	b, err := io.ReadAll(lr)
	if err != nil {
		return nil, &Error{Op: op, Path: name, Err: err}
	}
	if s.maxFileBytes > 0 && int64(len(b)) > s.maxFileBytes {
		return nil, newError(op, name, ErrFileTooLarge, "more than %s, the limit (raise --max-file-size)",
			humanBytes(s.maxFileBytes))
	}
	return decodeAt(op, bytes.NewReader(b), int64(len(b)), s, name)
}

// probe detects the format and reads the header: everything that is known
// before the pixels are decoded.
func probe(op string, r io.ReaderAt, size int64, s settings, name string) (Info, image.Config, error) {
	var head [16]byte
	n, _ := r.ReadAt(head[:], 0)
	format := sniff(head[:n])
	if format == "" {
		if size == 0 {
			return Info{}, image.Config{}, newError(op, name, ErrCorrupt, "file is empty")
		}
		return Info{}, image.Config{}, newError(op, name, ErrUnknownFormat,
			"unknown image format (supported: %s)", strings.Join(Formats, ", "))
	}
	c := codecs[format]
	var cfg image.Config
	err := guard(func() (err error) {
		cfg, err = c.config(bufferedSection(r, size))
		return err
	})
	if err != nil {
		return Info{}, cfg, decodeError(op, name, format, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return Info{}, cfg, newError(op, name, ErrCorrupt, "%s header gives no pixels (%dx%d)", format, cfg.Width, cfg.Height)
	}
	info := Info{Format: format, Width: cfg.Width, Height: cfg.Height}
	info.Orientation = readOrientation(format, r, size)
	if s.orient && info.Orientation >= 5 {
		info.Width, info.Height = info.Height, info.Width
	}
	return info, cfg, nil
}

func decodeAt(op string, r io.ReaderAt, size int64, s settings, name string) (*Image, error) {
	info, cfg, err := probe(op, r, size, s, name)
	if err != nil {
		return nil, err
	}
	if err := checkPixels(op, name, cfg.Width, cfg.Height, s); err != nil {
		return nil, err
	}
	c := codecs[info.Format]
	var m image.Image
	err = guard(func() (err error) {
		var src io.Reader = bufferedSection(r, size)
		if info.Format == "tiff" {
			// The TIFF decoder seeks by itself when given an io.ReaderAt
			// and would otherwise read the whole file into memory.
			src = io.NewSectionReader(r, 0, size)
		}
		m, err = c.decode(src)
		return err
	})
	if err != nil {
		return nil, decodeError(op, name, info.Format, err)
	}
	// A decoder disagreeing with its own header is a damaged file, and the
	// check keeps the pixel guard honest. GIF frames may be smaller than
	// the screen the header gives; gifCanvas handles them.
	if b := m.Bounds(); info.Format != "gif" && (b.Dx() != cfg.Width || b.Dy() != cfg.Height) {
		return nil, newError(op, name, ErrCorrupt, "%s header says %dx%d but the data holds %dx%d",
			info.Format, cfg.Width, cfg.Height, b.Dx(), b.Dy())
	}
	orient := 1
	if s.orient {
		orient = info.Orientation
	}
	var rgb RGB
	if info.Format == "gif" {
		rgb = gifCanvas(m, cfg.Width, cfg.Height, s.bg)
	} else {
		f := reduceFactor(cfg.Width, cfg.Height, s.reduceTo)
		rgb = toRGBReduced(m, orient, s.bg, info.Format == "webp", f)
	}
	// The upright full size, which boxes are given in.
	ow, oh := cfg.Width, cfg.Height
	if info.Format == "gif" {
		ow, oh = rgb.Width, rgb.Height
	} else if orient >= 5 {
		ow, oh = oh, ow
	}
	return &Image{
		Format:      info.Format,
		Source:      name,
		Orientation: info.Orientation,
		OrigWidth:   ow,
		OrigHeight:  oh,
		Region:      Box{0, 0, float64(ow), float64(oh)},
		rgb:         rgb,
	}, nil
}

func checkPixels(op, name string, w, h int, s settings) error {
	px := int64(w) * int64(h)
	if s.maxPixels > 0 && px > s.maxPixels {
		return newError(op, name, ErrTooLarge, "%.1f megapixels (%dx%d), above the limit of %.1f (raise --max-pixels)",
			float64(px)/1e6, w, h, float64(s.maxPixels)/1e6)
	}
	return nil
}

// gifCanvas places the first frame, which may be smaller than the logical
// screen, on a canvas of the screen size filled with the background.
func gifCanvas(m image.Image, w, h int, bg [3]uint16) RGB {
	frame := toRGB(m, 1, bg, false)
	fb := m.Bounds()
	if fb == image.Rect(0, 0, w, h) {
		return frame
	}
	pix := make([]byte, 3*w*h)
	for i := 0; i < len(pix); i += 3 {
		pix[i], pix[i+1], pix[i+2] = uint8(bg[0]>>8), uint8(bg[1]>>8), uint8(bg[2]>>8)
	}
	fb = fb.Intersect(image.Rect(0, 0, w, h))
	for y := fb.Min.Y; y < fb.Max.Y; y++ {
		src := frame.Pix[3*(y-m.Bounds().Min.Y)*frame.Width:]
		src = src[3*(fb.Min.X-m.Bounds().Min.X):]
		copy(pix[3*(y*w+fb.Min.X):3*(y*w+fb.Max.X)], src)
	}
	return RGB{Pix: pix, Width: w, Height: h}
}

func bufferedSection(r io.ReaderAt, size int64) io.Reader {
	return bufio.NewReaderSize(io.NewSectionReader(r, 0, size), 64<<10)
}

// errPanic marks a decoder that panicked on malformed input.
var errPanic = errors.New("decoder failed on malformed data")

// guard turns a panic inside a third-party decoder into an error: the
// last line of defence for inputs the decoders' own checks miss.
func guard(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %v", errPanic, p)
		}
	}()
	return fn()
}

func decodeError(op, name, format string, err error) error {
	var (
		jpegUnsupported jpeg.UnsupportedError
		pngUnsupported  png.UnsupportedError
		tiffUnsupported tiff.UnsupportedError
	)
	switch {
	case errors.As(err, &jpegUnsupported), errors.As(err, &pngUnsupported),
		errors.As(err, &tiffUnsupported), errors.Is(err, bmp.ErrUnsupported),
		strings.Contains(err.Error(), "unsupported"):
		return wrapError(op, name, ErrUnsupported, err,
			"this %s variant is not supported (%v); convert the file to PNG", format, err)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return wrapError(op, name, ErrCorrupt, err,
			"%s data ends early, the file is truncated; copy or download it again", format)
	}
	return wrapError(op, name, ErrCorrupt, err,
		"corrupt %s data (%v); check that the file opens in an image viewer", format, err)
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
