package server

import (
	"embed"
	"io/fs"
	"net/http"
)

// web is the local web page (index.html, app.js, app.css): plain files in
// the binary, no front-end build step.
//
//go:embed web
var web embed.FS

func (s *Server) webRoutes(m *http.ServeMux) {
	files, _ := fs.Sub(web, "web")
	static := http.FileServerFS(files)
	m.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		http.ServeFileFS(w, r, files, "index.html")
	})
	m.Handle("GET /static/", http.StripPrefix("/static/", static))
}
