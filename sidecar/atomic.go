package sidecar

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// writeAtomic replaces path with data so that a reader (or a crash) sees
// either the old file or the complete new one: the bytes go to a temporary
// file in the same folder (rename is only atomic within one file system),
// which is fsync'ed and renamed over path; the folder is fsync'ed so that
// the rename itself survives a crash. An existing file keeps its mode.
func writeAtomic(path string, data []byte) (err error) {
	mode := fs.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Chmod(mode); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir flushes a folder's entries. It is best effort: some systems
// (Windows, some network file systems) cannot open or sync a folder, and
// the file itself is already durable.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}
