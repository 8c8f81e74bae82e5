// Command capgen captions images in many languages with local vision-LLMs
// (GGUF model pairs run by llama.cpp).
//
// Commands: describe (one image, several languages from one encode),
// regions (captions of boxes), dense (global + tile captions merged),
// batch (folders, resumable, XMP/.txt sidecars), models (list, pull, info,
// rm), languages, system, config, version. `capgen help COMMAND` lists
// the flags; README.md has examples.
//
// Each command lives in cmd_<verb>.go as a thin wrapper over
// run<Verb>(ctx, ...) that tests call directly; main.go maps errors to exit
// codes in one place: 0 success, 1 failure, 2 bad flags, settings or input
// files, 3 some images of a batch failed, 130 interrupted. Settings come
// from flag defaults, a config file, CAPGEN_* variables and flags, in
// rising order (config.go).
package main
