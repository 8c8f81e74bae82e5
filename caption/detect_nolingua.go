//go:build !lingua

package caption

// Built without -tags lingua (the default), the package has no statistical identifier:
// language checks rely on scripts and the English function-word test, and
// binaries stay about 130 MB smaller.

func newLangIdentifier([]string, bool) langIdentifier { return nil }

func identifierSupports(string) bool { return false }

func identifierSame(a, b string) bool { return a == b }

func identifierNote(bool) string { return "no identifier (built without -tags lingua)" }
