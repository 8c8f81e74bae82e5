package gguf

import (
	"fmt"
	"strings"
)

// Magic is the four bytes every GGUF file starts with.
const Magic = "GGUF"

// Version is the GGUF format version this package writes. Readers accept 2
// and 3: they differ from each other only in what v1 did differently.
const Version = 3

// DefaultAlignment is the tensor data alignment ggml assumes when a file
// carries no general.alignment key.
const DefaultAlignment = 32

// MaxNameLen is the longest tensor name ggml accepts (GGML_MAX_NAME less the
// terminating NUL): longer names make gguf_init_from_file fail.
const MaxNameLen = 63

// MaxDims is the most dimensions a ggml tensor can have.
const MaxDims = 4

// ValueType is the type tag of a metadata value.
type ValueType uint32

// Metadata value types, numbered as in ggml's gguf.h.
const (
	TypeUint8   ValueType = 0
	TypeInt8    ValueType = 1
	TypeUint16  ValueType = 2
	TypeInt16   ValueType = 3
	TypeUint32  ValueType = 4
	TypeInt32   ValueType = 5
	TypeFloat32 ValueType = 6
	TypeBool    ValueType = 7
	TypeString  ValueType = 8
	TypeArray   ValueType = 9
	TypeUint64  ValueType = 10
	TypeInt64   ValueType = 11
	TypeFloat64 ValueType = 12
)

var valueTypeNames = [...]string{
	"uint8", "int8", "uint16", "int16", "uint32", "int32", "float32",
	"bool", "string", "array", "uint64", "int64", "float64",
}

func (t ValueType) String() string {
	if int(t) < len(valueTypeNames) {
		return valueTypeNames[t]
	}
	return fmt.Sprintf("ValueType(%d)", uint32(t))
}

// size is the encoded size of one scalar of type t; 0 for string and array,
// whose size depends on the value.
func (t ValueType) size() int {
	switch t {
	case TypeUint8, TypeInt8, TypeBool:
		return 1
	case TypeUint16, TypeInt16:
		return 2
	case TypeUint32, TypeInt32, TypeFloat32:
		return 4
	case TypeUint64, TypeInt64, TypeFloat64:
		return 8
	}
	return 0
}

// TensorType is a ggml tensor element type (enum ggml_type).
type TensorType uint32

// Tensor types this package knows the block layout of. The numbers are
// ggml's; the types in between exist in ggml but are not written here.
const (
	F32  TensorType = 0
	F16  TensorType = 1
	Q4_0 TensorType = 2
	Q4_1 TensorType = 3
	Q5_0 TensorType = 6
	Q5_1 TensorType = 7
	Q8_0 TensorType = 8
	Q8_1 TensorType = 9
	Q2_K TensorType = 10
	Q3_K TensorType = 11
	Q4_K TensorType = 12
	Q5_K TensorType = 13
	Q6_K TensorType = 14
	Q8_K TensorType = 15
	I8   TensorType = 24
	I16  TensorType = 25
	I32  TensorType = 26
	I64  TensorType = 27
	F64  TensorType = 28
	BF16 TensorType = 30
)

// typeInfo is the block layout of a tensor type: blockSize elements are
// stored in typeSize bytes.
type typeInfo struct {
	name      string
	blockSize int
	typeSize  int
}

// typeInfos lists the layouts needed to size tensors of every type a reader
// may meet in common model files, so that ReadMetadata can compute data sizes;
// only F32, F16, BF16, Q8_0 and Q4_0 can be encoded by this package.
var typeInfos = map[TensorType]typeInfo{
	F32:  {"F32", 1, 4},
	F16:  {"F16", 1, 2},
	Q4_0: {"Q4_0", 32, 18},
	Q4_1: {"Q4_1", 32, 20},
	Q5_0: {"Q5_0", 32, 22},
	Q5_1: {"Q5_1", 32, 24},
	Q8_0: {"Q8_0", 32, 34},
	Q8_1: {"Q8_1", 32, 36},
	Q2_K: {"Q2_K", 256, 84},
	Q3_K: {"Q3_K", 256, 110},
	Q4_K: {"Q4_K", 256, 144},
	Q5_K: {"Q5_K", 256, 176},
	Q6_K: {"Q6_K", 256, 210},
	Q8_K: {"Q8_K", 256, 292},
	I8:   {"I8", 1, 1},
	I16:  {"I16", 1, 2},
	I32:  {"I32", 1, 4},
	I64:  {"I64", 1, 8},
	F64:  {"F64", 1, 8},
	BF16: {"BF16", 1, 2},
}

func (t TensorType) String() string {
	if ti, ok := typeInfos[t]; ok {
		return ti.name
	}
	return fmt.Sprintf("TensorType(%d)", uint32(t))
}

// BlockSize is the number of elements one block of t holds (1 for plain
// types, 32 for Q8_0 and Q4_0). A tensor's first dimension must be a
// multiple of it. It is 0 for a type this package does not know.
func (t TensorType) BlockSize() int { return typeInfos[t].blockSize }

// TypeSize is the number of bytes one block of t takes, 0 if t is unknown.
func (t TensorType) TypeSize() int { return typeInfos[t].typeSize }

// Known reports whether the block layout of t is known, so that sizes of
// tensors of this type can be computed.
func (t TensorType) Known() bool { _, ok := typeInfos[t]; return ok }

// Encodable reports whether this package can encode float32 values as t.
func (t TensorType) Encodable() bool {
	switch t {
	case F32, F16, BF16, Q8_0, Q4_0:
		return true
	}
	return false
}

// RowSize is the number of bytes a row of n elements of type t takes.
// n must be a multiple of t.BlockSize().
func (t TensorType) RowSize(n int) int {
	ti := typeInfos[t]
	if ti.blockSize == 0 {
		return 0
	}
	return n / ti.blockSize * ti.typeSize
}

// FileType is the value of general.file_type (enum llama_ftype): what most
// of the weights are stored as. llama.cpp only logs it.
type FileType uint32

// File types for the tensor types this package encodes.
const (
	FileTypeAllF32    FileType = 0
	FileTypeMostlyF16 FileType = 1
	FileTypeQ4_0      FileType = 2
	FileTypeQ8_0      FileType = 7
	FileTypeBF16      FileType = 32
)

// FileTypeOf gives the general.file_type value for files whose large
// weights are of type t.
func FileTypeOf(t TensorType) FileType {
	switch t {
	case F16:
		return FileTypeMostlyF16
	case Q4_0:
		return FileTypeQ4_0
	case Q8_0:
		return FileTypeQ8_0
	case BF16:
		return FileTypeBF16
	}
	return FileTypeAllF32
}

// ParseTensorType returns the tensor type with the given name ("F16",
// "q8_0", ...), ignoring case.
func ParseTensorType(name string) (TensorType, error) {
	for t, ti := range typeInfos {
		if strings.EqualFold(ti.name, name) {
			return t, nil
		}
	}
	return 0, fmt.Errorf("gguf: unknown tensor type %q", name)
}
