package sidecar

import (
	"path/filepath"
	"strings"
)

// TextOptions configures WriteText. A nil *TextOptions and the zero value
// mean one caption file per image, IMG.txt.
type TextOptions struct {
	// Lang, when not empty, names the file IMG.<Lang>.txt, for training
	// sets that keep one caption file per language. It must be a BCP-47 tag.
	Lang string
}

// TextPath returns the file name WriteText uses for imagePath: the image's
// name with its extension replaced, as kohya-ss and diffusers training
// scripts look it up.
func TextPath(imagePath string, opt *TextOptions) string {
	base := strings.TrimSuffix(imagePath, filepath.Ext(imagePath))
	if opt != nil && opt.Lang != "" {
		return base + "." + opt.Lang + ".txt"
	}
	return base + ".txt"
}

// WriteText writes text as the caption file of imagePath and returns the
// file's path. The text is written as given, in UTF-8 with no newline
// added, because training loaders take the whole file as the caption. The
// file is replaced atomically. WriteText is safe to call concurrently for
// different images.
func WriteText(imagePath, text string, opt *TextOptions) (path string, err error) {
	path = TextPath(imagePath, opt)
	if opt != nil && opt.Lang != "" {
		if err := checkLang(opt.Lang); err != nil {
			return "", &Error{Op: "WriteText", Path: path, Err: err}
		}
	}
	if err := writeAtomic(path, []byte(text)); err != nil {
		return "", &Error{Op: "WriteText", Path: path, Err: err}
	}
	return path, nil
}
