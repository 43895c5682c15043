package emulator

import "time"

// The test controls: what tests and the emulator command use to seed,
// inspect and disturb the server from outside the API.

// Snapshot returns a copy of the account.
func (s *Server) Snapshot() Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.copyAccount()
}

// Stats returns the request counts so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.stats
	out.Requests = make(map[string]int, len(s.stats.Requests))
	for k, v := range s.stats.Requests {
		out.Requests[k] = v
	}
	return out
}

// SetFaults replaces the injected faults.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Window <= 0 {
		f.Window = 10 * time.Second
	}
	s.opts.Faults = f
}

// SetMaxPageSize caps the limit of list requests from now on.
func (s *Server) SetMaxPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.MaxPageSize = n
}

// Mutate changes the account under the server's lock, as a person in the
// LaunchDarkly UI would; tests use it to make drift.
func (s *Server) Mutate(fn func(*Account)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(&s.acct)
	s.changed()
}

// Load replaces the account, as a fresh snapshot would.
func (s *Server) Load(a Account) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.acct = s.normalize(a)
	s.changed()
}

// Authenticate reports which token a secret value belongs to: a current
// secret, or a reset one still within its expiry.
func (s *Server) Authenticate(value string) (id string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := s.secretOwner(value); i >= 0 {
		return s.acct.Tokens[i].ID, true
	}
	return "", false
}
