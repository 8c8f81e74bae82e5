// Package batch captions collections of images with one caption.Engine:
// the pipeline that `capgen batch` runs, and that `capgen bench`, the HTTP
// server and queue workers share.
//
// Run takes a list of image files (Collect expands folders, globs and file
// lists into one) and:
//
//   - reads, hashes and decodes images on worker goroutines and prepares
//     them for the engine there (caption.Engine.Prepare: resize, RGB,
//     hash, token count), ahead of the model;
//   - hands them to the engine as one continuous stream
//     (caption.Engine.DescribeStream), so captions of many images decode
//     together and a finished caption's sequence goes to the next image at
//     once;
//   - appends each result to a JSON Lines journal (sidecar.Journal,
//     fsync'd) as soon as it is finished, and writes the XMP and .txt
//     sidecars the Options ask for;
//   - skips images whose key is in the journal already (Mode Skip), so an
//     interrupted run resumes without losing or duplicating images;
//   - at a cancelled ctx, takes back the images still queued and finishes
//     only those the model has started.
//
// Progress is reported as Events through Options.OnEvent, from one
// goroutine; presenting them (a bar, JSON lines) is the caller's.
//
// Errors: a problem with the caller's input (a path that does not exist,
// an unreadable journal) wraps ErrInput; a failed image is counted and
// recorded, not returned; an error that stops the run (the journal cannot
// be written, the engine failed) is returned.
package batch
