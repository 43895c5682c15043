package emulator

import (
	"net/http"
	"strings"

	"github.com/ldtokens/ldtokens/ldapi"
)

// route is one endpoint: a method, a ServeMux path pattern and its handler.
type route struct {
	method, path string
	handler      http.HandlerFunc
}

// endpoints lists every endpoint the server serves.
func (s *Server) endpoints() []route {
	return []route{
		{http.MethodGet, ldapi.TokensPath, s.list},
		{http.MethodPost, ldapi.TokensPath, s.create},
		{http.MethodGet, ldapi.TokensPath + "/{id}", s.get},
		{http.MethodPatch, ldapi.TokensPath + "/{id}", s.patch},
		{http.MethodDelete, ldapi.TokensPath + "/{id}", s.delete},
		{http.MethodPost, ldapi.TokensPath + "/{id}/reset", s.reset},
		{http.MethodGet, "/api/v2/roles", s.listRoles},
		{http.MethodGet, "/api/v2/caller-identity", s.callerIdentity},
		{http.MethodGet, auditLogPath, s.auditLog},
	}
}

// routes builds the mux: every endpoint under "METHOD PATH", every known
// path under its bare PATH answering 405 for the other methods, and "/"
// answering 404, all with LaunchDarkly's {code, message} body.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	allowed := map[string][]string{}
	var paths []string
	for _, rt := range s.endpoints() {
		mux.HandleFunc(rt.method+" "+rt.path, rt.handler)
		if allowed[rt.path] == nil {
			paths = append(paths, rt.path)
		}
		allowed[rt.path] = append(allowed[rt.path], rt.method)
	}
	for _, p := range paths {
		allow := strings.Join(allowed[p], ", ")
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			writeStatus(w, http.StatusMethodNotAllowed, "")
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeStatus(w, http.StatusNotFound, "")
	})
	return mux
}

// routeName is the key a request is counted under in Stats: its endpoint
// ("PATCH /api/v2/tokens/{id}"), or its method and path when it matches
// none.
func (s *Server) routeName(r *http.Request) string {
	if _, pattern := s.mux.Handler(r); strings.HasPrefix(pattern, r.Method+" ") {
		return pattern
	}
	return r.Method + " " + r.URL.Path
}
