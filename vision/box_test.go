package vision

import (
	"encoding/json"
	"errors"
	"math"
	"testing"
)

func TestParseBox(t *testing.T) {
	tests := []struct {
		in   string
		want Box
		err  bool
	}{
		{"10,20,110,220", Box{10, 20, 110, 220}, false},
		{" 10, 20 ,110 , 220 ", Box{10, 20, 110, 220}, false},
		{"[10, 20, 110, 220]", Box{10, 20, 110, 220}, false},
		{"(10,20),(110,220)", Box{10, 20, 110, 220}, false},
		{"0.1 0.2 0.5 0.75", Box{0.1, 0.2, 0.5, 0.75}, false},
		{"1,2,3", Box{}, true},
		{"1,2,3,4,5", Box{}, true},
		{"a,2,3,4", Box{}, true},
		{"NaN,2,3,4", Box{}, true},
		{"1,2,3,Inf", Box{}, true},
		{"", Box{}, true},
	}
	for _, tt := range tests {
		got, err := ParseBox(tt.in)
		if tt.err {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("ParseBox(%q) err = %v, want ErrInvalid", tt.in, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseBox(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
		if back, err := ParseBox(got.String()); err != nil || back != got {
			t.Errorf("String %q does not parse back: %v %v", got.String(), back, err)
		}
	}
}

func TestBoxFormats(t *testing.T) {
	// A 4000x3000 photo shown to the model at 1000x750.
	v := FullView(4000, 3000, 1000, 750)
	b := Box{400, 300, 2000, 1500}
	tests := []struct {
		f    BoxFormat
		want Box
	}{
		{Pixels, b},
		{Normalized, Box{0.1, 0.1, 0.5, 0.5}},
		{Per1000, Box{100, 100, 500, 500}},
		{ResizedPixels, Box{100, 75, 500, 375}},
	}
	for _, tt := range tests {
		got, err := ToFormat(b, tt.f, v)
		if err != nil || !near(got, tt.want) {
			t.Errorf("ToFormat(%v) = %v, %v; want %v", tt.f, got, err, tt.want)
		}
		back, err := FromFormat(got, tt.f, v)
		if err != nil || !near(back, b) {
			t.Errorf("FromFormat(%v) = %v, %v; want %v", tt.f, back, err, b)
		}
		if f, err := ParseBoxFormat(tt.f.String()); err != nil || f != tt.f {
			t.Errorf("ParseBoxFormat(%q) = %v, %v", tt.f.String(), f, err)
		}
	}
	// A tile covering the right half: model boxes are relative to it.
	tile := View{Region: Box{2000, 0, 4000, 3000}, Width: 500, Height: 750}
	got, err := FromFormat(Box{0, 0, 500, 500}, Per1000, tile)
	if err != nil || !near(got, Box{2000, 0, 3000, 1500}) {
		t.Errorf("tile per1000 = %v, %v", got, err)
	}
	if _, err := ToFormat(b, ResizedPixels, FullView(4000, 3000, 0, 0)); !errors.Is(err, ErrInvalid) {
		t.Errorf("resized pixels without a resized size: err = %v", err)
	}
	if _, err := ToFormat(b, BoxFormat(42), v); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown format: err = %v", err)
	}
	if _, err := ParseBoxFormat("qwen"); !errors.Is(err, ErrInvalid) {
		t.Errorf("ParseBoxFormat(qwen): err = %v", err)
	}
}

func near(a, b Box) bool {
	const eps = 1e-9
	return math.Abs(a.X0-b.X0) < eps && math.Abs(a.Y0-b.Y0) < eps && math.Abs(a.X1-b.X1) < eps && math.Abs(a.Y1-b.Y1) < eps
}

func TestBoxJSON(t *testing.T) {
	b := Box{X0: 0, Y0: 1.5, X1: 239.99999999999997, Y1: 180}
	data, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != `{"x0":0,"y0":1.5,"x1":240,"y1":180}` {
		t.Errorf("Marshal = %s", data)
	}
	var back Box
	if err := json.Unmarshal(data, &back); err != nil || back != (Box{0, 1.5, 240, 180}) {
		t.Errorf("Unmarshal object = %v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`[1,2,3,4]`), &back); err != nil || back != (Box{1, 2, 3, 4}) {
		t.Errorf("Unmarshal array = %v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`"1,2"`), &back); err == nil {
		t.Error("a string was accepted as a box")
	}
}
