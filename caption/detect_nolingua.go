//go:build nolingua

package caption

// Built with -tags nolingua, the package has no statistical identifier:
// language checks rely on scripts and the English and Hindi function-word
// tests, and binaries are about 130 MB smaller (docs/languages.md has the
// figures of both builds).

const identifierName = "no identifier (built with -tags nolingua)"

func newLangIdentifier([]string, bool) langIdentifier { return nil }

func identifierSupports(string) bool { return false }

func identifierSame(a, b string) bool { return a == b }

func identifierNote(bool) string { return identifierName }
