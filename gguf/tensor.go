package gguf

import (
	"encoding/binary"
	"fmt"
)

// TensorInfo describes one tensor of a file: what the tensor-info table of
// a GGUF file holds.
//
// Shape is in ggml order: Shape[0] (ne0) is the innermost, fastest-varying
// dimension, the number of columns of a matrix. A linear layer that maps
// in to out features has Shape [in, out].
type TensorInfo struct {
	Name  string
	Type  TensorType
	Shape []uint64
	// Offset is where the tensor's data starts, relative to the start of
	// the file's data section; a multiple of the file's alignment.
	Offset uint64
}

// Elements is the number of values in the tensor.
func (ti TensorInfo) Elements() uint64 { return elements(ti.Shape) }

// Size is the number of bytes the tensor's data takes, without padding;
// 0 if the type's layout is unknown.
func (ti TensorInfo) Size() uint64 { return size(ti.Type, ti.Shape) }

func elements(shape []uint64) uint64 {
	n := uint64(1)
	for _, d := range shape {
		n *= d
	}
	return n
}

func size(t TensorType, shape []uint64) uint64 {
	if len(shape) == 0 || !t.Known() {
		return 0
	}
	rows := elements(shape[1:])
	return rows * uint64(t.RowSize(int(shape[0])))
}

// Tensor is a tensor to be written: its description and where its data
// comes from.
type Tensor struct {
	Name  string
	Type  TensorType
	Shape []uint64 // ggml order, see TensorInfo
	Data  Data
}

// Elements is the number of values in the tensor.
func (t *Tensor) Elements() uint64 { return elements(t.Shape) }

// Size is the number of bytes the tensor's data takes, without padding.
func (t *Tensor) Size() uint64 { return size(t.Type, t.Shape) }

// validate checks what gguf_init_from_file checks, so that a mistake shows
// here and not as a refused file later.
func (t *Tensor) validate() error {
	if t.Name == "" {
		return fmt.Errorf("empty tensor name")
	}
	if len(t.Name) > MaxNameLen {
		return fmt.Errorf("tensor name %q is %d bytes, more than ggml's %d", t.Name, len(t.Name), MaxNameLen)
	}
	if len(t.Shape) == 0 || len(t.Shape) > MaxDims {
		return fmt.Errorf("tensor %q has %d dimensions, want 1 to %d", t.Name, len(t.Shape), MaxDims)
	}
	for _, d := range t.Shape {
		if d == 0 {
			return fmt.Errorf("tensor %q has an empty dimension in shape %v", t.Name, t.Shape)
		}
	}
	if !t.Type.Known() {
		return fmt.Errorf("tensor %q has unknown type %v", t.Name, t.Type)
	}
	if bs := uint64(t.Type.BlockSize()); t.Shape[0]%bs != 0 {
		return fmt.Errorf("tensor %q: first dimension %d is not a multiple of the %v block size %d",
			t.Name, t.Shape[0], t.Type, bs)
	}
	if t.Data == nil {
		return fmt.Errorf("tensor %q has no data source", t.Name)
	}
	if _, raw := t.Data.(rawData); !raw && !t.Type.Encodable() {
		return fmt.Errorf("tensor %q: type %v can only be written from Raw bytes", t.Name, t.Type)
	}
	if err := t.Data.check(t); err != nil {
		return fmt.Errorf("tensor %q: %w", t.Name, err)
	}
	return nil
}

// appendTensorInfo appends one entry of the tensor-info table.
func appendTensorInfo(b []byte, ti TensorInfo) []byte {
	le := binary.LittleEndian
	b = appendString(b, ti.Name)
	b = le.AppendUint32(b, uint32(len(ti.Shape)))
	for _, d := range ti.Shape {
		b = le.AppendUint64(b, d)
	}
	b = le.AppendUint32(b, uint32(ti.Type))
	return le.AppendUint64(b, ti.Offset)
}

func alignUp(n, a uint64) uint64 { return (n + a - 1) / a * a }
