package toy

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/capgen/capgen"
	"github.com/capgen/capgen/models"
)

// ModelName is the model name (capgen --model toy) that stands for the toy
// model embedded in the capgen module.
const ModelName = "toy"

// Files writes the toy model embedded in the capgen module (the root
// package, which holds nothing but the weights) into the model cache, in
// a folder named after its content's hash so that a new toy model never
// mixes with an old one, on first use, and returns the paths of its text
// model and projector. A program that only wants the registry (package
// models) does not link the weights; one that imports toy does.
func Files() (model, mmproj string, err error) {
	h := sha256.New()
	h.Write(capgen.ToyModel)
	h.Write(capgen.ToyProjector)
	dir := filepath.Join(models.CacheDir(), "toy-"+hex.EncodeToString(h.Sum(nil))[:12])
	model = filepath.Join(dir, capgen.ToyModelFile)
	mmproj = filepath.Join(dir, capgen.ToyProjectorFile)
	files := []struct {
		path string
		data []byte
	}{{model, capgen.ToyModel}, {mmproj, capgen.ToyProjector}, {filepath.Join(dir, "manifest.json"), capgen.ToyManifest}}
	for _, f := range files {
		if st, err := os.Stat(f.path); err == nil && st.Size() == int64(len(f.data)) {
			continue
		}
		if err := writeAtomic(dir, f.path, f.data); err != nil {
			return "", "", fmt.Errorf("toy: %w", err)
		}
	}
	return model, mmproj, nil
}

// writeAtomic writes data under a temporary name and renames it into
// place, so a concurrent or interrupted first use never leaves a partial
// file.
func writeAtomic(dir, path string, data []byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".toy-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
