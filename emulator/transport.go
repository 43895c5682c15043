package emulator

import (
	"net/http"
	"net/http/httptest"
)

// Transport returns an http.RoundTripper that serves requests with h in the
// process, with no network: the --emulator mode of every command.
func Transport(h http.Handler) http.RoundTripper {
	return roundTripper{h}
}

type roundTripper struct{ h http.Handler }

func (rt roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	rt.h.ServeHTTP(rec, req)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}
