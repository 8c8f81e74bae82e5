package server

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/capgen/capgen/vision"
)

// imageSource is where a request's image comes from: exactly one of inline
// bytes (base64 or a data: URL, or a multipart upload), a file path inside
// Options.AllowPaths, or an http(s) URL with Options.AllowRemoteImages.
type imageSource struct {
	data []byte
	path string
	url  string
}

// parseImageString reads the image string of a JSON request: a data: URL,
// an http(s) URL, or bare base64.
func parseImageString(s string) (imageSource, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return imageSource{}, badRequest("no image: give image (base64, a data: URL or an http(s) URL), path, or a multipart file named image")
	case strings.HasPrefix(s, "data:"):
		meta, payload, ok := strings.Cut(s[len("data:"):], ",")
		if !ok || !strings.HasSuffix(meta, ";base64") {
			return imageSource{}, badRequest("image: a data: URL must be base64 (data:image/png;base64,...)")
		}
		b, err := decodeBase64(payload)
		return imageSource{data: b}, err
	case strings.HasPrefix(s, "http://"), strings.HasPrefix(s, "https://"):
		return imageSource{url: s}, nil
	}
	b, err := decodeBase64(s)
	return imageSource{data: b}, err
}

func decodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, s)
	enc := base64.StdEncoding
	if !strings.HasSuffix(s, "=") && len(s)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	if strings.ContainsAny(s, "-_") {
		enc = base64.URLEncoding
		if len(s)%4 != 0 {
			enc = base64.RawURLEncoding
		}
	}
	b, err := enc.DecodeString(s)
	if err != nil {
		return nil, badRequest("image: not valid base64 (%v)", err)
	}
	if len(b) == 0 {
		return nil, badRequest("image: empty")
	}
	return b, nil
}

// load decodes the image, reduced while decoding to sides times the
// engine's side where that is all the model will see.
func (s *Server) load(ctx context.Context, src imageSource, sides int) (*vision.Image, error) {
	start := time.Now()
	defer func() { s.opt.Metrics.decode.Observe(time.Since(start).Seconds()) }()
	opt := s.opt.Decode
	opt.ReduceTo = sides * s.opt.MaxSide
	switch {
	case src.data != nil:
		opt.Name = "image"
		return vision.DecodeBytes(src.data, &opt)
	case src.path != "":
		p, err := s.confine(src.path)
		if err != nil {
			return nil, err
		}
		return vision.Load(p, &opt)
	case src.url != "":
		b, err := s.fetch(ctx, src.url)
		if err != nil {
			return nil, err
		}
		opt.Name = src.url
		return vision.DecodeBytes(b, &opt)
	}
	return nil, badRequest("no image: give image (base64, a data: URL or an http(s) URL), path, or a multipart file named image")
}

// confine resolves path inside Options.AllowPaths, symlinks included.
func (s *Server) confine(path string) (string, error) {
	if s.opt.AllowPaths == "" {
		return "", badRequest("path: this server reads no files (start it with --allow-paths DIR)")
	}
	root, err := filepath.EvalSymlinks(s.opt.AllowPaths)
	if err != nil {
		return "", fmt.Errorf("--allow-paths %s: %w", s.opt.AllowPaths, err)
	}
	root, _ = filepath.Abs(root)
	p := path
	if !filepath.IsAbs(p) {
		p = filepath.Join(root, p)
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", badRequest("path %s: no such file under %s", path, s.opt.AllowPaths)
		}
		return "", badRequest("path %s: %v", path, err)
	}
	rel, err := filepath.Rel(root, real)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", badRequest("path %s is outside %s, the folder this server may read", path, s.opt.AllowPaths)
	}
	return real, nil
}

// fetch downloads a remote image: http(s) only, no redirects, public
// addresses only (checked on the connection itself, so a name that
// resolves to a private address is refused too), within the size and time
// limits.
func (s *Server) fetch(ctx context.Context, raw string) ([]byte, error) {
	if !s.opt.AllowRemoteImages {
		return nil, badRequest("image: this server fetches no URLs (start it with --allow-remote-images); send the image as base64")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, badRequest("image: %q is not an http(s) URL", raw)
	}
	dialer := &net.Dialer{Timeout: s.opt.RemoteTimeout, Control: func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		ip := net.ParseIP(host)
		if ip == nil || !publicIP(ip) {
			return fmt.Errorf("%w: %s is not a public address", errBadInput, host)
		}
		return nil
	}}
	client := &http.Client{
		Timeout:   s.opt.RemoteTimeout,
		Transport: &http.Transport{DialContext: dialer.DialContext, Proxy: nil},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return fmt.Errorf("%w: redirects are not followed", errBadInput)
		},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, badRequest("image: %v", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, errBadInput) {
			return nil, badRequest("image %s: %v", raw, errors.Unwrap(err))
		}
		return nil, badRequest("image %s: %v", raw, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, badRequest("image %s: the server answered %s", raw, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, s.opt.RemoteMaxBytes+1))
	if err != nil {
		return nil, badRequest("image %s: %v", raw, err)
	}
	if int64(len(b)) > s.opt.RemoteMaxBytes {
		return nil, fmt.Errorf("image %s: more than %d bytes: %w", raw, s.opt.RemoteMaxBytes, vision.ErrFileTooLarge)
	}
	return b, nil
}

// publicIP reports addresses a server may fetch from: not loopback,
// private, link-local, unspecified or multicast.
func publicIP(ip net.IP) bool {
	return !(ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified())
}
