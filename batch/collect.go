package batch

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/capgen/capgen/caption"
)

// ErrInput is matched (errors.Is) by errors about the caller's input:
// paths, file lists, options, the journal.
var ErrInput = errors.New("bad input")

// inputError is an error about the caller's input, with a message of its
// own (the sentinel's text is not appended to it).
type inputError struct{ msg string }

func (e *inputError) Error() string        { return e.msg }
func (e *inputError) Is(target error) bool { return target == ErrInput }

// Class makes caption.ClassOf class it as the caller's input.
func (e *inputError) Class() caption.Class { return caption.ClassInput }

func inputf(format string, args ...any) error {
	return &inputError{msg: fmt.Sprintf(format, args...)}
}

// ImageExtensions are the extensions Collect picks up in folders; files
// named explicitly are tried whatever their extension (the format is
// detected by content).
var ImageExtensions = map[string]bool{".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".bmp": true, ".tif": true, ".tiff": true, ".webp": true}

// CollectOptions configures Collect.
type CollectOptions struct {
	// FilesFrom names a file with one path per line ("-": Stdin); blank
	// lines and lines starting with # are skipped.
	FilesFrom string
	// NoRecursive keeps to the named folders, without their sub-folders.
	NoRecursive bool
	// Stdin is read for "-" (an argument or FilesFrom).
	Stdin io.Reader
	// Skipped, if set, is told of files in folders that are left out
	// because they are not regular files (named pipes, devices, sockets).
	Skipped func(path, why string)
}

// Collect expands arguments (files, folders, globs, "-" for a list on
// Stdin) into image paths in a stable order, without duplicates. Folders
// are walked in lexical order, skipping hidden sub-folders.
func Collect(args []string, opt *CollectOptions) ([]string, error) {
	if opt == nil {
		opt = &CollectOptions{}
	}
	c := collector{opt: opt, seen: map[string]bool{}}
	if opt.FilesFrom != "" {
		if err := c.list(opt.FilesFrom); err != nil {
			return nil, err
		}
	}
	for _, a := range args {
		if a == "-" {
			if err := c.list("-"); err != nil {
				return nil, err
			}
			continue
		}
		paths := []string{a}
		if strings.ContainsAny(a, "*?[") {
			m, err := filepath.Glob(a)
			if err != nil {
				return nil, inputf("bad pattern %q: %v", a, err)
			}
			if len(m) == 0 {
				return nil, inputf("pattern %q matches no files", a)
			}
			paths = m
		}
		for _, p := range paths {
			if err := c.path(p); err != nil {
				return nil, err
			}
		}
	}
	return c.out, nil
}

type collector struct {
	opt  *CollectOptions
	seen map[string]bool
	out  []string
}

func (c *collector) add(p string) {
	if !c.seen[p] {
		c.seen[p] = true
		c.out = append(c.out, p)
	}
}

// list reads a file list ("-": Stdin).
func (c *collector) list(name string) error {
	r := c.opt.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return inputf("file list %s: %v", name, err)
		}
		defer f.Close()
		r = f
	} else if r == nil {
		return inputf("a file list on stdin (-), but no stdin")
	}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			c.add(line)
		}
	}
	if err := sc.Err(); err != nil {
		return inputf("reading the file list %s: %v", name, err)
	}
	return nil
}

// path adds a file, or the images of a folder.
func (c *collector) path(p string) error {
	st, err := os.Stat(p)
	if err != nil {
		return inputf("%v", err)
	}
	if !st.IsDir() {
		c.add(p)
		return nil
	}
	err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != p && (c.opt.NoRecursive || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !ImageExtensions[strings.ToLower(filepath.Ext(path))] {
			return nil
		}
		if !d.Type().IsRegular() {
			// A link is followed; anything else (a named pipe would
			// block the reader) is left out.
			st, err := os.Stat(path)
			if err != nil || !st.Mode().IsRegular() {
				mode := d.Type()
				if err == nil {
					mode = st.Mode()
				}
				c.skipped(path, mode, err)
				return nil
			}
		}
		c.add(path)
		return nil
	})
	if err != nil {
		return inputf("reading folder %s: %v", p, err)
	}
	return nil
}

func (c *collector) skipped(path string, mode fs.FileMode, err error) {
	if c.opt.Skipped == nil {
		return
	}
	why := "not a regular file"
	switch {
	case err != nil:
		why = err.Error()
	case mode&fs.ModeNamedPipe != 0:
		why = "a named pipe, not a file"
	case mode&fs.ModeSocket != 0:
		why = "a socket, not a file"
	case mode&fs.ModeDevice != 0:
		why = "a device, not a file"
	}
	c.opt.Skipped(path, why)
}
