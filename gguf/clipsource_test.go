package gguf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// clipSource returns clip.cpp and clip-impl.h of the llama.cpp that go.mod
// pins, from the module cache (downloading the module if needed).
func clipSource(t *testing.T) (cpp, impl string) {
	t.Helper()
	cmd := exec.Command("go", "mod", "download", "-json", "github.com/ollama/ollama")
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go mod download github.com/ollama/ollama: %v", err)
	}
	var m struct{ Dir, Error string }
	if err := json.Unmarshal(out, &m); err != nil || m.Dir == "" {
		t.Fatalf("go mod download: %v %s", err, m.Error)
	}
	dir := filepath.Join(m.Dir, "llama", "llama.cpp", "tools", "mtmd")
	c, err := os.ReadFile(filepath.Join(dir, "clip.cpp"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := os.ReadFile(filepath.Join(dir, "clip-impl.h"))
	if err != nil {
		t.Fatal(err)
	}
	return string(c), string(h)
}

// funcBody returns the text of the function whose signature starts with
// sig, up to its closing brace at the start of a line.
func funcBody(t *testing.T, src, sig string) string {
	t.Helper()
	i := strings.Index(src, sig)
	if i < 0 {
		t.Fatalf("clip.cpp has no %q: the llama.cpp update changed it; compare gguf/projector.go by hand", sig)
	}
	j := strings.Index(src[i:], "\n}")
	return src[i : i+j]
}

var (
	typeNameRE  = regexp.MustCompile(`\{\s*PROJECTOR_TYPE_(\w+),\s*"([^"]+)"\s*\}`)
	macroRE     = regexp.MustCompile(`(?m)^#define\s+(TN_\w+)\s+"([^"]*)"`)
	caseRE      = regexp.MustCompile(`^\s*case PROJECTOR_TYPE_(\w+):`)
	returnRE    = regexp.MustCompile(`return ctx->model\.(\w+)->ne\[(\d)\](\s*\*\s*\(1 \+ ctx->model\.n_deepstack_layers\))?;`)
	assignRE    = regexp.MustCompile(`model\.(\w+)\s*=\s*get_tensor\((.+?)(?:,\s*false)?\);`)
	formatRE    = regexp.MustCompile(`^string_format\((TN_\w+)((?:,\s*(?:\d+|"[^"]*"))*)\)$`)
	formatArgRE = regexp.MustCompile(`\d+|"[^"]*"`)
)

// tensorName evaluates get_tensor's argument: a TN_ macro, or
// string_format of one with integer and string arguments.
func tensorName(expr string, macros map[string]string) (string, error) {
	expr = strings.TrimSpace(expr)
	if v, ok := macros[expr]; ok {
		return v, nil
	}
	m := formatRE.FindStringSubmatch(expr)
	if m == nil {
		return "", fmt.Errorf("cannot evaluate %q", expr)
	}
	format, ok := macros[m[1]]
	if !ok {
		return "", fmt.Errorf("unknown macro %s", m[1])
	}
	var args []any
	for _, a := range formatArgRE.FindAllString(m[2], -1) {
		if n, err := strconv.Atoi(a); err == nil {
			args = append(args, n)
		} else {
			args = append(args, strings.Trim(a, `"`))
		}
	}
	return fmt.Sprintf(format, args...), nil
}

// The projector table agrees with clip.cpp at the pinned commit: every
// type of clip_n_mmproj_embd is in it with the tensor and dimension that
// function reads (followed through load_tensors to the tensor's name), its
// deepstack factor, and clip_is_mrope's list.
func TestProjectorTableMatchesClipCpp(t *testing.T) {
	cpp, impl := clipSource(t)
	// enum suffix -> clip.projector_type. MLP_NORM has no name in a file:
	// load_tensors turns an "mlp" with an mm.3 layer into it, and
	// File.ProjectorType calls it "mlp_norm".
	names := map[string]string{"MLP_NORM": "mlp_norm"}
	for _, m := range typeNameRE.FindAllStringSubmatch(impl, -1) {
		names[m[1]] = m[2]
	}
	macros := map[string]string{}
	for _, m := range macroRE.FindAllStringSubmatch(impl, -1) {
		macros[m[1]] = m[2]
	}

	// clip_n_mmproj_embd: type -> field, dimension, deepstack.
	type output struct {
		field     string
		dim       int
		deepstack bool
	}
	outputs := map[string]output{}
	var order []string
	var pending []string
	for line := range strings.SplitSeq(funcBody(t, cpp, "int clip_n_mmproj_embd("), "\n") {
		if m := caseRE.FindStringSubmatch(line); m != nil {
			pending = append(pending, m[1])
			continue
		}
		if m := returnRE.FindStringSubmatch(line); m != nil {
			dim, _ := strconv.Atoi(m[2])
			for _, p := range pending {
				outputs[p] = output{m[1], dim, m[3] != ""}
				order = append(order, p)
			}
			pending = nil
		}
	}
	if len(outputs) < 20 {
		t.Fatalf("read only %d types from clip_n_mmproj_embd: the parser needs updating", len(outputs))
	}

	// load_tensors' switch on the projector type: type -> field -> tensor.
	body := funcBody(t, cpp, "void load_tensors(")
	body = body[strings.Index(body, "switch (model.proj_type)"):]
	fields := map[string]map[string]string{}
	var group []string
	inCases := false
	for line := range strings.SplitSeq(body, "\n") {
		if m := caseRE.FindStringSubmatch(line); m != nil {
			if !inCases {
				group = nil
			}
			inCases = true
			group = append(group, m[1])
			fields[m[1]] = map[string]string{}
			continue
		}
		inCases = false
		for _, m := range assignRE.FindAllStringSubmatch(line, -1) {
			name, err := tensorName(m[2], macros)
			if err != nil {
				continue // not a tensor the table can name
			}
			for _, g := range group {
				fields[g][m[1]] = name
			}
		}
	}

	mrope := map[string]bool{}
	for _, m := range regexp.MustCompile(`PROJECTOR_TYPE_(\w+)`).FindAllStringSubmatch(funcBody(t, cpp, "bool clip_is_mrope("), -1) {
		mrope[names[m[1]]] = true
	}

	var want []Projector
	for _, enum := range order {
		o := outputs[enum]
		typ, ok := names[enum]
		if !ok {
			t.Errorf("PROJECTOR_TYPE_%s has no name in PROJECTOR_TYPE_NAMES", enum)
			continue
		}
		tensor, ok := fields[enum][o.field]
		if !ok {
			t.Errorf("%s: load_tensors sets no model.%s", typ, o.field)
			continue
		}
		want = append(want, Projector{Type: typ, OutputTensor: tensor, OutputDim: o.dim,
			Deepstack: o.deepstack, MRoPE: mrope[typ]})
	}
	got := Projectors()
	if !slices.Equal(got, want) {
		var b bytes.Buffer
		for _, p := range want {
			fmt.Fprintf(&b, "\t%+v\n", p)
		}
		t.Errorf("gguf's projector table differs from clip.cpp; clip.cpp says:\n%s", b.String())
	}
}

// File.ProjectorType resolves the type as clip_model_loader does: the
// clip.projector_type key before clip.vision.projector_type, "mlp" when
// neither is set, "qwen2.5o" as the Qwen2.5-VL merger, and "mlp" with an
// mm.3.weight as mlp_norm.
func TestProjectorTypeRulesMatchClipCpp(t *testing.T) {
	cpp, impl := clipSource(t)
	ws := regexp.MustCompile(`\s+`)
	flat := ws.ReplaceAllString(cpp, " ")
	for _, want := range []string{
		`get_string(KEY_PROJ_TYPE, proj_type, false); // for models with mixed modalities if (proj_type.empty()) { if (modality == CLIP_MODALITY_VISION) { get_string(KEY_VISION_PROJ_TYPE, proj_type, false); if (proj_type.empty()) { // Assume MLP if no projector type listed proj_type = "mlp";`,
		`if (model.proj_type == PROJECTOR_TYPE_QWEN25O) { model.proj_type = modality == CLIP_MODALITY_VISION ? PROJECTOR_TYPE_QWEN25VL`,
		`if (model.mm_3_w) { // TODO: this is a hack to support Yi-type llava model.proj_type = PROJECTOR_TYPE_MLP_NORM;`,
		`model.mm_3_w = get_tensor(string_format(TN_LLAVA_PROJ, 3, "weight"), false);`,
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("clip.cpp no longer has %q: check File.ProjectorType against it", want)
		}
	}
	for _, want := range []string{`#define KEY_PROJ_TYPE "clip.projector_type"`, `#define KEY_VISION_PROJ_TYPE "clip.vision.projector_type"`, `#define TN_LLAVA_PROJ "mm.%d.%s"`} {
		if !strings.Contains(ws.ReplaceAllString(impl, " "), want) {
			t.Errorf("clip-impl.h no longer has %q", want)
		}
	}

	cases := []struct {
		keys    map[string]string
		tensors []string
		want    string
	}{
		{map[string]string{"clip.vision.projector_type": "idefics3", "clip.projector_type": "gemma3"}, nil, "gemma3"},
		{map[string]string{"clip.vision.projector_type": "idefics3"}, nil, "idefics3"},
		{nil, []string{"mm.2.weight"}, "mlp"},
		{nil, []string{"mm.2.weight", "mm.3.weight"}, "mlp_norm"},
		{map[string]string{"clip.projector_type": "qwen2.5o"}, nil, "qwen2.5vl_merger"},
	}
	for _, c := range cases {
		w := NewWriter()
		w.Set("general.architecture", "clip")
		for k, v := range c.keys {
			w.Set(k, v)
		}
		if got := resolvedType(t, w, c.tensors...); got != c.want {
			t.Errorf("keys %v, tensors %v: type %q, want %q", c.keys, c.tensors, got, c.want)
		}
	}
}

// writeClip writes a clip file with w's metadata and the named tensors
// (F32, shape as given) and reads it back.
func writeClip(t *testing.T, w *Writer, tensors map[string][]uint64) *File {
	t.Helper()
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range tensors {
			if !yield(k) {
				return
			}
		}
	}) {
		shape := tensors[name]
		n := uint64(1)
		for _, d := range shape {
			n *= d
		}
		if err := w.AddTensor(name, F32, shape, Values(make([]float32, n))); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "mmproj.gguf")
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	f, err := ReadMetadata(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func resolvedType(t *testing.T, w *Writer, tensors ...string) string {
	t.Helper()
	m := map[string][]uint64{}
	for _, name := range tensors {
		m[name] = []uint64{4, 2}
	}
	return writeClip(t, w, m).ProjectorType()
}

// Janus-Pro's output size is mm.1.bias (clip.cpp's mm_1_b for that type);
// a copy of the table that said mm.2.bias once refused valid files.
func TestJanusProOutputSize(t *testing.T) {
	w := NewWriter()
	w.Set("general.architecture", "clip")
	w.Set("clip.projector_type", "janus_pro")
	f := writeClip(t, w, map[string][]uint64{"mm.0.weight": {16, 64}, "mm.1.bias": {64}, "mm.1.weight": {64, 64}})
	n, err := f.ProjectorEmbeddingLength()
	if err != nil || n != 64 {
		t.Errorf("janus_pro output size %d, %v; want 64", n, err)
	}
}
