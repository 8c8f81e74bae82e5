//go:build cgo

package llama

// The headers (capgen/*.h) and static libraries come from
// cmd/capgen-native: `make` installs them into build/ of a checkout, which
// is searched first; an application's build finds them in /usr/local or
// through CGO_CPPFLAGS and CGO_LDFLAGS. The link flags for each backend are
// in link_*.go.

/*
#cgo CFLAGS: -I${SRCDIR}/../build/include -O2
#include "bridge.h"
*/
import "C"
