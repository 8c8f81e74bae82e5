package gguf

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// KeyAlignment is the metadata key that sets the alignment of tensor data.
const KeyAlignment = "general.alignment"

// Writer collects metadata and tensors and writes them as one GGUF v3 file.
//
// Metadata keys keep the order in which they were first set; tensors keep
// the order in which they were added, and their data is laid out in that
// order, each starting on the alignment boundary. Tensor data is pulled
// from its sources only while the file is written, so memory use does not
// grow with the size of the model.
//
// A Writer is not safe for concurrent use.
type Writer struct {
	kvs     []KV
	kvIndex map[string]int
	tensors []*Tensor
	names   map[string]bool

	// Workers is how many goroutines encode tensor rows in parallel while
	// writing; 0 means GOMAXPROCS.
	Workers int

	// Progress, if set, is called after each tensor's data is written with
	// the number of data bytes written so far and the total.
	Progress func(written, total uint64)
}

// NewWriter returns a Writer whose metadata starts with general.alignment
// set to DefaultAlignment: ggml would assume that value anyway, and writing
// it keeps every reader in agreement.
func NewWriter() *Writer {
	w := &Writer{kvIndex: map[string]int{}, names: map[string]bool{}}
	_ = w.Set(KeyAlignment, uint32(DefaultAlignment))
	return w
}

// Set sets a metadata value, replacing an earlier value of the same key in
// place. See KV for the Go types accepted.
func (w *Writer) Set(key string, value any) error {
	if key == "" {
		return errors.New("gguf: empty metadata key")
	}
	t, elem, err := typeOf(value)
	if err != nil {
		return fmt.Errorf("gguf: key %q: %w", key, err)
	}
	if key == KeyAlignment {
		a, ok := value.(uint32)
		if !ok || a == 0 || a&(a-1) != 0 {
			return fmt.Errorf("gguf: %s must be a uint32 power of two, got %v (%T)", KeyAlignment, value, value)
		}
	}
	kv := KV{Key: key, Type: t, Elem: elem, Value: value}
	if i, ok := w.kvIndex[key]; ok {
		w.kvs[i] = kv
		return nil
	}
	w.kvIndex[key] = len(w.kvs)
	w.kvs = append(w.kvs, kv)
	return nil
}

// Get returns the value set for key.
func (w *Writer) Get(key string) (any, bool) {
	i, ok := w.kvIndex[key]
	if !ok {
		return nil, false
	}
	return w.kvs[i].Value, true
}

// KVs returns the metadata set so far, in file order.
func (w *Writer) KVs() []KV { return append([]KV(nil), w.kvs...) }

// Alignment is the data alignment the file will use.
func (w *Writer) Alignment() uint64 {
	if v, ok := w.Get(KeyAlignment); ok {
		return uint64(v.(uint32))
	}
	return DefaultAlignment
}

// AddTensor adds a tensor. It checks everything ggml will check when it
// reads the file (name length, dimensions, block size, duplicates) and that
// the data source fits the shape.
func (w *Writer) AddTensor(name string, typ TensorType, shape []uint64, data Data) error {
	t := &Tensor{Name: name, Type: typ, Shape: append([]uint64(nil), shape...), Data: data}
	if err := t.validate(); err != nil {
		return fmt.Errorf("gguf: %w", err)
	}
	if w.names[name] {
		return fmt.Errorf("gguf: duplicate tensor %q", name)
	}
	w.names[name] = true
	w.tensors = append(w.tensors, t)
	return nil
}

// Layout is where everything goes in the file a Writer will write.
type Layout struct {
	// Tensors are the tensor-info entries, offsets filled in.
	Tensors []TensorInfo
	// DataOffset is the file offset of the data section: the size of the
	// header, KVs and tensor infos, padded to the alignment.
	DataOffset uint64
	// Size is the size of the whole file.
	Size uint64
}

// Params is the total number of tensor elements (model parameters).
func (l Layout) Params() uint64 {
	var n uint64
	for _, t := range l.Tensors {
		n += t.Elements()
	}
	return n
}

// Layout computes the file layout without touching any tensor data.
func (w *Writer) Layout() Layout {
	l, _ := w.layout()
	return l
}

func (w *Writer) layout() (Layout, []byte) {
	align := w.Alignment()
	var l Layout
	var off uint64
	for _, t := range w.tensors {
		l.Tensors = append(l.Tensors, TensorInfo{Name: t.Name, Type: t.Type, Shape: t.Shape, Offset: off})
		off = alignUp(off+t.Size(), align)
	}
	head := w.header(l.Tensors)
	l.DataOffset = alignUp(uint64(len(head)), align)
	l.Size = l.DataOffset + off
	return l, head
}

// header encodes everything before the data section.
func (w *Writer) header(tis []TensorInfo) []byte {
	le := binary.LittleEndian
	b := append([]byte(nil), Magic...)
	b = le.AppendUint32(b, Version)
	b = le.AppendUint64(b, uint64(len(tis)))
	b = le.AppendUint64(b, uint64(len(w.kvs)))
	for _, kv := range w.kvs {
		b = appendKV(b, kv)
	}
	for _, ti := range tis {
		b = appendTensorInfo(b, ti)
	}
	return b
}

// WriteTo writes the whole file to out, streaming tensor data from the
// sources. It implements io.WriterTo.
func (w *Writer) WriteTo(out io.Writer) (int64, error) {
	l, head := w.layout()
	bw := bufio.NewWriterSize(out, 1<<20)
	cw := &countWriter{w: bw}
	if _, err := cw.Write(head); err != nil {
		return cw.n, err
	}
	if err := cw.pad(l.DataOffset); err != nil {
		return cw.n, err
	}
	for i, t := range w.tensors {
		if err := w.writeData(cw, t); err != nil {
			return cw.n, fmt.Errorf("gguf: writing tensor %q: %w", t.Name, err)
		}
		end := l.Size
		if i+1 < len(w.tensors) {
			end = l.DataOffset + l.Tensors[i+1].Offset
		}
		if err := cw.pad(end); err != nil {
			return cw.n, err
		}
		if w.Progress != nil {
			w.Progress(uint64(cw.n)-l.DataOffset, l.Size-l.DataOffset)
		}
	}
	if err := bw.Flush(); err != nil {
		return cw.n, err
	}
	if uint64(cw.n) != l.Size {
		return cw.n, fmt.Errorf("gguf: wrote %d bytes, layout says %d", cw.n, l.Size)
	}
	return cw.n, nil
}

// WriteFile writes the file to path. It writes to a temporary file in the
// same directory and renames it into place, so that a failed or interrupted
// write never leaves a truncated model where a loader would find it.
func (w *Writer) WriteFile(path string) error {
	return writeAtomic(path, func(f *os.File) error {
		_, err := w.WriteTo(f)
		return err
	})
}

// WriteLayoutFile writes the header and tensor infos to path and extends
// the file to its full size without writing tensor data, which on most
// filesystems leaves a hole that takes no disk space. The result parses as
// a complete GGUF file of the right size whose every weight is zero. It is
// meant for testing layouts and metadata readers on multi-gigabyte models,
// not for running them.
func (w *Writer) WriteLayoutFile(path string) error {
	l, head := w.layout()
	return writeAtomic(path, func(f *os.File) error {
		if _, err := f.Write(head); err != nil {
			return err
		}
		return f.Truncate(int64(l.Size))
	})
}

func writeAtomic(path string, write func(*os.File) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("gguf: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	// CreateTemp makes the file private; a model is meant to be shared.
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("gguf: %w", err)
	}
	if err = write(f); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("gguf: %w", err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("gguf: %w", err)
	}
	return nil
}

// chunkBytes is about how much encoded data is produced between writes:
// large enough to keep all workers busy, small enough not to matter.
const chunkBytes = 4 << 20

func (w *Writer) writeData(out io.Writer, t *Tensor) error {
	var fill RowFunc
	switch d := t.Data.(type) {
	case rawData:
		_, err := out.Write(d)
		return err
	case valueData:
		ne0 := int(t.Shape[0])
		fill = func(i int, dst []float32) { copy(dst, d[i*ne0:(i+1)*ne0]) }
	case rowData:
		fill = d.fn
	default:
		return fmt.Errorf("unknown data source %T", t.Data)
	}

	ne0 := int(t.Shape[0])
	rowBytes := t.Type.RowSize(ne0)
	rows := int(elements(t.Shape[1:]))
	perChunk := max(1, chunkBytes/rowBytes)
	workers := w.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	buf := make([]byte, min(perChunk, rows)*rowBytes)
	scratch := make([][]float32, workers)
	for i := range scratch {
		scratch[i] = make([]float32, ne0)
	}

	for first := 0; first < rows; first += perChunk {
		n := min(perChunk, rows-first)
		chunk := buf[:n*rowBytes]
		// Rows are dealt out in stripes so every worker gets a share even
		// when a chunk holds only a few (large) rows.
		nw := min(workers, n)
		var wg sync.WaitGroup
		for k := 0; k < nw; k++ {
			wg.Add(1)
			go func(k int) {
				defer wg.Done()
				src := scratch[k]
				for r := k; r < n; r += nw {
					fill(first+r, src)
					encodeRow(chunk[r*rowBytes:(r+1)*rowBytes], t.Type, src)
				}
			}(k)
		}
		wg.Wait()
		if _, err := out.Write(chunk); err != nil {
			return err
		}
	}
	return nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

var zeros [256]byte

// pad writes zero bytes up to file offset end.
func (c *countWriter) pad(end uint64) error {
	for uint64(c.n) < end {
		k := min(uint64(len(zeros)), end-uint64(c.n))
		if _, err := c.Write(zeros[:k]); err != nil {
			return err
		}
	}
	return nil
}
