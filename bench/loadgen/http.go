package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
)

// httpCaller posts the payload the way Centrifugo's HTTP proxy does: Go's net/http client, a pool of keep-alive
// connections (up to 255 idle per host), Content-Type application/json, the whole body read, 200 required.
func httpCaller(url string, payload []byte) func(ctx context.Context) error {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 255, MaxIdleConns: 2048}}
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(payload))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("unexpected HTTP status %d", resp.StatusCode)
		}
		return nil
	}
}
