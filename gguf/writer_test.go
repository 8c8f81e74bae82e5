package gguf

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	parser "github.com/gpustack/gguf-parser-go"
)

// sampleKVs covers every scalar and array type.
var sampleKVs = []KV{
	{Key: "general.architecture", Value: "llama"},
	{Key: "t.u8", Value: uint8(200)},
	{Key: "t.i8", Value: int8(-100)},
	{Key: "t.u16", Value: uint16(60000)},
	{Key: "t.i16", Value: int16(-30000)},
	{Key: "t.u32", Value: uint32(4_000_000_000)},
	{Key: "t.i32", Value: int32(-2_000_000_000)},
	{Key: "t.f32", Value: float32(1.5e-6)},
	{Key: "t.bool", Value: true},
	{Key: "t.str", Value: "héllo\n▁world"},
	{Key: "t.u64", Value: uint64(1 << 60)},
	{Key: "t.i64", Value: int64(-1 << 60)},
	{Key: "t.f64", Value: 2.718281828459045},
	{Key: "t.arr.u8", Value: []uint8{1, 2, 255}},
	{Key: "t.arr.i8", Value: []int8{-1, 0, 1}},
	{Key: "t.arr.u16", Value: []uint16{1, 65535}},
	{Key: "t.arr.i16", Value: []int16{-32768, 32767}},
	{Key: "t.arr.u32", Value: []uint32{7, 8}},
	{Key: "t.arr.i32", Value: []int32{16, 24, 24, 0}},
	{Key: "t.arr.f32", Value: []float32{0.5, 0.25, 0.125}},
	{Key: "t.arr.bool", Value: []bool{true, false}},
	{Key: "t.arr.str", Value: []string{"<unk>", "<0x0A>", "▁the", ""}},
	{Key: "t.arr.u64", Value: []uint64{1 << 40}},
	{Key: "t.arr.i64", Value: []int64{-1 << 40}},
	{Key: "t.arr.f64", Value: []float64{math.Pi}},
	{Key: "t.arr.empty", Value: []float32{}},
}

type sampleTensor struct {
	name  string
	typ   TensorType
	shape []uint64
}

var sampleTensors = []sampleTensor{
	{"a.f32", F32, []uint64{5}},
	{"b.f16", F16, []uint64{7, 3}},
	{"c.bf16", BF16, []uint64{4, 2, 3}},
	{"d.q8_0", Q8_0, []uint64{64, 5}},
	{"e.q4_0", Q4_0, []uint64{32, 3, 2, 2}},
}

func sampleValues(n uint64, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 0))
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return v
}

// buildSample makes a writer holding every KV type and every encodable
// tensor type, plus one raw tensor, and returns the values behind each
// tensor.
func buildSample(t *testing.T) (*Writer, map[string][]float32) {
	t.Helper()
	w := NewWriter()
	for _, kv := range sampleKVs {
		if err := w.Set(kv.Key, kv.Value); err != nil {
			t.Fatal(err)
		}
	}
	values := map[string][]float32{}
	for i, st := range sampleTensors {
		v := sampleValues(elements(st.shape), uint64(i))
		values[st.name] = v
		var data Data = Values(v)
		if i%2 == 1 { // exercise the row source too
			ne0 := int(st.shape[0])
			data = Rows(func(r int, dst []float32) { copy(dst, v[r*ne0:]) })
		}
		if err := w.AddTensor(st.name, st.typ, st.shape, data); err != nil {
			t.Fatal(err)
		}
	}
	raw, _ := EncodeRow(nil, F16, []float32{1, 2, 3})
	if err := w.AddTensor("f.raw", F16, []uint64{3}, Raw(raw)); err != nil {
		t.Fatal(err)
	}
	values["f.raw"] = []float32{1, 2, 3}
	return w, values
}

func TestWriteReadBack(t *testing.T) {
	w, values := buildSample(t)
	path := filepath.Join(t.TempDir(), "sample.gguf")
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	layout := w.Layout()
	st, _ := os.Stat(path)
	if uint64(st.Size()) != layout.Size {
		t.Fatalf("file is %d bytes, layout says %d", st.Size(), layout.Size)
	}

	f, err := ReadMetadata(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Version != 3 || f.Alignment != 32 || f.DataOffset != layout.DataOffset {
		t.Errorf("version %d alignment %d data offset %d; want 3, 32, %d", f.Version, f.Alignment, f.DataOffset, layout.DataOffset)
	}
	if len(f.KVs) != len(sampleKVs)+1 {
		t.Fatalf("read %d KVs, want %d", len(f.KVs), len(sampleKVs)+1)
	}
	for _, want := range sampleKVs {
		got, ok := f.Get(want.Key)
		if !ok || !reflect.DeepEqual(got.Value, want.Value) {
			t.Errorf("%s = %#v, want %#v", want.Key, got.Value, want.Value)
		}
	}
	if !reflect.DeepEqual(f.Tensors, layout.Tensors) {
		t.Errorf("tensor infos differ:\n got %+v\nwant %+v", f.Tensors, layout.Tensors)
	}

	// Decode every tensor's bytes from the file and compare with its values.
	blob, _ := os.ReadFile(path)
	for _, ti := range f.Tensors {
		if ti.Offset%32 != 0 {
			t.Errorf("%s: offset %d not aligned", ti.Name, ti.Offset)
		}
		start := f.DataOffset + ti.Offset
		got, err := DecodeRow(nil, ti.Type, blob[start:start+ti.Size()], int(ti.Elements()))
		if err != nil {
			t.Fatal(err)
		}
		want := values[ti.Name]
		for i := range want {
			tol := map[TensorType]float64{F32: 0, F16: 2e-3, BF16: 1e-2, Q8_0: 0.05, Q4_0: 0.6}[ti.Type]
			if e := math.Abs(float64(got[i] - want[i])); e > tol*math.Max(1, math.Abs(float64(want[i]))) {
				t.Fatalf("%s[%d] = %g, want %g", ti.Name, i, got[i], want[i])
			}
		}
	}
}

// gguf-parser-go, an independent reader, agrees with what was written.
func TestWriteParsedByGGUFParser(t *testing.T) {
	w, _ := buildSample(t)
	path := filepath.Join(t.TempDir(), "sample.gguf")
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	gf, err := parser.ParseGGUFFile(path)
	if err != nil {
		t.Fatal(err)
	}
	layout := w.Layout()
	if gf.Header.Version != parser.GGUFVersionV3 || gf.Header.TensorCount != uint64(len(layout.Tensors)) {
		t.Fatalf("header %+v", gf.Header)
	}
	if uint64(gf.TensorDataStartOffset) != layout.DataOffset {
		t.Errorf("data offset %d, want %d", gf.TensorDataStartOffset, layout.DataOffset)
	}
	if uint64(gf.ModelParameters) != layout.Params() {
		t.Errorf("parameters %d, want %d", gf.ModelParameters, layout.Params())
	}
	for _, want := range layout.Tensors {
		got, ok := gf.TensorInfos.Get(want.Name)
		if !ok {
			t.Fatalf("tensor %s missing", want.Name)
		}
		if uint32(got.Type) != uint32(want.Type) || !reflect.DeepEqual(got.Dimensions, want.Shape) || got.Offset != want.Offset {
			t.Errorf("%s: got %v %v @%d, want %v %v @%d", want.Name, got.Type, got.Dimensions, got.Offset, want.Type, want.Shape, want.Offset)
		}
		if got.Bytes() != want.Size() {
			t.Errorf("%s: parser sizes it %d bytes, we %d", want.Name, got.Bytes(), want.Size())
		}
	}
	kvs := gf.Header.MetadataKV
	check := func(key string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", key, got, want)
		}
	}
	get := func(key string) parser.GGUFMetadataKV {
		kv, ok := kvs.Get(key)
		if !ok {
			t.Fatalf("key %s missing", key)
		}
		return kv
	}
	check("general.alignment", get("general.alignment").ValueUint32(), uint32(32))
	check("t.u8", get("t.u8").ValueUint8(), uint8(200))
	check("t.i16", get("t.i16").ValueInt16(), int16(-30000))
	check("t.i32", get("t.i32").ValueInt32(), int32(-2_000_000_000))
	check("t.f32", get("t.f32").ValueFloat32(), float32(1.5e-6))
	check("t.bool", get("t.bool").ValueBool(), true)
	check("t.str", get("t.str").ValueString(), "héllo\n▁world")
	check("t.i64", get("t.i64").ValueInt64(), int64(-1<<60))
	check("t.f64", get("t.f64").ValueFloat64(), 2.718281828459045)
	check("t.arr.i32", get("t.arr.i32").ValueArray().ValuesInt32(), []int32{16, 24, 24, 0})
	check("t.arr.f32", get("t.arr.f32").ValueArray().ValuesFloat32(), []float32{0.5, 0.25, 0.125})
	check("t.arr.str", get("t.arr.str").ValueArray().ValuesString(), []string{"<unk>", "<0x0A>", "▁the", ""})
	check("t.arr.u16", get("t.arr.u16").ValueArray().ValuesUint16(), []uint16{1, 65535})
}

func TestCustomAlignment(t *testing.T) {
	w := NewWriter()
	if err := w.Set(KeyAlignment, uint32(64)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		name := string(rune('a' + i))
		if err := w.AddTensor(name, F32, []uint64{uint64(3 + i)}, Values(make([]float32, 3+i))); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if f.Alignment != 64 || f.DataOffset%64 != 0 {
		t.Errorf("alignment %d, data offset %d", f.Alignment, f.DataOffset)
	}
	for i, ti := range f.Tensors {
		if ti.Offset != uint64(64*i) {
			t.Errorf("%s at %d, want %d", ti.Name, ti.Offset, 64*i)
		}
	}
}

// The parallel encoder writes the same bytes however many workers it has.
func TestWorkersDeterministic(t *testing.T) {
	var outs [][]byte
	for _, workers := range []int{1, 3, 8} {
		w := NewWriter()
		w.Workers = workers
		if err := w.AddTensor("m", Q8_0, []uint64{96, 1000}, Rows(func(i int, dst []float32) {
			r := rand.New(rand.NewPCG(9, uint64(i)))
			for j := range dst {
				dst[j] = float32(r.NormFloat64())
			}
		})); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := w.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, buf.Bytes())
	}
	for i := 1; i < len(outs); i++ {
		if !bytes.Equal(outs[0], outs[i]) {
			t.Fatalf("output with worker setting %d differs", i)
		}
	}
}

func TestWriteLayoutFile(t *testing.T) {
	w := NewWriter()
	_ = w.Set("general.architecture", "llama")
	// 64 MiB of Q8_0 data that is never generated.
	if err := w.AddTensor("big", Q8_0, []uint64{4096, 16384}, Rows(func(int, []float32) {
		panic("layout file must not pull data")
	})); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "layout.gguf")
	if err := w.WriteLayoutFile(path); err != nil {
		t.Fatal(err)
	}
	gf, err := parser.ParseGGUFFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if uint64(gf.Size) != w.Layout().Size || gf.ModelParameters != 4096*16384 {
		t.Errorf("size %d params %d", gf.Size, gf.ModelParameters)
	}
}

func TestWriterRejects(t *testing.T) {
	w := NewWriter()
	ok := Values(make([]float32, 32))
	cases := []struct {
		name string
		err  error
	}{
		{"int value", w.Set("k", 3)},
		{"empty key", w.Set("", uint32(1))},
		{"alignment not power of two", w.Set(KeyAlignment, uint32(48))},
		{"alignment wrong type", w.Set(KeyAlignment, uint64(64))},
		{"long name", w.AddTensor(string(make([]byte, 64)), F32, []uint64{32}, ok)},
		{"no dims", w.AddTensor("x", F32, nil, ok)},
		{"five dims", w.AddTensor("x", F32, []uint64{1, 1, 1, 1, 32}, ok)},
		{"zero dim", w.AddTensor("x", F32, []uint64{32, 0}, ok)},
		{"block size", w.AddTensor("x", Q8_0, []uint64{16, 2}, ok)},
		{"value count", w.AddTensor("x", F32, []uint64{31}, ok)},
		{"raw size", w.AddTensor("x", F16, []uint64{32}, Raw(make([]byte, 63)))},
		{"unencodable", w.AddTensor("x", Q4_K, []uint64{256}, Values(make([]float32, 256)))},
		{"nil source", w.AddTensor("x", F32, []uint64{32}, nil)},
	}
	for _, c := range cases {
		if c.err == nil {
			t.Errorf("%s: accepted", c.name)
		}
	}
	if err := w.AddTensor("x", F32, []uint64{32}, ok); err != nil {
		t.Fatal(err)
	}
	if err := w.AddTensor("x", F32, []uint64{32}, ok); err == nil {
		t.Error("duplicate tensor accepted")
	}
	// A raw source can carry a type this package cannot encode.
	if err := w.AddTensor("k", Q4_K, []uint64{256}, Raw(make([]byte, 144))); err != nil {
		t.Errorf("raw Q4_K refused: %v", err)
	}
}

func TestReadRejectsTruncated(t *testing.T) {
	w, _ := buildSample(t)
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	full := buf.Bytes()
	dataStart := int(w.Layout().DataOffset)
	for n := 0; n < len(full); n += 1 + n/50 {
		_, err := Read(bytes.NewReader(full[:n]), int64(n))
		// Cutting into the last tensor's padding leaves a loadable file.
		last := w.Layout().Tensors[len(w.Layout().Tensors)-1]
		if uint64(n) >= uint64(dataStart)+last.Offset+last.Size() {
			continue
		}
		if err == nil {
			t.Fatalf("file cut to %d of %d bytes accepted", n, len(full))
		}
		if !errors.Is(err, ErrFormat) {
			t.Fatalf("cut to %d: error %v does not wrap ErrFormat", n, err)
		}
	}
}

func FuzzRead(f *testing.F) {
	w := NewWriter()
	_ = w.Set("general.architecture", "llama")
	_ = w.Set("a", []string{"x", "y"})
	_ = w.AddTensor("t", Q8_0, []uint64{32, 2}, Values(make([]float32, 64)))
	var buf bytes.Buffer
	_, _ = w.WriteTo(&buf)
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		gf, err := Read(bytes.NewReader(b), int64(len(b)))
		if err == nil && gf.DataOffset > gf.Size && len(gf.Tensors) > 0 {
			t.Fatalf("accepted data offset %d past size %d", gf.DataOffset, gf.Size)
		}
	})
}
