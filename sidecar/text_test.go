package sidecar

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteText(t *testing.T) {
	dir := t.TempDir()
	img := filepath.Join(dir, "0001.png")
	tests := []struct {
		opt  *TextOptions
		text string
		name string
	}{
		{nil, "a red boat, pier, sunset", "0001.txt"},
		{&TextOptions{Lang: "de"}, "ein rotes Boot, Steg, Sonnenuntergang", "0001.de.txt"},
		{&TextOptions{Lang: "ar"}, "قارب أحمر 🚤 & <رصيف>", "0001.ar.txt"},
		{nil, "overwritten: shorter", "0001.txt"},
	}
	for _, tt := range tests {
		path, err := WriteText(img, tt.text, tt.opt)
		if err != nil {
			t.Fatal(err)
		}
		if path != filepath.Join(dir, tt.name) {
			t.Errorf("path = %q, want %q", path, tt.name)
		}
		if data, err := os.ReadFile(path); err != nil || string(data) != tt.text {
			t.Errorf("%s holds %q (%v), want %q", tt.name, data, err, tt.text)
		}
	}
	noTempFiles(t, dir, "0001.txt", "0001.de.txt", "0001.ar.txt")

	_, err := WriteText(img, "x", &TextOptions{Lang: "de/../../etc"})
	var e *Error
	if !errors.Is(err, ErrInvalid) || !errors.As(err, &e) || e.Op != "WriteText" {
		t.Errorf("bad language: err = %v, want a *Error wrapping ErrInvalid", err)
	}
	if _, err := WriteText(filepath.Join(dir, "missing", "x.png"), "x", nil); err == nil {
		t.Error("writing into a missing folder succeeded")
	}
	noTempFiles(t, dir, "0001.txt", "0001.de.txt", "0001.ar.txt")
}
