package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// examples are the EXAMPLES part of each command's help; all of them run
// on the embedded toy model and the scene in testdata.
var examples = map[string][]string{
	"describe": {
		"capgen describe --model toy --lang de,ja testdata/scene.png",
		"capgen describe --model toy --lang fr --format json testdata/scene.png",
		"capgen describe --model qwen2.5-vl-3b --detail detailed --lang es photo.jpg",
		"capgen describe --model toy --lang it --strategy auto --on-mismatch warn testdata/scene.png",
	},
	"regions": {
		"capgen regions --model toy --box 0,0,240,180 --box 0,180,240,360 --lang de testdata/scene.png",
		"capgen regions --model toy --boxes boxes.json --box-format per1000 photo.jpg",
	},
	"dense": {
		"capgen dense --model toy --grid 2x2 --tile-mode region --format json testdata/scene.png",
	},
	"batch": {
		"capgen batch --model toy --lang en,de --xmp --txt --out captions.jsonl photos/",
		"find photos -name '*.jpg' | capgen batch --model toy --progress json -",
		"capgen batch --model toy --mode regions --out regions.jsonl photos/   # boxes from IMG.jpg.boxes.json",
	},
	"serve": {
		"capgen serve --model toy                                  # then open http://127.0.0.1:8080/",
		"curl -F image=@testdata/scene.png -F languages=de,ja http://127.0.0.1:8080/capgen/v1/describe",
		"CAPGEN_TOKEN=secret capgen serve --model qwen2.5-vl-3b --listen 0.0.0.0:8080 --allow-paths ~/Pictures",
	},
	"eval": {
		"capgen eval --model toy --refs refs.jsonl --lang en,de scenes/     # XM3600-style references",
		"capgen eval --model qwen2.5-vl-3b --model gemma3-4b --refs xm3600.jsonl --format markdown --plot chrf.svg images/",
		"capgen eval --captions toy=captions.jsonl --refs captions_val2017.json --refs-lang en",
	},
	"bench": {
		"capgen bench --model toy --images 4",
		"capgen bench --preset smolvlm-256m-nosplit --images 8 --format json --out bench.json",
	},
}

// withHelp adds examples and the CAPGEN_* variable of every flag to a
// command's help (the variables are read through the config file's rules,
// config.go).
func withHelp(cmd *cli.Command) *cli.Command {
	var b strings.Builder
	if cmd.Description != "" {
		b.WriteString(cmd.Description + "\n\n")
	}
	if ex := examples[cmd.Name]; len(ex) > 0 {
		b.WriteString("EXAMPLES:\n")
		for _, e := range ex {
			b.WriteString("   " + e + "\n")
		}
		b.WriteString("\n")
	}
	var vars []string
	for _, f := range cmd.Flags {
		if n := f.Names()[0]; n != "help" && n != "config" && n != "quiet" {
			vars = append(vars, envName(n))
		}
	}
	b.WriteString("ENVIRONMENT:\n   Each setting is also read from CAPGEN_<FLAG> and from the config file (see capgen config):")
	for i, v := range vars {
		if i%5 == 0 {
			b.WriteString("\n  ")
		}
		b.WriteString(" " + v)
	}
	cmd.Description = b.String()
	return cmd
}
