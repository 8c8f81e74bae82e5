// Package server is capgen's HTTP server: one caption.Engine and one
// continuous batch (caption.Engine.Stream) behind three APIs, so that
// photo managers, scripts and any OpenAI or Ollama client library can
// caption images with a local model.
//
//   - The native API (under /capgen/v1/): describe, regions and dense with
//     every capgen option (languages sharing one image encode, the
//     language check and its policy, boxes in every convention), the
//     language registry, model and system information; captions stream
//     per language as Server-Sent Events. /capgen/v1/openapi.json
//     describes it.
//   - OpenAI-compatible POST /v1/chat/completions (text and image_url
//     parts, data: URLs) and GET /v1/models.
//   - Ollama-compatible /api/chat, /api/generate, /api/tags and
//     /api/version.
//
// Requests from all clients decode together: each becomes a caption.Task
// of the server's one Stream, and a finished request frees its sequences
// at once. A request whose client goes away is cancelled
// (caption.WithContext) and stops within a decode step. The queue of
// waiting requests is bounded (429 with Retry-After when full), bodies and
// images are bounded (413, 422), and Shutdown drains: requests in flight
// finish, new ones get 503.
//
// Images come as base64 (JSON) or multipart uploads; file paths only
// inside Options.AllowPaths; http(s) URLs only with
// Options.AllowRemoteImages, with size and time limits and no redirects or
// connections to private addresses.
package server
