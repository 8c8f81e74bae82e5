package gguf

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// File is the metadata of a GGUF file: everything but the tensor data.
type File struct {
	Version uint32
	KVs     []KV
	Tensors []TensorInfo
	// Alignment is the data alignment (general.alignment, or 32).
	Alignment uint64
	// DataOffset is the file offset where tensor data starts.
	DataOffset uint64
	// Size is the size of the file in bytes.
	Size uint64
}

// ErrFormat is wrapped by every error that says a file is not valid GGUF.
var ErrFormat = errors.New("not a valid GGUF file")

// ReadMetadata reads the header, metadata and tensor-info table of the GGUF
// file at path, without reading tensor data. It checks the file the way
// ggml does (version, sizes, alignment, contiguous offsets, data within the
// file), so a File it returns describes a file llama.cpp can at least open.
// Counts and lengths are checked against the file size before anything is
// allocated, so a corrupt or hostile file cannot make it allocate more
// than the file's size.
func ReadMetadata(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("gguf: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("gguf: %w", err)
	}
	gf, err := Read(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("gguf: %s: %w", path, err)
	}
	return gf, nil
}

// Read reads GGUF metadata from r, which holds a file of size bytes and is
// positioned at its start.
func Read(r io.Reader, size int64) (*File, error) {
	rd := &reader{r: bufio.NewReaderSize(r, 1<<16), left: size}
	gf := &File{Size: uint64(size), Alignment: DefaultAlignment}

	var magic [4]byte
	if err := rd.read(magic[:]); err != nil || string(magic[:]) != Magic {
		return nil, fmt.Errorf("%w: bad magic", ErrFormat)
	}
	gf.Version = rd.u32()
	if rd.err == nil && (gf.Version < 2 || gf.Version > Version) {
		return nil, fmt.Errorf("%w: unsupported version %d", ErrFormat, gf.Version)
	}
	nTensors := rd.u64()
	nKV := rd.u64()
	if rd.err != nil {
		return nil, rd.fail()
	}
	// Every KV takes at least 8+4 bytes and every tensor info at least
	// 8+4+8+4+8: more than the file can hold means a corrupt count.
	if nKV > uint64(rd.left)/12 || nTensors > uint64(rd.left)/32 {
		return nil, fmt.Errorf("%w: %d keys and %d tensors cannot fit in %d bytes", ErrFormat, nKV, nTensors, size)
	}

	seen := map[string]bool{}
	for i := uint64(0); i < nKV; i++ {
		kv := rd.kv()
		if rd.err != nil {
			return nil, rd.fail()
		}
		if seen[kv.Key] {
			return nil, fmt.Errorf("%w: duplicate key %q", ErrFormat, kv.Key)
		}
		seen[kv.Key] = true
		gf.KVs = append(gf.KVs, kv)
	}
	if kv, ok := gf.Get(KeyAlignment); ok {
		a, isU32 := kv.Value.(uint32)
		if !isU32 || a == 0 || a&(a-1) != 0 {
			return nil, fmt.Errorf("%w: %s is %v (%v), want a uint32 power of two", ErrFormat, KeyAlignment, kv.Value, kv.Type)
		}
		gf.Alignment = uint64(a)
	}

	names := map[string]bool{}
	var dataSize uint64
	for i := uint64(0); i < nTensors; i++ {
		ti := rd.tensorInfo()
		if rd.err != nil {
			return nil, rd.fail()
		}
		if names[ti.Name] {
			return nil, fmt.Errorf("%w: duplicate tensor %q", ErrFormat, ti.Name)
		}
		names[ti.Name] = true
		if !ti.Type.Known() {
			return nil, fmt.Errorf("%w: tensor %q has unknown type %d", ErrFormat, ti.Name, ti.Type)
		}
		if ti.Shape[0]%uint64(ti.Type.BlockSize()) != 0 {
			return nil, fmt.Errorf("%w: tensor %q: %d columns do not fill %v blocks", ErrFormat, ti.Name, ti.Shape[0], ti.Type)
		}
		if ti.Offset != dataSize {
			return nil, fmt.Errorf("%w: tensor %q at offset %d, want %d", ErrFormat, ti.Name, ti.Offset, dataSize)
		}
		dataSize = alignUp(dataSize+ti.Size(), gf.Alignment)
		gf.Tensors = append(gf.Tensors, ti)
	}
	headerEnd := uint64(size - rd.left)
	gf.DataOffset = alignUp(headerEnd, gf.Alignment)
	// The last tensor need not be padded: ggml reads only its bytes.
	if n := len(gf.Tensors); n > 0 {
		last := gf.Tensors[n-1]
		if end := gf.DataOffset + last.Offset + last.Size(); end > gf.Size {
			return nil, fmt.Errorf("%w: tensor data ends at %d, past the end of the file (%d bytes)", ErrFormat, end, gf.Size)
		}
	}
	return gf, nil
}

// Get returns the metadata pair with the given key.
func (f *File) Get(key string) (KV, bool) {
	for _, kv := range f.KVs {
		if kv.Key == key {
			return kv, true
		}
	}
	return KV{}, false
}

// String returns the string value of key; ok is false if the key is absent
// or not a string.
func (f *File) String(key string) (s string, ok bool) {
	kv, found := f.Get(key)
	if !found {
		return "", false
	}
	s, ok = kv.Value.(string)
	return s, ok
}

// Uint returns the value of an integer key of any integer type as uint64;
// ok is false if the key is absent, not an integer, or negative.
func (f *File) Uint(key string) (n uint64, ok bool) {
	kv, found := f.Get(key)
	if !found {
		return 0, false
	}
	switch v := kv.Value.(type) {
	case uint8:
		return uint64(v), true
	case uint16:
		return uint64(v), true
	case uint32:
		return uint64(v), true
	case uint64:
		return v, true
	case int8:
		return uint64(v), v >= 0
	case int16:
		return uint64(v), v >= 0
	case int32:
		return uint64(v), v >= 0
	case int64:
		return uint64(v), v >= 0
	}
	return 0, false
}

// Bool returns the value of a bool key.
func (f *File) Bool(key string) (v, ok bool) {
	kv, found := f.Get(key)
	if !found {
		return false, false
	}
	v, ok = kv.Value.(bool)
	return v, ok
}

// Float returns the value of a float32 or float64 key.
func (f *File) Float(key string) (float64, bool) {
	kv, found := f.Get(key)
	if !found {
		return 0, false
	}
	switch v := kv.Value.(type) {
	case float32:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

// Architecture is the value of general.architecture ("llama", "clip", ...).
func (f *File) Architecture() string {
	s, _ := f.String("general.architecture")
	return s
}

// Tensor returns the info of the named tensor.
func (f *File) Tensor(name string) (TensorInfo, bool) {
	for _, t := range f.Tensors {
		if t.Name == name {
			return t, true
		}
	}
	return TensorInfo{}, false
}

// Params is the total number of tensor elements.
func (f *File) Params() uint64 {
	var n uint64
	for _, t := range f.Tensors {
		n += t.Elements()
	}
	return n
}

// reader decodes little-endian GGUF fields, tracking how many bytes of the
// file remain so that no length read from the file is trusted beyond it.
// The first error sticks and later reads return zero values.
type reader struct {
	r    *bufio.Reader
	left int64
	err  error
	buf  [8]byte
}

func (rd *reader) fail() error {
	if errors.Is(rd.err, io.EOF) || errors.Is(rd.err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: truncated", ErrFormat)
	}
	return rd.err
}

func (rd *reader) read(p []byte) error {
	if rd.err != nil {
		return rd.err
	}
	if int64(len(p)) > rd.left {
		rd.err = fmt.Errorf("%w: field of %d bytes runs past the end of the file", ErrFormat, len(p))
		return rd.err
	}
	_, rd.err = io.ReadFull(rd.r, p)
	rd.left -= int64(len(p))
	return rd.err
}

func (rd *reader) u8() uint8 {
	rd.read(rd.buf[:1])
	return rd.buf[0]
}

func (rd *reader) u16() uint16 {
	rd.read(rd.buf[:2])
	return binary.LittleEndian.Uint16(rd.buf[:])
}

func (rd *reader) u32() uint32 {
	rd.read(rd.buf[:4])
	return binary.LittleEndian.Uint32(rd.buf[:])
}

func (rd *reader) u64() uint64 {
	rd.read(rd.buf[:8])
	return binary.LittleEndian.Uint64(rd.buf[:])
}

func (rd *reader) str() string {
	n := rd.u64()
	if rd.err != nil {
		return ""
	}
	if n > uint64(rd.left) {
		rd.err = fmt.Errorf("%w: string of %d bytes runs past the end of the file", ErrFormat, n)
		return ""
	}
	b := make([]byte, n)
	rd.read(b)
	return string(b)
}

func (rd *reader) kv() KV {
	kv := KV{Key: rd.str(), Type: ValueType(rd.u32())}
	if rd.err != nil {
		return kv
	}
	if kv.Type != TypeArray {
		kv.Value = rd.scalar(kv.Type)
		return kv
	}
	kv.Elem = ValueType(rd.u32())
	n := rd.u64()
	if rd.err != nil {
		return kv
	}
	// ggml refuses nested arrays, and so do we.
	minSize := uint64(kv.Elem.size())
	if kv.Elem == TypeString {
		minSize = 8
	}
	if minSize == 0 {
		rd.err = fmt.Errorf("%w: key %q is an array of %v", ErrFormat, kv.Key, kv.Elem)
		return kv
	}
	if n > uint64(rd.left)/minSize {
		rd.err = fmt.Errorf("%w: key %q: array of %d runs past the end of the file", ErrFormat, kv.Key, n)
		return kv
	}
	kv.Value = rd.array(kv.Elem, int(n))
	return kv
}

func (rd *reader) scalar(t ValueType) any {
	switch t {
	case TypeUint8:
		return rd.u8()
	case TypeInt8:
		return int8(rd.u8())
	case TypeUint16:
		return rd.u16()
	case TypeInt16:
		return int16(rd.u16())
	case TypeUint32:
		return rd.u32()
	case TypeInt32:
		return int32(rd.u32())
	case TypeFloat32:
		return math.Float32frombits(rd.u32())
	case TypeBool:
		return rd.u8() != 0
	case TypeString:
		return rd.str()
	case TypeUint64:
		return rd.u64()
	case TypeInt64:
		return int64(rd.u64())
	case TypeFloat64:
		return math.Float64frombits(rd.u64())
	}
	if rd.err == nil {
		rd.err = fmt.Errorf("%w: unknown value type %d", ErrFormat, uint32(t))
	}
	return nil
}

func (rd *reader) array(t ValueType, n int) any {
	switch t {
	case TypeUint8:
		return readN(rd, n, rd.u8)
	case TypeInt8:
		return readN(rd, n, func() int8 { return int8(rd.u8()) })
	case TypeUint16:
		return readN(rd, n, rd.u16)
	case TypeInt16:
		return readN(rd, n, func() int16 { return int16(rd.u16()) })
	case TypeUint32:
		return readN(rd, n, rd.u32)
	case TypeInt32:
		return readN(rd, n, func() int32 { return int32(rd.u32()) })
	case TypeFloat32:
		return readN(rd, n, func() float32 { return math.Float32frombits(rd.u32()) })
	case TypeBool:
		return readN(rd, n, func() bool { return rd.u8() != 0 })
	case TypeString:
		return readN(rd, n, rd.str)
	case TypeUint64:
		return readN(rd, n, rd.u64)
	case TypeInt64:
		return readN(rd, n, func() int64 { return int64(rd.u64()) })
	case TypeFloat64:
		return readN(rd, n, func() float64 { return math.Float64frombits(rd.u64()) })
	}
	rd.err = fmt.Errorf("%w: unknown array element type %d", ErrFormat, uint32(t))
	return nil
}

func readN[T any](rd *reader, n int, next func() T) []T {
	out := make([]T, 0, n)
	for i := 0; i < n && rd.err == nil; i++ {
		out = append(out, next())
	}
	return out
}

func (rd *reader) tensorInfo() TensorInfo {
	ti := TensorInfo{Name: rd.str()}
	if rd.err == nil && len(ti.Name) > MaxNameLen {
		rd.err = fmt.Errorf("%w: tensor name %q too long", ErrFormat, ti.Name)
	}
	nd := rd.u32()
	if rd.err == nil && (nd == 0 || nd > MaxDims) {
		rd.err = fmt.Errorf("%w: tensor %q has %d dimensions", ErrFormat, ti.Name, nd)
	}
	if rd.err != nil {
		return ti
	}
	ti.Shape = make([]uint64, nd)
	total := uint64(1)
	for i := range ti.Shape {
		d := rd.u64()
		ti.Shape[i] = d
		// Element counts beyond 2^63 overflow ggml's int64 arithmetic.
		if d == 0 || d > math.MaxInt64/total {
			if rd.err == nil {
				rd.err = fmt.Errorf("%w: tensor %q has bad shape", ErrFormat, ti.Name)
			}
			return ti
		}
		total *= d
	}
	ti.Type = TensorType(rd.u32())
	ti.Offset = rd.u64()
	return ti
}
