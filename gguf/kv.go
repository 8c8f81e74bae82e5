package gguf

import (
	"encoding/binary"
	"fmt"
	"math"
)

// KV is one metadata key-value pair.
//
// Value holds a Go value of the matching type: uint8, int8, uint16, int16,
// uint32, int32, float32, bool, string, uint64, int64 or float64 for a
// scalar, and a slice of one of those ([]string, []int32, []float32, ...)
// for an array, whose element type is Elem.
type KV struct {
	Key   string
	Type  ValueType
	Elem  ValueType // element type when Type is TypeArray
	Value any
}

// typeOf maps a Go value to its GGUF type. Plain int and uint are refused
// on purpose: llama.cpp asserts the exact stored type of most keys (uint32
// for sizes, int32 for token types), so the caller must say which it means.
func typeOf(v any) (t, elem ValueType, err error) {
	switch v.(type) {
	case uint8:
		return TypeUint8, 0, nil
	case int8:
		return TypeInt8, 0, nil
	case uint16:
		return TypeUint16, 0, nil
	case int16:
		return TypeInt16, 0, nil
	case uint32:
		return TypeUint32, 0, nil
	case int32:
		return TypeInt32, 0, nil
	case float32:
		return TypeFloat32, 0, nil
	case bool:
		return TypeBool, 0, nil
	case string:
		return TypeString, 0, nil
	case uint64:
		return TypeUint64, 0, nil
	case int64:
		return TypeInt64, 0, nil
	case float64:
		return TypeFloat64, 0, nil
	case []uint8:
		return TypeArray, TypeUint8, nil
	case []int8:
		return TypeArray, TypeInt8, nil
	case []uint16:
		return TypeArray, TypeUint16, nil
	case []int16:
		return TypeArray, TypeInt16, nil
	case []uint32:
		return TypeArray, TypeUint32, nil
	case []int32:
		return TypeArray, TypeInt32, nil
	case []float32:
		return TypeArray, TypeFloat32, nil
	case []bool:
		return TypeArray, TypeBool, nil
	case []string:
		return TypeArray, TypeString, nil
	case []uint64:
		return TypeArray, TypeUint64, nil
	case []int64:
		return TypeArray, TypeInt64, nil
	case []float64:
		return TypeArray, TypeFloat64, nil
	}
	return 0, 0, fmt.Errorf("unsupported metadata value type %T (use a sized type such as uint32 or []int32)", v)
}

// appendString appends a GGUF string: uint64 length, then the bytes.
func appendString(b []byte, s string) []byte {
	b = binary.LittleEndian.AppendUint64(b, uint64(len(s)))
	return append(b, s...)
}

// appendKV appends the encoding of kv to b. kv must have come from typeOf.
func appendKV(b []byte, kv KV) []byte {
	le := binary.LittleEndian
	b = appendString(b, kv.Key)
	b = le.AppendUint32(b, uint32(kv.Type))
	if kv.Type == TypeArray {
		b = le.AppendUint32(b, uint32(kv.Elem))
	}
	switch v := kv.Value.(type) {
	case uint8:
		b = append(b, v)
	case int8:
		b = append(b, byte(v))
	case uint16:
		b = le.AppendUint16(b, v)
	case int16:
		b = le.AppendUint16(b, uint16(v))
	case uint32:
		b = le.AppendUint32(b, v)
	case int32:
		b = le.AppendUint32(b, uint32(v))
	case float32:
		b = le.AppendUint32(b, math.Float32bits(v))
	case bool:
		b = append(b, boolByte(v))
	case string:
		b = appendString(b, v)
	case uint64:
		b = le.AppendUint64(b, v)
	case int64:
		b = le.AppendUint64(b, uint64(v))
	case float64:
		b = le.AppendUint64(b, math.Float64bits(v))
	case []uint8:
		b = le.AppendUint64(b, uint64(len(v)))
		b = append(b, v...)
	case []int8:
		b = le.AppendUint64(b, uint64(len(v)))
		for _, x := range v {
			b = append(b, byte(x))
		}
	case []uint16:
		b = le.AppendUint64(b, uint64(len(v)))
		for _, x := range v {
			b = le.AppendUint16(b, x)
		}
	case []int16:
		b = le.AppendUint64(b, uint64(len(v)))
		for _, x := range v {
			b = le.AppendUint16(b, uint16(x))
		}
	case []uint32:
		b = le.AppendUint64(b, uint64(len(v)))
		for _, x := range v {
			b = le.AppendUint32(b, x)
		}
	case []int32:
		b = le.AppendUint64(b, uint64(len(v)))
		for _, x := range v {
			b = le.AppendUint32(b, uint32(x))
		}
	case []float32:
		b = le.AppendUint64(b, uint64(len(v)))
		for _, x := range v {
			b = le.AppendUint32(b, math.Float32bits(x))
		}
	case []bool:
		b = le.AppendUint64(b, uint64(len(v)))
		for _, x := range v {
			b = append(b, boolByte(x))
		}
	case []string:
		b = le.AppendUint64(b, uint64(len(v)))
		for _, x := range v {
			b = appendString(b, x)
		}
	case []uint64:
		b = le.AppendUint64(b, uint64(len(v)))
		for _, x := range v {
			b = le.AppendUint64(b, x)
		}
	case []int64:
		b = le.AppendUint64(b, uint64(len(v)))
		for _, x := range v {
			b = le.AppendUint64(b, uint64(x))
		}
	case []float64:
		b = le.AppendUint64(b, uint64(len(v)))
		for _, x := range v {
			b = le.AppendUint64(b, math.Float64bits(x))
		}
	}
	return b
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}
