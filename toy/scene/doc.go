// Package scene draws the toy world that capgen's toy vision-LLM is trained
// and tested on, and writes its ground-truth captions in ten languages.
//
// A Scene is a 2x2 or 3x3 grid; each cell is empty or holds one coloured
// shape. Render turns a scene into pixels with the variation a model must
// see through (shape size, position within the cell, background tint, edge
// anti-aliasing, colour tint, sensor-like noise), and Caption turns the same
// scene into the one canonical sentence per language, so that evaluation can
// use exact match and tests can prove that a model really looked at the
// image: swap the colour channels, rotate, crop a cell or change the
// language, and the right answer changes in a known way.
//
// # Colours
//
// The six colours are chosen so that the channel mix-ups an image pipeline
// typically makes move every colour out of its own class: swapping red and
// blue (BGR for RGB) turns Red into exactly Blue and back, Orange into an
// azure nearer Blue than any other class, and Green, Yellow and Purple into
// colours of no class; rotating the channels (packed pixels read one byte
// off) also moves all six out of their classes. Classify reports the class
// of a pixel; the tests hold these properties. Red and Blue are the colours
// to use where a test must see a swap change the caption. A swap of two
// channels that a colour has equal, such as red with green for Blue, cannot
// be seen in that colour.
//
// # Captions
//
// Caption names every filled cell in row-major order with its place. The
// languages are en, de, fr, es, ru, ar, hi, zh, ja and sw; each one's
// grammar file explains its choices (agreement of the colour adjective with
// the shape noun, word order, list punctuation). Words and Marks give the
// closed vocabulary the captions are built from, Split and Join convert
// between a caption and those pieces (whole words are single tokens for the
// toy model; Chinese and Japanese are segmented by longest match), and Parse
// recovers the objects from a caption, also from a partly wrong one, for
// per-object accuracy.
//
// # Determinism and concurrency
//
// Every random choice comes from the *rand.Rand (math/rand/v2) the caller
// passes, drawn in a fixed order, so a seed always gives the same scene and
// the same pixels; NewRand derives that generator from a seed the same way
// everywhere. A *rand.Rand is not safe for concurrent use: give each
// goroutine its own. Everything else in the package is safe to call
// concurrently.
package scene
