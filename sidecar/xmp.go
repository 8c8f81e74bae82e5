package sidecar

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Namespaces this package reads or writes.
const (
	nsX   = "adobe:ns:meta/"
	nsRDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	nsDC  = "http://purl.org/dc/elements/1.1/"
	// NSCapgen is the namespace of the provenance properties capgen:model
	// and capgen:date that WriteXMP adds when XMPOptions.Model is set.
	NSCapgen = "https://capgen.dev/ns/1.0/"
)

// Entry is one caption: Lang is a BCP-47 tag ("de", "pt-BR", "zh-Hant"),
// Text the caption in that language.
type Entry struct {
	Lang string
	Text string
}

// XMPOptions configures WriteXMP. A nil *XMPOptions and the zero value mean
// IMG.jpg.xmp naming, x-default from the first entry written only when the
// sidecar has none, and no provenance.
type XMPOptions struct {
	// ReplaceExtension names the sidecar IMG.xmp (Lightroom, Capture One)
	// instead of IMG.jpg.xmp (darktable, digiKam, Immich).
	ReplaceExtension bool
	// Default is the x-default text; empty means the first entry's text.
	Default string
	// ReplaceDefault overwrites an existing x-default entry. Without it an
	// existing x-default, often typed by a person, is kept, and x-default is
	// only written when the sidecar has none.
	ReplaceDefault bool
	// Model, when not empty, is recorded as capgen:model with capgen:date
	// (RFC 3339, UTC) on the rdf:Description holding dc:description.
	Model string
	// Time is the capgen:date value; zero means time.Now. Unused without
	// Model.
	Time time.Time
}

// XMPPath returns the sidecar file name WriteXMP uses for imagePath.
func XMPPath(imagePath string, opt *XMPOptions) string {
	if opt != nil && opt.ReplaceExtension {
		return strings.TrimSuffix(imagePath, filepath.Ext(imagePath)) + ".xmp"
	}
	return imagePath + ".xmp"
}

// skeleton is the packet a new sidecar starts from; it goes through the
// same merge as an existing one.
const skeleton = `<?xpacket begin="` + "\uFEFF" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="capgen">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/">
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>
`

// WriteXMP writes caps as the dc:description language alternative of the
// XMP sidecar of imagePath and returns the sidecar's path. The alternative
// holds one xml:lang entry per Entry plus an x-default entry, which Immich,
// digiKam, darktable and Lightroom read.
//
// An existing sidecar is merged, not replaced: every other property and
// namespace stays as it was (ratings, keywords, darktable's history, ...),
// as do dc:description entries in languages not in caps. Entries in the
// languages of caps are replaced; x-default is written only when there is
// none or ReplaceDefault is set. A sidecar that is not well-formed XMP is
// left untouched and the error wraps ErrNotXMP.
//
// The file is replaced atomically: a crash leaves the old sidecar or the
// new one, never a mix. WriteXMP is safe to call concurrently for
// different images; calls for the same image must not overlap, or the
// later rename drops the other call's languages.
func WriteXMP(imagePath string, caps []Entry, opt *XMPOptions) (path string, err error) {
	if opt == nil {
		opt = &XMPOptions{}
	}
	path = XMPPath(imagePath, opt)
	fail := func(err error) (string, error) {
		return "", &Error{Op: "WriteXMP", Path: path, Err: err}
	}
	if len(caps) == 0 && opt.Default == "" {
		return fail(fmt.Errorf("%w: no captions to write", ErrInvalid))
	}
	for i, c := range caps {
		if err := checkLang(c.Lang); err != nil {
			return fail(err)
		}
		for _, d := range caps[:i] {
			if strings.EqualFold(d.Lang, c.Lang) {
				return fail(fmt.Errorf("%w: language %q given twice", ErrInvalid, c.Lang))
			}
		}
	}
	def := opt.Default
	if def == "" {
		def = caps[0].Text
	}

	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		data, err = []byte(skeleton), nil
	}
	if err != nil {
		return fail(err)
	}
	doc, err := parseTree(data)
	if err != nil {
		return fail(fmt.Errorf("%w: %w", ErrNotXMP, err))
	}
	if err := mergeXMP(doc, caps, def, opt); err != nil {
		return fail(err)
	}
	var b bytes.Buffer
	doc.write(&b)
	if err := writeAtomic(path, b.Bytes()); err != nil {
		return fail(err)
	}
	return path, nil
}

// mergeXMP finds (or makes) dc:description in doc and writes the entries.
func mergeXMP(doc *node, caps []Entry, def string, opt *XMPOptions) error {
	rdf, sc := findRDF(doc, scope{})
	if rdf == nil {
		return fmt.Errorf("%w: no rdf:RDF element", ErrNotXMP)
	}
	rdfPrefix := rdf.name.Space
	sc = sc.with(rdf)
	depth := len(sc) - 1 // of rdf; one space of indent per level

	var desc, prop *node
	var oldDefault string
	hasOldDefault := false
	for _, d := range rdf.elems() {
		if !sc.is(d, nsRDF, "Description") {
			continue
		}
		if desc == nil {
			desc = d
		}
		dsc := sc.with(d)
		for _, p := range d.elems() {
			if dsc.is(p, nsDC, "description") {
				desc, prop = d, p
				break
			}
		}
		if prop != nil {
			break
		}
		// The short form dc:description="..." is a plain x-default value;
		// it is turned into the element form, which can hold languages.
		for i, a := range d.attrs {
			if a.Name.Local == "description" && a.Name.Space != "" && dsc.uri(a.Name.Space) == nsDC {
				desc, oldDefault, hasOldDefault = d, a.Value, true
				d.attrs = slices.Delete(d.attrs, i, i+1)
				d.raw = nil
				break
			}
		}
		if hasOldDefault {
			break
		}
	}
	if desc == nil {
		desc = &node{kind: elemNode, name: xml.Name{Space: rdfPrefix, Local: "Description"}}
		desc.setAttr(rdfPrefix, "about", "")
		rdf.appendKid(desc, depth)
	}
	dsc := sc.with(desc)

	var alt *node
	if prop == nil {
		dc := dsc.declare(desc, nsDC, "dc")
		prop = &node{kind: elemNode, name: xml.Name{Space: dc, Local: "description"}}
		desc.appendKid(prop, depth+1)
	} else {
		kids := prop.elems()
		switch {
		case len(kids) == 1 && dsc.with(prop).is(kids[0], nsRDF, "Alt"):
			alt = kids[0]
		case len(kids) == 0:
			// A plain literal: keep it as the x-default entry.
			var text strings.Builder
			for _, k := range prop.kids {
				if k.kind == textNode {
					text.WriteString(k.text)
				}
			}
			if t := strings.TrimSpace(text.String()); t != "" {
				oldDefault, hasOldDefault = t, true
			}
			prop.kids = nil
		default:
			return fmt.Errorf("%w: dc:description is not a language alternative (rdf:Alt); fix or remove it by hand", ErrNotXMP)
		}
	}
	if alt == nil {
		alt = &node{kind: elemNode, name: xml.Name{Space: rdfPrefix, Local: "Alt"}}
		prop.appendKid(alt, depth+2)
		if hasOldDefault {
			alt.appendKid(li(rdfPrefix, "x-default", oldDefault), depth+3)
		}
	}
	mergeAlt(alt, rdfPrefix, caps, def, opt.ReplaceDefault, depth+3)

	if opt.Model != "" {
		t := opt.Time
		if t.IsZero() {
			t = time.Now()
		}
		p := dsc.declare(desc, NSCapgen, "capgen")
		desc.setAttr(p, "model", opt.Model)
		desc.setAttr(p, "date", t.UTC().Format(time.RFC3339))
	}
	return nil
}

// mergeAlt replaces the rdf:li entries of alt (at depth) in the languages
// of caps and sets x-default when it is missing or replace is set.
func mergeAlt(alt *node, rdfPrefix string, caps []Entry, def string, replace bool, depth int) {
	var xdefault *node
	for _, k := range alt.elems() {
		lang, _ := k.attr("xml", "lang")
		if strings.EqualFold(lang, "x-default") {
			xdefault = k
			continue
		}
		for _, c := range caps {
			if strings.EqualFold(lang, c.Lang) {
				alt.removeKid(k)
				break
			}
		}
	}
	switch {
	case xdefault == nil:
		alt.prependKid(li(rdfPrefix, "x-default", def), depth)
	case replace:
		xdefault.kids = []*node{{kind: textNode, text: def}}
	}
	for _, c := range caps {
		alt.appendKid(li(rdfPrefix, c.Lang, c.Text), depth)
	}
}

// findRDF returns the first rdf:RDF element under n and the scope it sits
// in.
func findRDF(n *node, sc scope) (*node, scope) {
	for _, k := range n.elems() {
		if sc.is(k, nsRDF, "RDF") {
			return k, sc
		}
		if r, s := findRDF(k, sc.with(k)); r != nil {
			return r, s
		}
	}
	return nil, nil
}

func li(rdfPrefix, lang, text string) *node {
	n := &node{kind: elemNode, name: xml.Name{Space: rdfPrefix, Local: "li"}, attrs: []xml.Attr{{Name: xml.Name{Space: "xml", Local: "lang"}, Value: lang}}}
	if text != "" {
		n.kids = []*node{{kind: textNode, text: text}}
	}
	return n
}
