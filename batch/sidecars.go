package batch

import (
	"os"
	"strings"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/sidecar"
)

// writeSidecars writes the XMP and text sidecars the options ask for.
//
// A caption that failed its language check is never written: its
// language's entry is left as it was (a rerun fills it), and .txt, which
// holds the first language's caption, is not written at all.
func writeSidecars(path, model string, captions []caption.Caption, o *Options) error {
	if o.XMP {
		var entries []sidecar.Entry
		for _, c := range captions {
			if !c.Failed() {
				entries = append(entries, sidecar.Entry{Lang: c.Language.Tag, Text: c.Text})
			}
		}
		if _, err := sidecar.WriteXMP(path, entries, &sidecar.XMPOptions{ReplaceExtension: o.XMPReplaceExtension, ReplaceDefault: o.Existing == Overwrite, Model: model}); err != nil {
			return err
		}
	}
	if o.Text && len(captions) > 0 && !captions[0].Failed() {
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
