package emulator

import (
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Options configures a Server.
type Options struct {
	// AccessToken is an Authorization value the server accepts as the
	// account's caller member, besides any token's secret; empty accepts
	// any non-empty value as the caller member.
	AccessToken string
	// MaxPageSize caps the limit of a list request (default 1000).
	MaxPageSize int
	// Faults are injected failures.
	Faults Faults
	// Seed seeds IDs and faults; the same seed gives the same run.
	Seed uint64
	// Now is the clock (default time.Now): it dates changes and audit
	// entries and decides when a previous secret expires.
	Now func() time.Time
	// OnChange is called, under the server's lock, after every change.
	OnChange func(Account)
	// OnIssue is called with every secret the server issues. Tests use it
	// to scan everything ldtokens wrote for every secret; nothing else should.
	OnIssue func(value string)
}

// Server serves the LaunchDarkly tokens API from an Account.
type Server struct {
	opts Options
	mux  *http.ServeMux

	mu          sync.Mutex
	acct        Account
	rng         *rand.Rand
	auditRng    *rand.Rand
	stats       Stats
	windowStart time.Time
	windowCount int
	lostCreates int
	// secrets indexes the account's secret hashes; nil after every change,
	// rebuilt on the next lookup.
	secrets map[string]secretRef
}

// New returns a server over acct; missing owner, caller and member records
// are filled in so that a hand-written snapshot needs only its tokens.
func New(acct Account, opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxPageSize <= 0 {
		opts.MaxPageSize = 1000
	}
	if opts.Faults.Window <= 0 {
		opts.Faults.Window = 10 * time.Second
	}
	s := &Server{opts: opts, rng: rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)), auditRng: newAuditRand(opts.Seed)}
	s.stats.Requests = map[string]int{}
	s.acct = s.normalize(acct)
	s.mux = s.routes()
	return s
}

// ServeHTTP implements http.Handler: it authenticates and counts the
// request, injects faults, then routes it. A trailing slash is ignored.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p := r.URL.Path; len(p) > 1 && strings.HasSuffix(p, "/") {
		r = r.Clone(r.Context())
		r.URL.Path, r.URL.RawPath = strings.TrimSuffix(p, "/"), ""
	}
	p, ok, latency := s.admit(w, r, s.routeName(r))
	if latency > 0 {
		time.Sleep(latency)
	}
	if !ok {
		return
	}
	s.mux.ServeHTTP(w, withCaller(r, p))
}
