package vision_test

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"log"

	"golang.org/x/image/bmp"

	"github.com/capgen/capgen/vision"
)

// A phone photo stored sideways with EXIF orientation 6 loads upright.
func ExampleLoad() {
	im, err := vision.Load("testdata/orient6.jpg", nil)
	if err != nil {
		log.Fatal(err)
	}
	top := im.RGBAAt(8, 8)
	fmt.Println(im.Format, im.Width(), "x", im.Height(), "orientation", im.Orientation)
	fmt.Println("top left is red:", top.R > 200 && top.G < 60 && top.B < 60)

	// The packed bytes llama.cpp takes, and a key for caching.
	rgb := im.RGB()
	fmt.Println(len(rgb.Pix) == 3*rgb.Width*rgb.Height)
	// Output:
	// jpeg 64 x 32 orientation 6
	// top left is red: true
	// true
}

func ExampleDecode() {
	// A PNG with a half-transparent pixel, flattened onto black.
	m := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	m.SetNRGBA(0, 0, color.NRGBA{255, 255, 255, 255})
	m.SetNRGBA(1, 0, color.NRGBA{255, 255, 255, 128})
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		log.Fatal(err)
	}
	im, err := vision.Decode(&buf, &vision.Options{Background: color.Black, Name: "upload.png"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(im.Format, im.Source, im.RGB().Pix)
	// Output: png upload.png [255 255 255 128 128 128]
}

func ExampleDecodeBytes_limits() {
	m := image.NewGray(image.Rect(0, 0, 3000, 2000))
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		log.Fatal(err)
	}
	_, err := vision.DecodeBytes(buf.Bytes(), &vision.Options{MaxPixels: 5_000_000, Name: "scan.png"})
	fmt.Println(err)
	fmt.Println(errors.Is(err, vision.ErrTooLarge))
	// Output:
	// vision: decode scan.png: 6.0 megapixels (3000x2000), above the limit of 5.0 (raise --max-pixels)
	// true
}

func ExampleRGB_Hash() {
	// The hash is of the pixels, not the file: the same picture as PNG and
	// as BMP shares one cache entry.
	m := image.NewRGBA(image.Rect(0, 0, 4, 4))
	draw.Draw(m, m.Bounds(), image.NewUniform(color.RGBA{20, 40, 60, 255}), image.Point{}, draw.Src)
	m.Set(1, 2, color.RGBA{200, 10, 10, 255})
	var p, b bytes.Buffer
	png.Encode(&p, m)
	bmp.Encode(&b, m)
	a, _ := vision.DecodeBytes(p.Bytes(), nil)
	c, _ := vision.DecodeBytes(b.Bytes(), nil)
	fmt.Println(a.Format, c.Format, a.RGB().Hash() == c.RGB().Hash())
	// Output: png bmp true
}

func ExampleCrop() {
	im := vision.FromImage(image.NewRGBA(image.Rect(0, 0, 400, 300)), nil)
	box, err := vision.ParseBox("[100, 100, 200, 150]")
	if err != nil {
		log.Fatal(err)
	}
	// Half the box's size as context on each side, clamped to the image.
	crop, actual, err := vision.Crop(im, box, 0.5)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(actual, crop.Width(), crop.Height())

	_, _, err = vision.Crop(im, vision.Box{X0: 500, Y0: 0, X1: 600, Y1: 50}, 0)
	fmt.Println(err)
	// Output:
	// 50,75,250,175 200 100
	// vision: crop: box 500,0,600,50 lies outside the 400x300 image
}

func ExampleGrid() {
	im := vision.FromImage(image.NewRGBA(image.Rect(0, 0, 400, 300)), nil)
	// Work at model size; tile boxes still come out in original pixels.
	small, err := vision.ResizeMax(im, 200, vision.Area)
	if err != nil {
		log.Fatal(err)
	}
	tiles, err := vision.Grid(small, 2, 2, 0.2)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range tiles {
		fmt.Printf("row %d col %d: %v (%dx%d px)\n", t.Row, t.Col, t.Box, t.Image.Width(), t.Image.Height())
	}
	// Output:
	// row 0 col 0: 0,0,222,166 (111x83 px)
	// row 0 col 1: 178,0,400,166 (111x83 px)
	// row 1 col 0: 0,134,222,300 (111x83 px)
	// row 1 col 1: 178,134,400,300 (111x83 px)
}

func ExamplePyramid() {
	im := vision.FromImage(image.NewRGBA(image.Rect(0, 0, 400, 300)), nil)
	tiles, err := vision.Pyramid(im, 0, 1, 2)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range tiles {
		fmt.Println(t.Level, t.Box)
	}
	// Output:
	// 0 0,0,400,300
	// 1 0,0,200,150
	// 1 200,0,400,150
	// 1 0,150,200,300
	// 1 200,150,400,300
}

func ExampleFromFormat() {
	// A 4000x3000 photo given to the model at 1008x756.
	view := vision.FullView(4000, 3000, 1008, 756)

	// Qwen2-VL and Qwen3-VL answer in 0-1000 of the image.
	b, _ := vision.FromFormat(vision.Box{X0: 250, Y0: 100, X1: 500, Y1: 400}, vision.Per1000, view)
	fmt.Println(b)

	// Qwen2.5-VL answers in pixels of the image it was given.
	b, _ = vision.FromFormat(vision.Box{X0: 252, Y0: 75.6, X1: 504, Y1: 302.4}, vision.ResizedPixels, view)
	fmt.Println(b.Round())

	// And back, to prompt a model with a region.
	q, _ := vision.ToFormat(vision.Box{X0: 1000, Y0: 300, X1: 2000, Y1: 1200}, vision.Per1000, view)
	fmt.Println(q)
	// Output:
	// 1000,300,2000,1200
	// 1000,300,2000,1200
	// 250,100,500,400
}

func ExampleFitTokens() {
	// Qwen2.5-VL: 28-pixel cells (14-pixel patches merged 2x2), at most
	// 1024 image tokens.
	w, h := vision.FitTokens(4000, 3000, 28, 1024)
	fmt.Println(w, h, (w/28)*(h/28))
	// Output: 1008 756 972
}
