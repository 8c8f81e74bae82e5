package gguf

import "fmt"

// Data is where a tensor's contents come from when the file is written.
// Sources are consulted only then, one tensor at a time, so a file much
// larger than memory can be written from generator functions.
//
// Make one with Rows, Values or Raw.
type Data interface {
	// check validates the source against the tensor it is attached to.
	check(t *Tensor) error
}

// RowFunc fills dst with the values of row i of a tensor, where a row is
// Shape[0] consecutive elements and rows are numbered in storage order
// (i = i1 + i2*Shape[1] + i3*Shape[1]*Shape[2]). The writer converts each
// row to the tensor's type.
//
// A RowFunc may be called concurrently for different rows, and in any
// order: derive anything random from i rather than from shared state.
type RowFunc func(i int, dst []float32)

type rowData struct{ fn RowFunc }

func (d rowData) check(*Tensor) error {
	if d.fn == nil {
		return fmt.Errorf("nil RowFunc")
	}
	return nil
}

// Rows makes a data source that asks fn for one row of float32 values at a
// time and encodes it as the tensor's type.
func Rows(fn RowFunc) Data { return rowData{fn} }

type valueData []float32

func (d valueData) check(t *Tensor) error {
	if n := t.Elements(); uint64(len(d)) != n {
		return fmt.Errorf("%d values for a tensor of %d elements", len(d), n)
	}
	return nil
}

// Values makes a data source from all of a tensor's values, in storage
// order (Shape[0] varies fastest), encoded as the tensor's type when
// written. A PyTorch tensor of shape [out, in] in row-major order is already
// in this order for a ggml tensor of Shape [in, out]; a conv kernel
// [out, in, kh, kw] likewise for Shape [kw, kh, in, out].
func Values(v []float32) Data { return valueData(v) }

type rawData []byte

func (d rawData) check(t *Tensor) error {
	if n := t.Size(); uint64(len(d)) != n {
		return fmt.Errorf("%d bytes for a tensor of %d bytes", len(d), n)
	}
	return nil
}

// Raw makes a data source from bytes already encoded as the tensor's type;
// they are written as they are. This is the only source for types this
// package cannot encode.
func Raw(b []byte) Data { return rawData(b) }
