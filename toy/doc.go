// Package toy holds capgen's toy multilingual vision-LLM: a LLaVA-style
// pair (a CLIP ViT with clip.cpp's "mlp" projector and a small llama
// decoder) trained here on the drawn scenes of package scene, small enough
// to live in testdata/toy, and really looking at the image: its captions
// name the shapes, colours and places of a scene in the requested language,
// so end-to-end tests can prove that decoding, orientation, cropping,
// channel order and prompting reach the model intact.
//
// The package defines what training and inference must agree on: the
// vocabulary (Vocab), the shapes of the pair (Pair), the prompts capgen
// sends (Instruction, PromptText), clip.cpp's image preprocessing for the
// projector (Preprocess), the manifest committed next to the model
// (Manifest) and a small captioner over package llama (Captioner).
//
// Files writes the weights, which the module's root package embeds, into
// the model cache for `capgen --model toy` and programs that want a model
// that runs anywhere.
//
// The pieces around it: cmd/toydata renders a data set and tokenizes it
// with llama.cpp itself; train/train.py trains the pair in PyTorch on the
// CPU; cmd/toyexport writes the trained weights through the project's GGUF
// writer (internal/synth); cmd/toyeval measures exact-match accuracy through
// capgen's own pipeline (vision, llama.cpp) on freshly rendered scenes and
// writes the manifest. `make toy-model` and `make toy-eval` run them.
package toy
