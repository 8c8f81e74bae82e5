package batch

import (
	"os"
	"strings"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/sidecar"
)

// writeSidecars writes the XMP and text sidecars the options ask for.
func writeSidecars(path string, res *caption.Result, o *Options) error {
	if o.XMP {
		entries := make([]sidecar.Entry, len(res.Captions))
		for i, c := range res.Captions {
			entries[i] = sidecar.Entry{Lang: c.Language.Tag, Text: c.Text}
		}
		if _, err := sidecar.WriteXMP(path, entries, &sidecar.XMPOptions{ReplaceExtension: o.XMPReplaceExtension, ReplaceDefault: o.Mode == Overwrite, Model: res.Model}); err != nil {
			return err
		}
	}
	if o.Text && len(res.Captions) > 0 {
		text := res.Captions[0].Text
		if o.Mode == Append {
			if old, err := os.ReadFile(sidecar.TextPath(path, nil)); err == nil && len(strings.TrimSpace(string(old))) > 0 {
				text = strings.TrimRight(string(old), "\n") + "\n" + text
			}
		}
		if _, err := sidecar.WriteText(path, text, nil); err != nil {
			return err
		}
	}
	return nil
}
