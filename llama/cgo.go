//go:build cgo

package llama

// The headers and static libraries come from `make` (build/include,
// build/lib); the link flags for each backend are in link_*.go.

/*
#cgo CFLAGS: -I${SRCDIR}/../build/include -O2
#include "bridge.h"
*/
import "C"
