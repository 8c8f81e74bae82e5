//go:build cgo

package llama

/*
#include "bridge.h"
*/
import "C"

import (
	"context"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
)

var (
	backendOnce sync.Once
	logger      atomic.Pointer[slog.Logger]

	// llama.cpp writes log lines in fragments, from the thread that
	// calls it (and from ggml's worker threads); logMu guards the pending
	// fragments per thread and the traps of the operations running now.
	logMu   sync.Mutex
	pending = map[C.uintptr_t]*pendingLine{}
	traps   = map[C.uintptr_t]*string{}
)

// pendingLine is a log line of one thread still being written.
type pendingLine struct {
	text  strings.Builder
	level C.int
}

// initBackend initialises llama.cpp once per process and routes its logs.
func initBackend() {
	backendOnce.Do(func() {
		C.capgen_log_install()
		C.llama_backend_init()
	})
}

// SetLogger routes llama.cpp, ggml and mtmd log lines to l. By default they
// are dropped (error lines are still kept for error messages). Pass nil to
// drop them again. Safe to call at any time.
func SetLogger(l *slog.Logger) {
	logger.Store(l)
}

//export goLogCallback
func goLogCallback(level C.int, text *C.char, tid C.uintptr_t) {
	s := C.GoString(text)
	logMu.Lock()
	p := pending[tid]
	if p == nil {
		p = &pendingLine{}
		pending[tid] = p
	}
	// GGML_LOG_LEVEL_CONT continues the previous line at its level.
	if level != C.GGML_LOG_LEVEL_CONT {
		p.level = level
	}
	p.text.WriteString(s)
	if !strings.HasSuffix(s, "\n") {
		logMu.Unlock()
		return
	}
	line := strings.TrimSpace(p.text.String())
	p.text.Reset()
	lvl := p.level
	// The first error of an operation names the cause; later ones say
	// only that the caller failed too.
	if t := traps[tid]; t != nil && lvl == C.GGML_LOG_LEVEL_ERROR && line != "" && *t == "" {
		*t = line
	}
	logMu.Unlock()

	l := logger.Load()
	if l == nil || line == "" {
		return
	}
	var sl slog.Level
	switch lvl {
	case C.GGML_LOG_LEVEL_ERROR:
		sl = slog.LevelError
	case C.GGML_LOG_LEVEL_WARN:
		sl = slog.LevelWarn
	case C.GGML_LOG_LEVEL_INFO:
		sl = slog.LevelInfo
	default:
		sl = slog.LevelDebug
	}
	l.Log(context.Background(), sl, line, "source", "llama.cpp")
}

// trapErrors runs f, a call into llama.cpp, on a locked OS thread and
// returns the first error line llama.cpp logged on that thread meanwhile:
// it usually names the exact problem, and it is this call's own, never
// that of another goroutine's call running at the same time.
func trapErrors(f func()) string {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	tid := C.capgen_thread_id()
	var first string
	logMu.Lock()
	traps[tid] = &first
	logMu.Unlock()
	f()
	logMu.Lock()
	delete(traps, tid)
	logMu.Unlock()
	return first
}
