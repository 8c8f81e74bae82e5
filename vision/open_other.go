//go:build !unix

package vision

// openNonblock is 0 where named pipes are not files (Windows).
const openNonblock = 0
