package server

import (
	_ "embed"
	"net/http"
)

// openAPIDoc describes the native API; TestOpenAPIMatchesHandlers checks
// it against the real handlers.
//
//go:embed openapi.json
var openAPIDoc []byte

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPIDoc)
}
