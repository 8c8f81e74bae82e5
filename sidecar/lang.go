package sidecar

import (
	"fmt"
	"strings"
)

// checkLang accepts a well-formed BCP-47 tag: subtags of 1 to 8 ASCII
// letters or digits joined by hyphens, the first made of letters only. It
// checks the shape, not the registry, so private-use and new tags pass.
// "x-default" is refused because it is not a language: XMPOptions.Default
// sets that entry.
func checkLang(tag string) error {
	if strings.EqualFold(tag, "x-default") {
		return fmt.Errorf("%w: %q is not a language; set XMPOptions.Default for the x-default entry", ErrInvalid, tag)
	}
	if tag == "" {
		return fmt.Errorf("%w: empty language tag", ErrInvalid)
	}
	for i, sub := range strings.Split(tag, "-") {
		if len(sub) == 0 || len(sub) > 8 {
			return fmt.Errorf("%w: language tag %q is not BCP-47 (use tags like \"de\", \"pt-BR\", \"zh-Hant\")", ErrInvalid, tag)
		}
		for _, c := range []byte(sub) {
			letter := c|0x20 >= 'a' && c|0x20 <= 'z'
			digit := c >= '0' && c <= '9'
			if !letter && (i == 0 || !digit) {
				return fmt.Errorf("%w: language tag %q is not BCP-47 (use tags like \"de\", \"pt-BR\", \"zh-Hant\")", ErrInvalid, tag)
			}
		}
	}
	return nil
}
