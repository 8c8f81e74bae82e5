package scene_test

import (
	"fmt"

	"github.com/capgen/capgen/toy/scene"
)

func ExampleCaption() {
	s := scene.Scene{Rows: 2, Cols: 2, Cells: []scene.Cell{
		{Filled: true, Shape: scene.Circle, Colour: scene.Red},
		{Filled: true, Shape: scene.Square, Colour: scene.Green},
		{},
		{Filled: true, Shape: scene.Star, Colour: scene.Blue},
	}}
	for _, lang := range []string{"en", "de", "ja"} {
		c, err := scene.Caption(s, lang)
		if err != nil {
			panic(err)
		}
		fmt.Println(c)
	}
	// Output:
	// A red circle at the top left, a green square at the top right and a blue star at the bottom right.
	// Ein roter Kreis oben links, ein grünes Quadrat oben rechts und ein blauer Stern unten rechts.
	// 左上に赤い円、右上に緑の正方形、右下に青い星があります。
}
