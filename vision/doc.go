// Package vision decodes and prepares images for vision-language models,
// in pure Go.
//
// llama.cpp's own loader (stb_image) reads only some formats, ignores
// EXIF orientation, so a phone photo held upright reaches the model on its
// side, and decodes images of any size. capgen therefore decodes and
// prepares every image here and hands llama packed RGB.
//
// A typical use, from file to what llama.cpp takes:
//
//	im, err := vision.Load("photo.jpg", nil) // upright, opaque RGB
//	if err != nil {
//		return err // names the file and what to do
//	}
//	small, err := vision.ResizeTokens(im, 28, 1024, vision.Lanczos)
//	if err != nil {
//		return err
//	}
//	rgb := small.RGB() // rgb.Pix, rgb.Width, rgb.Height; rgb.Hash() keys a cache
//
// # Decoding
//
// Load, Decode and DecodeBytes read JPEG (baseline, progressive, grayscale,
// CMYK and YCCK), PNG (8 and 16 bit, palette, gray, alpha), GIF (first
// frame), BMP, TIFF and WebP (lossy and lossless). The format is detected
// from the content, never the file name. The result is an *Image: upright
// (the EXIF orientation 1-8 from JPEG APP1, TIFF IFD0, PNG eXIf or the WebP
// EXIF chunk applied), opaque (alpha flattened onto Options.Background,
// white by default) and 8-bit RGB (16-bit samples rounded, CMYK converted,
// the video-range YCbCr of lossy WebP expanded to full range, which Go's
// image.YCbCr alone would not do).
//
// Before any pixel is decoded the file size is checked against
// Options.MaxFileBytes and the header's width x height against
// Options.MaxPixels (100 megapixels by default), so a huge or hostile file
// costs a header read. Corrupt or truncated input returns an error wrapping
// ErrCorrupt, never a panic. A nil *Options means defaults.
//
// # Coordinates
//
// Boxes (type Box) are in pixels of the original upright image, whatever
// the image at hand has been resized or cropped to: every *Image records
// the original size (OrigWidth, OrigHeight) and the Region of the original
// it shows. A model sees a View (a region at some pixel size) and answers
// in its own convention (BoxFormat): fractions, 0-1000 as Qwen2-VL and
// Qwen3-VL, or pixels of the resized input as Qwen2.5-VL. ToFormat and
// FromFormat convert between those and original pixels, so a box from a
// tile maps back onto the photo.
//
// # Preparing
//
// Resize, ResizeMax and ResizeTokens (with FitSide and FitTokens for the
// arithmetic) scale with a choice of Filter. Crop cuts a box with a
// context margin, the focal crop of region captioning; Grid and Pyramid
// cut overlapping tiles. Image.RGB gives the packed bytes llama.cpp takes
// and RGB.Hash a content hash for caching embeddings.
//
// # Errors
//
// Errors are *Error values naming the operation and file, with
// lower-case messages that say what to do; match them with errors.Is
// against ErrTooLarge, ErrFileTooLarge, ErrUnknownFormat, ErrUnsupported,
// ErrCorrupt, ErrEmptyBox, ErrBoxOutside and ErrInvalid.
//
// # Concurrency
//
// All functions are safe for concurrent use. An *Image is never modified
// after it is returned, so one image may be read, cropped and resized from
// many goroutines at once; the pixel slices behind Image.RGB are shared
// and must be treated as read-only.
//
// Large conversions and resizes split their rows across GOMAXPROCS
// goroutines.
package vision
