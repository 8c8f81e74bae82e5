package batch

import (
	"os"
	"strings"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/sidecar"
)

// writeSidecars writes the XMP and text sidecars the options ask for.
func writeSidecars(path, model string, captions []caption.Caption, o *Options) error {
	if o.XMP {
		entries := make([]sidecar.Entry, len(captions))
		for i, c := range captions {
			entries[i] = sidecar.Entry{Lang: c.Language.Tag, Text: c.Text}
		}
		if _, err := sidecar.WriteXMP(path, entries, &sidecar.XMPOptions{ReplaceExtension: o.XMPReplaceExtension, ReplaceDefault: o.Existing == Overwrite, Model: model}); err != nil {
			return err
		}
	}
	if o.Text && len(captions) > 0 {
		text := captions[0].Text
		if o.Existing == Append {
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
