package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// capgen serve answers on loopback, and a signal (ctx cancelled, as
// main's signal handler does) drains it: exit 0.
func TestServeCommandDrainsOnSignal(t *testing.T) {
	addr := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var errOut bytes.Buffer
	done := make(chan int, 1)
	go func() {
		app := newApp()
		app.Writer, app.ErrWriter = &bytes.Buffer{}, &errOut
		done <- runApp(ctx, app, []string{"capgen", "serve", "--model", "toy", "--threads", "1", "--listen", addr}, &errOut)
	}()
	base := "http://" + addr
	ready := false
	for range 500 {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if ready = resp.StatusCode == http.StatusOK; ready {
				break
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	require.True(t, ready, "the server never became ready: %s", errOut.String())
	png, err := os.ReadFile(scene(t))
	require.NoError(t, err)
	b, _ := json.Marshal(map[string]any{"image": base64.StdEncoding.EncodeToString(png), "languages": []string{"de"}})
	resp, err := http.Post(base+"/capgen/v1/describe", "application/json", bytes.NewReader(b))
	require.NoError(t, err)
	var res struct{ Captions []struct{ Text string } }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&res))
	resp.Body.Close()
	require.Len(t, res.Captions, 1)
	assert.Equal(t, sceneDE, res.Captions[0].Text)

	cancel()
	select {
	case code := <-done:
		assert.Equal(t, exitOK, code, errOut.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop after the signal")
	}
	assert.Contains(t, errOut.String(), "draining")
}

// Listening beyond loopback needs a token; a taken port fails before the
// model loads.
func TestServeCommandRefuses(t *testing.T) {
	code, _, errOut := capture(t, "serve", "--model", "toy", "--listen", "0.0.0.0:0")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--token")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	code, _, errOut = capture(t, "serve", "--model", "toy", "--listen", ln.Addr().String())
	assert.Equal(t, exitUsage, code)
	assert.True(t, strings.Contains(errOut, "address already in use"), errOut)
}
