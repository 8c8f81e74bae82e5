package sidecar

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// The sidecar is read into a small tree of raw tokens and written back from
// it. encoding/xml's Encoder is not used for output because it renames
// namespace prefixes; here every prefix, attribute, comment and processing
// instruction (the xpacket wrapper included) is written back as read, and
// start tags the merge does not touch keep their bytes (darktable and
// Exiv2 put one attribute per line), so a merge changes only the nodes it
// means to change.

type nodeKind uint8

const (
	docNode nodeKind = iota
	elemNode
	textNode
	commentNode
	procInstNode
	directiveNode
)

type node struct {
	kind   nodeKind
	name   xml.Name   // Space holds the prefix as written, not a URI
	attrs  []xml.Attr // Name.Space likewise holds the prefix
	kids   []*node
	text   string // text, comment, directive or processing-instruction body
	target string // processing-instruction target
	// raw is the start tag as read, "/>" included for an empty-element
	// tag; nil once attrs change or for a new element.
	raw []byte
}

const nsXML = "http://www.w3.org/XML/1998/namespace"

func parseTree(data []byte) (*node, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	root := &node{kind: docNode}
	stack := []*node{root}
	for {
		start := d.InputOffset()
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		top := stack[len(stack)-1]
		switch t := tok.(type) {
		case xml.StartElement:
			raw := slices.Clone(data[start:d.InputOffset()])
			n := &node{kind: elemNode, name: t.Name, attrs: slices.Clone(t.Attr), raw: raw}
			top.kids = append(top.kids, n)
			stack = append(stack, n)
		case xml.EndElement:
			// RawToken leaves matching start and end tags to the caller.
			if len(stack) == 1 || t.Name != top.name {
				return nil, fmt.Errorf("unexpected end tag </%s>", qname(t.Name))
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			top.kids = append(top.kids, &node{kind: textNode, text: string(t)})
		case xml.Comment:
			top.kids = append(top.kids, &node{kind: commentNode, text: string(t)})
		case xml.ProcInst:
			top.kids = append(top.kids, &node{kind: procInstNode, target: t.Target, text: string(t.Inst)})
		case xml.Directive:
			top.kids = append(top.kids, &node{kind: directiveNode, text: string(t)})
		}
	}
	if len(stack) != 1 {
		return nil, fmt.Errorf("unclosed element <%s>", qname(stack[len(stack)-1].name))
	}
	return root, nil
}

func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

func (n *node) write(b *bytes.Buffer) {
	switch n.kind {
	case docNode:
		for _, k := range n.kids {
			k.write(b)
		}
	case elemNode:
		if empty := bytes.HasSuffix(n.raw, []byte("/>")); n.raw != nil && (!empty || len(n.kids) == 0) {
			b.Write(n.raw)
			if !empty {
				n.writeContent(b)
			}
			return
		}
		b.WriteByte('<')
		b.WriteString(qname(n.name))
		for _, a := range n.attrs {
			b.WriteByte(' ')
			b.WriteString(qname(a.Name))
			b.WriteString(`="`)
			escape(b, a.Value, true)
			b.WriteByte('"')
		}
		if len(n.kids) == 0 {
			b.WriteString("/>")
			return
		}
		b.WriteByte('>')
		n.writeContent(b)
	case textNode:
		escape(b, n.text, false)
	case commentNode:
		b.WriteString("<!--")
		b.WriteString(n.text)
		b.WriteString("-->")
	case procInstNode:
		b.WriteString("<?")
		b.WriteString(n.target)
		if n.text != "" {
			b.WriteByte(' ')
			b.WriteString(n.text)
		}
		b.WriteString("?>")
	case directiveNode:
		b.WriteString("<!")
		b.WriteString(n.text)
		b.WriteByte('>')
	}
}

// writeContent writes the children and the end tag of element n.
func (n *node) writeContent(b *bytes.Buffer) {
	for _, k := range n.kids {
		k.write(b)
	}
	b.WriteString("</")
	b.WriteString(qname(n.name))
	b.WriteByte('>')
}

// escape writes s as XML character data or, with attr, as a double-quoted
// attribute value. Characters XML 1.0 cannot carry at all (most C0
// controls, invalid UTF-8) become U+FFFD so the packet stays well-formed.
func escape(b *bytes.Buffer, s string, attr bool) {
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"' && attr:
			b.WriteString("&quot;")
		case r == '\r':
			b.WriteString("&#xD;")
		case (r == '\n' || r == '\t') && attr:
			// Attribute-value normalisation would turn them into spaces.
			fmt.Fprintf(b, "&#x%X;", r)
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20, r == 0xFFFE, r == 0xFFFF, r >= 0xD800 && r <= 0xDFFF, r == utf8.RuneError:
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
	}
}

// scope is the chain of elements from the root to the current one, used to
// resolve namespace prefixes the way the document declares them.
type scope []*node

func (s scope) with(n *node) scope { return append(s[:len(s):len(s)], n) }

// uri returns the namespace bound to prefix at the innermost element of s,
// or "" when it is unbound.
func (s scope) uri(prefix string) string {
	if prefix == "xml" {
		return nsXML
	}
	for i := len(s) - 1; i >= 0; i-- {
		for _, a := range s[i].attrs {
			if (prefix != "" && a.Name.Space == "xmlns" && a.Name.Local == prefix) ||
				(prefix == "" && a.Name.Space == "" && a.Name.Local == "xmlns") {
				return a.Value
			}
		}
	}
	return ""
}

// prefix returns a prefix bound to uri at the innermost element of s.
func (s scope) prefix(uri string) (string, bool) {
	for i := len(s) - 1; i >= 0; i-- {
		for _, a := range s[i].attrs {
			if a.Name.Space == "xmlns" && a.Value == uri && s.uri(a.Name.Local) == uri {
				return a.Name.Local, true
			}
		}
	}
	return "", false
}

// declare binds uri at n (the innermost element of s) under want, or under
// want2, want3, ... when want is taken, and returns the prefix to use.
func (s scope) declare(n *node, uri, want string) string {
	if p, ok := s.prefix(uri); ok {
		return p
	}
	p := want
	for i := 2; s.uri(p) != ""; i++ {
		p = fmt.Sprint(want, i)
	}
	n.setAttr("xmlns", p, uri)
	return p
}

// is reports whether n, seen inside s, is the element {uri}local.
func (s scope) is(n *node, uri, local string) bool {
	return n.kind == elemNode && n.name.Local == local && s.with(n).uri(n.name.Space) == uri
}

func isSpace(n *node) bool {
	return n.kind == textNode && strings.TrimSpace(n.text) == ""
}

func (n *node) elems() []*node {
	var out []*node
	for _, k := range n.kids {
		if k.kind == elemNode {
			out = append(out, k)
		}
	}
	return out
}

func (n *node) attr(space, local string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Space == space && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

func (n *node) setAttr(space, local, value string) {
	n.raw = nil
	for i, a := range n.attrs {
		if a.Name.Space == space && a.Name.Local == local {
			n.attrs[i].Value = value
			return
		}
	}
	n.attrs = append(n.attrs, xml.Attr{Name: xml.Name{Space: space, Local: local}, Value: value})
}

func indent(depth int) *node {
	return &node{kind: textNode, text: "\n" + strings.Repeat(" ", depth)}
}

// appendKid adds child as the last element of n, which sits at depth, on a
// line of its own indented one step deeper, keeping the whitespace before
// n's end tag.
func (n *node) appendKid(child *node, depth int) {
	if len(n.kids) > 0 && isSpace(n.kids[len(n.kids)-1]) {
		last := len(n.kids) - 1
		n.kids = slices.Insert(n.kids, last, indent(depth+1), child)
		return
	}
	n.kids = append(n.kids, indent(depth+1), child, indent(depth))
}

// prependKid adds child before n's first element child.
func (n *node) prependKid(child *node, depth int) {
	for i, k := range n.kids {
		if k.kind == elemNode {
			n.kids = slices.Insert(n.kids, i, child, indent(depth+1))
			return
		}
	}
	n.appendKid(child, depth)
}

// removeKid drops child from n together with the indentation before it.
func (n *node) removeKid(child *node) {
	i := slices.Index(n.kids, child)
	if i < 0 {
		return
	}
	if i > 0 && isSpace(n.kids[i-1]) {
		n.kids = slices.Delete(n.kids, i-1, i+1)
		return
	}
	n.kids = slices.Delete(n.kids, i, i+1)
}
