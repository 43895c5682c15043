package ldapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/ldtokens/ldtokens/emulator"
	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/secret"
)

// BenchmarkListTokens measures the client's side of listing: pages of
// 1,000 tokens as the emulator writes them (with the _links and _member the
// client skips), recorded once and served from memory over loopback HTTP,
// so that the server costs next to nothing and the time is the client's:
// requests, decoding and validation.
func BenchmarkListTokens(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("tokens=%d", n), func(b *testing.B) {
			url := recordedPages(b, n)
			c, err := ldapi.New(ldapi.Config{Host: url, Token: secret.New("bench"), PageSize: 1000})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			for b.Loop() {
				got, err := c.ListTokens(ctx, ldapi.ListOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if len(got) != n {
					b.Fatalf("listed %d tokens, want %d", len(got), n)
				}
			}
		})
	}
}

// recordedPages records the emulator's pages of n tokens and serves them by
// offset.
func recordedPages(b *testing.B, n int) string {
	acct := emulator.Account{}
	for i := range n {
		var t emulator.StoredToken
		t.ID = fmt.Sprintf("%024x", i+1)
		t.Name = fmt.Sprintf("svc-%05d", i)
		t.Description = "managed"
		t.Role, t.ServiceToken, t.DefaultAPIVersion = "reader", true, 20240415
		acct.Tokens = append(acct.Tokens, t)
	}
	em := httptest.NewServer(emulator.New(acct, emulator.Options{Seed: 1}))
	defer em.Close()
	pages := map[string][]byte{}
	for off := 0; off < n; off += 1000 {
		req, _ := http.NewRequest("GET", em.URL+"/api/v2/tokens?limit=1000&offset="+strconv.Itoa(off), nil)
		req.Header.Set("Authorization", "bench")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("recording offset %d: %d %v", off, resp.StatusCode, err)
		}
		pages[strconv.Itoa(off)] = body
	}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := pages[r.URL.Query().Get("offset")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	b.Cleanup(hs.Close)
	return hs.URL
}
