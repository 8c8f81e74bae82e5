// Package sidecar writes the output files of capgen batch next to the
// images: XMP sidecars that photo managers read, .txt caption files for
// training sets, and a JSON Lines journal that makes a long batch run
// resumable. It knows nothing about models; it takes finished captions.
//
// # XMP sidecars
//
// WriteXMP stores one caption per language in dc:description, an rdf:Alt
// language alternative with an x-default entry and one xml:lang entry per
// language, the property Immich, digiKam, darktable and Lightroom show as
// the image's description. The sidecar is IMG.jpg.xmp by default
// (darktable, digiKam, Immich) or IMG.xmp with XMPOptions.ReplaceExtension
// (Lightroom, Capture One); XMPPath gives the name.
//
// An existing sidecar is merged, never rewritten from scratch: other
// properties and namespaces (ratings, keywords, darktable's edit history)
// and descriptions in other languages are kept byte for byte; only the
// entries in the languages being written change, and x-default only when
// there is none or XMPOptions.ReplaceDefault is set. A sidecar that cannot
// be merged safely is left alone and reported with ErrNotXMP. With
// XMPOptions.Model the packet also records capgen:model and capgen:date in
// the NSCapgen namespace.
//
// # Text sidecars
//
// WriteText writes IMG.txt, the layout kohya-ss and diffusers training
// scripts expect, or IMG.<lang>.txt with TextOptions.Lang for one file per
// language.
//
// # Journal
//
// A Journal appends one JSON object per finished image to a .jsonl file and
// fsyncs each line. Every record carries a "key" (for example the image's
// content hash); ReadJournal returns the records by key, so a resumed run
// skips what is done. A crash during Append can leave one incomplete last
// line: ReadJournal ignores it and counts it as skipped, and OpenJournal cuts
// it off before appending, so a resumed run neither loses nor duplicates
// records.
//
// # Durability and concurrency
//
// Sidecars are replaced atomically: the new content is written to a
// temporary file in the same folder, fsync'ed and renamed over the old one,
// so readers and crashes see the old file or the new one, never a mix, and
// no temporary file remains. WriteXMP and WriteText may run concurrently
// for different images, not for the same one. A Journal is safe for
// concurrent Append from several goroutines.
//
// # Errors
//
// Errors are *Error values that name the function and the file and wrap
// one of the sentinels (ErrInvalid, ErrNotXMP, ErrCorrupt, ErrNoKey,
// ErrClosed) or the underlying fs error; match them with errors.Is.
package sidecar
