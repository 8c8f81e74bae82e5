package synth

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/capgen/capgen/gguf"
)

// WriteOptions control how files are written. The zero value, like a nil
// *WriteOptions, writes F32 weights with seed 0 and scale 0.02.
type WriteOptions struct {
	// Type is the element type of the text model's large weights: F32,
	// F16, BF16, Q8_0 or Q4_0. Norms and biases are always F32, as
	// llama.cpp expects; a matrix whose rows do not fill the type's blocks
	// falls back to F16.
	Type gguf.TensorType
	// VisionType is the same for the projector file. Conv kernels, position
	// embeddings and Gemma 3's input projection are never quantised
	// (clip.cpp has no quantised kernels for the ops that use them).
	VisionType gguf.TensorType
	// Seed seeds the random weights. Each tensor's values depend only on
	// the seed, the tensor's name and its shape, so two models that share
	// a tensor share its values.
	Seed uint64
	// Std is the standard deviation of random weights; 0 means 0.02, small
	// enough that activations stay finite through a randomly initialised
	// network. Norm scales are 1 and norm biases 0.
	Std float32
	// Weights, when set, supplies real values for tensors: it is asked for
	// each tensor by name and ggml shape, and returns its values in storage
	// order (see gguf.Values) or nil for random ones. It is called while
	// the file is written, one tensor at a time.
	Weights func(name string, shape []uint64) []float32
	// LayoutOnly writes each file's header and extends it to full size
	// without generating data (see gguf.Writer.WriteLayoutFile): for tests
	// of multi-gigabyte presets.
	LayoutOnly bool
	// Workers is how many goroutines generate and encode weights; 0 means
	// GOMAXPROCS.
	Workers int
	// Progress, if set, is called after each tensor with the file being
	// written and its data bytes written so far and in total.
	Progress func(path string, written, total uint64)
}

func (o *WriteOptions) orDefault() *WriteOptions {
	if o == nil {
		return &WriteOptions{}
	}
	return o
}

// FileNames are the names Write gives a pair's files: <name>-<type>.gguf
// for the text model and mmproj-<name>-<type>.gguf for the projector, the
// convention of published GGUF pairs.
func FileNames(p *Pair, opt *WriteOptions) (model, mmproj string) {
	opt = opt.orDefault()
	return fmt.Sprintf("%s-%v.gguf", p.Name, opt.Type), fmt.Sprintf("mmproj-%s-%v.gguf", p.Name, opt.VisionType)
}

// Write writes the text model and the projector of p into dir, creating
// it if needed, and returns their paths.
func Write(dir string, p Pair, opt *WriteOptions) (modelPath, mmprojPath string, err error) {
	if err := p.Validate(); err != nil {
		return "", "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", fmt.Errorf("synth: %w", err)
	}
	m, mm := FileNames(&p, opt)
	modelPath, mmprojPath = filepath.Join(dir, m), filepath.Join(dir, mm)
	if err := WriteText(modelPath, p.Text, opt); err != nil {
		return "", "", err
	}
	if err := WriteProjector(mmprojPath, p.Vision, opt); err != nil {
		return "", "", err
	}
	return modelPath, mmprojPath, nil
}

// WriteText writes a text model to path.
func WriteText(path string, c TextConfig, opt *WriteOptions) error {
	w, err := TextWriter(c, opt)
	if err != nil {
		return err
	}
	return finish(w, path, opt)
}

// WriteProjector writes an mmproj projector file to path.
func WriteProjector(path string, c VisionConfig, opt *WriteOptions) error {
	w, err := ProjectorWriter(c, opt)
	if err != nil {
		return err
	}
	return finish(w, path, opt)
}

func finish(w *gguf.Writer, path string, opt *WriteOptions) error {
	opt = opt.orDefault()
	if opt.LayoutOnly {
		return w.WriteLayoutFile(path)
	}
	if opt.Progress != nil {
		w.Progress = func(written, total uint64) { opt.Progress(path, written, total) }
	}
	return w.WriteFile(path)
}

// TextWriter returns a gguf.Writer holding a text model's metadata and
// tensors, ready to write; its Layout describes the file without
// generating any weights.
func TextWriter(c TextConfig, opt *WriteOptions) (*gguf.Writer, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	opt = opt.orDefault()
	return build(c.textKVs(), c.textTensors(), opt.Type, opt)
}

// ProjectorWriter is TextWriter for a projector.
func ProjectorWriter(c VisionConfig, opt *WriteOptions) (*gguf.Writer, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	opt = opt.orDefault()
	return build(c.visionKVs(), c.visionTensors(), opt.VisionType, opt)
}

func build(kvs []kv, specs []tensorSpec, typ gguf.TensorType, opt *WriteOptions) (*gguf.Writer, error) {
	switch typ {
	case gguf.F32, gguf.F16, gguf.BF16, gguf.Q8_0, gguf.Q4_0:
	default:
		return nil, fmt.Errorf("synth: cannot write weights of type %v", typ)
	}
	w := gguf.NewWriter()
	w.Workers = opt.Workers
	// general.architecture and general.name lead, as in converted files.
	kvs = append(kvs[:2:2], append([]kv{
		{"general.file_type", uint32(gguf.FileTypeOf(typ))},
		{"general.quantization_version", uint32(2)},
	}, kvs[2:]...)...)
	for _, p := range kvs {
		if err := w.Set(p.key, p.value); err != nil {
			return nil, fmt.Errorf("synth: %w", err)
		}
	}
	std := opt.Std
	if std == 0 {
		std = 0.02
	}
	for _, s := range specs {
		data := randomData(s, opt.Seed, std)
		if opt.Weights != nil && !opt.LayoutOnly {
			if v := opt.Weights(s.name, s.shape); v != nil {
				data = gguf.Values(v)
			}
		}
		if err := w.AddTensor(s.name, s.typeFor(typ), s.shape, data); err != nil {
			return nil, fmt.Errorf("synth: %w", err)
		}
	}
	return w, nil
}

// randomData generates a tensor's initial values row by row. Each row
// gets its own generator, seeded from the seed, the tensor's name and the
// row number, so rows can be generated in parallel and in any order and
// still give the same file.
func randomData(s tensorSpec, seed uint64, std float32) gguf.Data {
	switch s.init {
	case initOnes:
		return gguf.Rows(func(_ int, dst []float32) {
			for i := range dst {
				dst[i] = 1
			}
		})
	case initZeros:
		return gguf.Rows(func(_ int, dst []float32) { clear(dst) })
	}
	h := fnv.New64a()
	h.Write([]byte(s.name))
	key := h.Sum64() ^ seed*0x9e3779b97f4a7c15
	return gguf.Rows(func(row int, dst []float32) {
		r := rand.New(rand.NewPCG(key, uint64(row)))
		for i := range dst {
			dst[i] = float32(r.NormFloat64()) * std
		}
	})
}

// Params counts the parameters (tensor elements) of a pair's text model
// and projector, from the shapes alone.
func Params(p Pair) (text, vision uint64, err error) {
	if err := p.Validate(); err != nil {
		return 0, 0, err
	}
	count := func(specs []tensorSpec) uint64 {
		var n uint64
		for _, s := range specs {
			e := uint64(1)
			for _, d := range s.shape {
				e *= d
			}
			n += e
		}
		return n
	}
	return count(p.Text.textTensors()), count(p.Vision.visionTensors()), nil
}
