package sidecar_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/capgen/capgen/sidecar"
)

func ExampleWriteText() {
	dir, err := os.MkdirTemp("", "capgen-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	img := filepath.Join(dir, "0001.jpg")

	for _, lang := range []string{"", "de"} {
		text := "a red boat by the pier"
		if lang == "de" {
			text = "ein rotes Boot am Steg"
		}
		path, err := sidecar.WriteText(img, text, &sidecar.TextOptions{Lang: lang})
		if err != nil {
			log.Fatal(err)
		}
		data, _ := os.ReadFile(path)
		fmt.Printf("%s: %s\n", filepath.Base(path), data)
	}
	// Output:
	// 0001.txt: a red boat by the pier
	// 0001.de.txt: ein rotes Boot am Steg
}

func ExampleJournal() {
	dir, err := os.MkdirTemp("", "capgen-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "batch.jsonl")

	type record struct {
		Key     string `json:"key"`
		Caption string `json:"caption"`
	}
	j, err := sidecar.OpenJournal(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := j.Append(record{Key: "sha256:9f2c", Caption: "a red boat"}); err != nil {
		log.Fatal(err)
	}
	j.Close()

	// A crash in the middle of the next Append leaves a torn line.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"key":"sha256:41ab","capt`)
	f.Close()

	done, skipped, err := sidecar.ReadJournal(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(done), "done,", skipped, "torn line skipped")
	fmt.Println(string(done["sha256:9f2c"]))
	// Output:
	// 1 done, 1 torn line skipped
	// {"key":"sha256:9f2c","caption":"a red boat"}
}
