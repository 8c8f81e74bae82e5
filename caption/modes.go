package caption

// defaultWords is the word budget of a region caption (RegionsRequest.Words,
// DenseRequest.TileWords) when none is given.
const defaultWords = 10

// defaultMaxTokens is the one table of generation budgets per mode, for
// Generation.MaxTokens left at 0 (its doc lists them). words is the word
// budget of region captions. Translations are sized from their source
// instead (flows.go).
func defaultMaxTokens(m Mode, words int) int {
	switch m {
	case ModeDetailed:
		return 384
	case ModeQuestion:
		return 128
	case ModeRegion:
		return 24 + 3*words
	case ModeTile:
		return 160
	case ModeMerge:
		return 512
	}
	return 96 // ModeBrief
}
