//go:build cgo

package llama

/*
#include "bridge.h"
*/
import "C"

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
)

var (
	backendOnce sync.Once
	logger      atomic.Pointer[slog.Logger]

	// llama.cpp writes log lines in fragments; logMu guards the pending
	// fragment and the first error line since clearLastError, which errors
	// quote because it usually names the exact problem.
	logMu      sync.Mutex
	logPending strings.Builder
	logLevel   C.int
	lastError  string
)

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
func goLogCallback(level C.int, text *C.char) {
	s := C.GoString(text)
	logMu.Lock()
	// GGML_LOG_LEVEL_CONT continues the previous line at its level.
	if level != C.GGML_LOG_LEVEL_CONT {
		logLevel = level
	}
	logPending.WriteString(s)
	if !strings.HasSuffix(s, "\n") {
		logMu.Unlock()
		return
	}
	line := strings.TrimSpace(logPending.String())
	logPending.Reset()
	lvl := logLevel
	// The first error of an operation names the cause; later ones say
	// only that the caller failed too.
	if lvl == C.GGML_LOG_LEVEL_ERROR && line != "" && lastError == "" {
		lastError = line
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

// takeLastError returns and clears the first error line llama.cpp logged
// since clearLastError.
func takeLastError() string {
	logMu.Lock()
	defer logMu.Unlock()
	s := lastError
	lastError = ""
	return s
}

// clearLastError forgets earlier error lines before an operation whose
// failure should quote only its own.
func clearLastError() {
	logMu.Lock()
	lastError = ""
	logMu.Unlock()
}
