package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ldtokens/ldtokens/emulator"
	"github.com/ldtokens/ldtokens/internal/cli"
	"github.com/ldtokens/ldtokens/internal/faultproxy"
)

var update = flag.Bool("update", false, "rewrite the golden output in testdata/script")

// testAccessToken is the access token every script's emulator accepts.
const testAccessToken = "api-test-access-token-0000000000000000"

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"ldtokens": main,
		// ldtokens-stdout-panics runs the CLI as main does, but with a
		// standard output whose every write panics: a panic path through
		// the real entry point, for the exit code contract (a Go panic
		// exits 2; ldtokens must exit 1).
		"ldtokens-stdout-panics": func() {
			os.Exit(cli.Run(context.Background(), cli.Streams{Stdin: os.Stdin, Stdout: panickingWriter{}, Stderr: os.Stderr}, os.Args, os.Environ(), cli.Signals{}))
		},
		// ldtokens-progress-panics is the same with a standard error whose
		// progress lines ("[1/2] …") panic: a panic in a change under way,
		// on a goroutine of the applier's.
		"ldtokens-progress-panics": func() {
			os.Exit(cli.Run(context.Background(), cli.Streams{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: progressPanics{os.Stderr}}, os.Args, os.Environ(), cli.Signals{}))
		},
	})
}

// panickingWriter panics on every write.
type panickingWriter struct{}

func (panickingWriter) Write([]byte) (int, error) { panic("stdout write") }

// progressPanics panics on a write of a progress line, and passes the rest.
type progressPanics struct{ w io.Writer }

func (p progressPanics) Write(b []byte) (int, error) {
	if len(b) > 0 && b[0] == '[' {
		panic("progress write")
	}
	return p.w.Write(b)
}

// TestScripts runs testdata/script/*.txtar: each runs the real ldtokens
// binary against its own emulator over HTTP.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Setup:         setupEmulator,
		Cmds:          emulatorCmds,
	})
}

const (
	emuKey    = "emulator"
	emuURLKey = "emulator-url"
	proxyKey  = "faultproxy"
	clockKey  = "clock"
)

// scriptClock is the emulator's clock: the real time plus an offset the
// clock command moves.
type scriptClock struct{ offset atomic.Int64 }

func (c *scriptClock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// setupEmulator starts the script's emulator behind a fault proxy, and
// points ldtokens at the proxy: with no proxy rule it is transparent.
func setupEmulator(e *testscript.Env) error {
	clock := &scriptClock{}
	srv := emulator.New(emulator.Account{}, emulator.Options{AccessToken: testAccessToken, Seed: 1, Now: clock.Now})
	hs := httptest.NewServer(srv)
	e.Defer(hs.Close)
	e.Values[emuURLKey] = hs.URL
	e.Values[clockKey] = clock
	up, err := url.Parse(hs.URL)
	if err != nil {
		return err
	}
	proxy := faultproxy.New(up)
	ps := httptest.NewServer(proxy)
	e.Defer(func() {
		proxy.Close()
		ps.Close()
	})
	e.Values[emuKey] = srv
	e.Values[proxyKey] = proxy
	e.Setenv("LAUNCHDARKLY_API_HOST", ps.URL)
	e.Setenv("LAUNCHDARKLY_ACCESS_TOKEN", testAccessToken)
	e.Setenv("NO_COLOR", "")
	e.Setenv("GITHUB_ACTIONS", "")
	return nil
}

func emu(ts *testscript.TestScript) *emulator.Server {
	return ts.Value(emuKey).(*emulator.Server)
}

func proxy(ts *testscript.TestScript) *faultproxy.Proxy {
	return ts.Value(proxyKey).(*faultproxy.Proxy)
}

func findToken(ts *testscript.TestScript, a *emulator.Account, name string) *emulator.StoredToken {
	for i := range a.Tokens {
		if a.Tokens[i].Name == name || a.Tokens[i].ID == name {
			return &a.Tokens[i]
		}
	}
	ts.Fatalf("no token %q in the emulator", name)
	return nil
}

var emulatorCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	// seed FILE: replace the emulator's account with a snapshot.
	"seed": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 1 {
			ts.Fatalf("usage: seed FILE")
		}
		var a emulator.Account
		ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &a))
		emu(ts).Load(a)
	},
	// seedmany PREFIX N [service|personal]: add N reader tokens named PREFIX-0001….
	"seedmany": func(ts *testscript.TestScript, neg bool, args []string) {
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		emu(ts).Mutate(func(a *emulator.Account) {
			for i := range n {
				t := emulator.StoredToken{}
				t.ID = fmt.Sprintf("%s%08x", "aaaaaaaaaaaaaaaa", len(a.Tokens)+i)
				t.Name = fmt.Sprintf("%s-%04d", args[0], i+1)
				t.Role, t.ServiceToken = "reader", true
				t.OwnerID, t.MemberID = a.CallerMemberID, a.CallerMemberID
				t.CreationDate, t.LastModified, t.DefaultAPIVersion = time.Now().UnixMilli(), time.Now().UnixMilli(), 20240415
				a.Tokens = append(a.Tokens, t)
			}
		})
	},
	// tokens: print "name role service" for every token, sorted.
	"tokens": func(ts *testscript.TestScript, neg bool, args []string) {
		a := emu(ts).Snapshot()
		var lines []string
		for _, t := range a.Tokens {
			kind := "service"
			if !t.ServiceToken {
				kind = "personal"
			}
			perm := t.Role
			if len(t.CustomRoleIDs) > 0 {
				perm = "custom:" + strings.Join(t.CustomRoleIDs, ",")
			}
			if len(t.InlineRole) > 0 {
				b, _ := json.Marshal(t.InlineRole)
				perm = "inline:" + string(b)
			}
			lines = append(lines, fmt.Sprintf("%s %s %s desc=%q", t.Name, kind, perm, t.Description))
		}
		sort.Strings(lines)
		fmt.Fprintf(ts.Stdout(), "%d tokens\n%s\n", len(lines), strings.Join(lines, "\n"))
	},
	// mutate NAME FIELD VALUE: change a token by hand, as in the UI.
	"mutate": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 3 {
			ts.Fatalf("usage: mutate NAME FIELD VALUE")
		}
		emu(ts).Mutate(func(a *emulator.Account) {
			t := findToken(ts, a, args[0])
			switch args[1] {
			case "description":
				t.Description = args[2]
			case "role":
				t.Role = args[2]
			case "name":
				t.Name = args[2]
			case "lastUsedDaysAgo":
				d, _ := strconv.Atoi(args[2])
				t.LastUsed = time.Now().Add(-time.Duration(d) * 24 * time.Hour).UnixMilli()
			case "ageDays":
				d, _ := strconv.Atoi(args[2])
				t.CreationDate = time.Now().Add(-time.Duration(d) * 24 * time.Hour).UnixMilli()
				t.LastModified = t.CreationDate
				return
			default:
				ts.Fatalf("mutate: unknown field %s", args[1])
			}
			t.LastModified = time.Now().UnixMilli() + 1
		})
	},
	// delete NAME: delete a token by hand.
	"delete": func(ts *testscript.TestScript, neg bool, args []string) {
		emu(ts).Mutate(func(a *emulator.Account) {
			t := findToken(ts, a, args[0])
			id := t.ID
			for i := range a.Tokens {
				if a.Tokens[i].ID == id {
					a.Tokens = append(a.Tokens[:i], a.Tokens[i+1:]...)
					return
				}
			}
		})
	},
	// secretvalid NAME FILE: the secret in FILE authenticates as token NAME.
	"secretvalid": func(ts *testscript.TestScript, neg bool, args []string) {
		value := strings.TrimSpace(ts.ReadFile(args[1]))
		a := emu(ts).Snapshot()
		want := findToken(ts, &a, args[0]).ID
		id, ok := emu(ts).Authenticate(value)
		if ok != !neg || (ok && id != want) {
			ts.Fatalf("secret in %s: authenticates=%v as %q, want %q (neg=%v)", args[1], ok, id, want, neg)
		}
	},
	// secretexpired NAME FILE: the secret in FILE is refused now; when it
	// is a previous secret of token NAME (or id) past its expiry, print
	// when it expired.
	"secretexpired": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 2 {
			ts.Fatalf("usage: secretexpired NAME FILE (for a secret that works, use secretvalid)")
		}
		value := strings.TrimSpace(ts.ReadFile(args[1]))
		if !strings.HasPrefix(value, "api-") {
			ts.Fatalf("%s holds no secret", args[1])
		}
		if id, ok := emu(ts).Authenticate(value); ok {
			ts.Fatalf("secret in %s still authenticates as %s", args[1], id)
		}
		a := emu(ts).Snapshot()
		for _, t := range a.Tokens {
			if t.Name != args[0] && t.ID != args[0] {
				continue
			}
			for _, o := range t.OldSecrets {
				if o.Hash == emulator.HashSecret(value) {
					fmt.Fprintf(ts.Stdout(), "expired at %s\n", time.UnixMilli(o.Expiry).UTC().Format(time.RFC3339))
				}
			}
		}
	},
	// oldsecrets NAME N: token NAME has N reset secrets in their grace period.
	"oldsecrets": func(ts *testscript.TestScript, neg bool, args []string) {
		a := emu(ts).Snapshot()
		t := findToken(ts, &a, args[0])
		n, _ := strconv.Atoi(args[1])
		if len(t.OldSecrets) != n {
			ts.Fatalf("token %s has %d old secrets, want %d", args[0], len(t.OldSecrets), n)
		}
		for _, o := range t.OldSecrets {
			fmt.Fprintf(ts.Stdout(), "expires in %s\n", time.Until(time.UnixMilli(o.Expiry)).Round(time.Hour))
		}
	},
	// requests METHOD PATH: print how many such requests the emulator saw.
	"requests": func(ts *testscript.TestScript, neg bool, args []string) {
		fmt.Fprintf(ts.Stdout(), "%d\n", emu(ts).Stats().Requests[args[0]+" "+args[1]])
	},
	// pagesize N: cap list pages at N items.
	"pagesize": func(ts *testscript.TestScript, neg bool, args []string) {
		n, err := strconv.Atoi(args[0])
		ts.Check(err)
		emu(ts).SetMaxPageSize(n)
	},
	// faults lose-creates=N error-rate=F rate-limit=N: inject faults.
	"faults": func(ts *testscript.TestScript, neg bool, args []string) {
		var f emulator.Faults
		for _, kv := range args {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "lose-creates":
				f.LoseCreates, _ = strconv.Atoi(v)
			case "error-rate":
				f.ErrorRate, _ = strconv.ParseFloat(v, 64)
			case "latency":
				f.Latency, _ = time.ParseDuration(v)
			case "rate-limit":
				f.RateLimit, _ = strconv.Atoi(v)
				f.Window = time.Second
			default:
				ts.Fatalf("faults: unknown %s", k)
			}
		}
		emu(ts).SetFaults(f)
	},
	// proxy RULE...: disturb the requests the rule matches, on their way
	// from ldtokens to the emulator. RULE is one of
	//
	//	lose METHOD PATH           forward, let the emulator act, drop the answer
	//	delay D METHOD PATH        wait D (a Go duration), then forward even if
	//	                           ldtokens gave up
	//	cut METHOD PATH            close the connection, forward nothing
	//	status N [BODY] METHOD PATH  answer N (default body: {code, message})
	//	body BODY METHOD PATH      forward, replace a 2xx answer's body
	//	truncate METHOD PATH       forward, send half the body, close
	//	redirect URL [N] METHOD PATH  answer N (default 302) to URL
	//
	// each optionally followed by nth=N (start at the Nth matching request)
	// and count=N (apply to N requests; default every one). METHOD may be *;
	// PATH is a prefix (/api/v2/tokens/ is every request on one token). The
	// first rule that applies decides. Go resends a GET whose reused
	// connection was cut, so cut GETs count=2 to be seen.
	//
	// proxy reset: remove every rule and forget the log.
	// proxy log: print "METHOD PATH [STATUS] [EFFECT]" for every request
	// since the last reset, in arrival order, such as
	// "POST /api/v2/tokens 201 lost" or "GET /api/v2/tokens 503 injected".
	"proxy": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg {
			ts.Fatalf("unsupported: ! proxy")
		}
		if len(args) == 0 {
			ts.Fatalf("usage: proxy RULE... | proxy reset | proxy log")
		}
		switch args[0] {
		case "reset":
			proxy(ts).Reset()
		case "log":
			for _, e := range proxy(ts).Log() {
				fmt.Fprintln(ts.Stdout(), e)
			}
		default:
			r, err := faultproxy.ParseRule(args)
			ts.Check(err)
			proxy(ts).Add(r)
		}
	},
	// clock DURATION: move the emulator's clock by DURATION (+2h, -5m), so
	// that secrets expire without sleeping. ldtokens keeps the real time.
	"clock": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 1 {
			ts.Fatalf("usage: clock +DURATION")
		}
		d, err := time.ParseDuration(strings.TrimPrefix(args[0], "+"))
		ts.Check(err)
		ts.Value(clockKey).(*scriptClock).offset.Add(int64(d))
	},
	// tokenid NAME: print token NAME's id.
	"tokenid": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 1 {
			ts.Fatalf("usage: tokenid NAME")
		}
		a := emu(ts).Snapshot()
		fmt.Fprintln(ts.Stdout(), findToken(ts, &a, args[0]).ID)
	},
	// handedit MEMBER-EMAIL NAME FIELD VALUE: member MEMBER-EMAIL changes
	// token NAME by hand: a PATCH adding /FIELD = VALUE (a string; JSON for
	// customRoleIds and inlineRole), sent over HTTP straight to the
	// emulator (not through the proxy) with a personal token of the
	// member's, so that the audit log names the member. On first use the
	// member (an admin) and their personal token "handedit MEMBER-EMAIL"
	// are added to the account. With !, the PATCH must be refused.
	"handedit": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 4 {
			ts.Fatalf("usage: handedit MEMBER-EMAIL NAME FIELD VALUE")
		}
		key := handEditor(ts, args[0])
		a := emu(ts).Snapshot()
		id := findToken(ts, &a, args[1]).ID
		value := any(args[3])
		if args[2] == "customRoleIds" || args[2] == "inlineRole" {
			value = json.RawMessage(args[3])
		}
		body, err := json.Marshal([]map[string]any{{"op": "add", "path": "/" + args[2], "value": value}})
		ts.Check(err)
		req, err := http.NewRequest(http.MethodPatch, ts.Value(emuURLKey).(string)+"/api/v2/tokens/"+id, strings.NewReader(string(body)))
		ts.Check(err)
		req.Header.Set("Authorization", key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		ts.Check(err)
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		if ok := resp.StatusCode == http.StatusOK; ok == neg {
			ts.Fatalf("handedit: PATCH answered %d %s", resp.StatusCode, out)
		}
	},
	// auditlog: print the emulator's audit log, oldest first, a line an
	// entry: "WHO VERB NAME: DESCRIPTION", WHO being the member's email or
	// token:NAME for a service token, as in
	// "alice@example.com updated the access token app: Changed description from "" to "x"."
	"auditlog": func(ts *testscript.TestScript, neg bool, args []string) {
		for _, e := range emu(ts).Snapshot().AuditLog {
			who := "?"
			switch {
			case e.Member != nil:
				who = e.Member.Email
			case e.Token != nil:
				who = "token:" + e.Token.Name
			}
			fmt.Fprintf(ts.Stdout(), "%s %s %s: %s\n", who, e.TitleVerb, e.Name, e.Description)
		}
	},
	// redact FILE: replace times and IDs the emulator made up with fixed text.
	"redact": func(ts *testscript.TestScript, neg bool, args []string) {
		path := ts.MkAbs(args[0])
		data, err := os.ReadFile(path)
		ts.Check(err)
		out := timeRE.ReplaceAll(data, []byte("<time>"))
		ts.Check(os.WriteFile(path, out, 0o644))
	},
	// exitcode N PROG [ARGS...]: run PROG as exec does and require exit
	// status N exactly (exec and ! exec tell only zero from non-zero, and
	// a Go panic exits 2). stdout and stderr then hold PROG's streams.
	"exitcode": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) < 2 {
			ts.Fatalf("usage: exitcode N PROG [ARGS...]")
		}
		want, err := strconv.Atoi(args[0])
		ts.Check(err)
		got := 0
		if err := ts.Exec(args[1], args[2:]...); err != nil {
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				ts.Fatalf("%s: %v", args[1], err)
			}
			got = exit.ExitCode()
		}
		if got != want {
			ts.Fatalf("%s exited %d, want %d", args[1], got, want)
		}
	},
	// jsonvalid FILE: FILE holds exactly one JSON value.
	"jsonvalid": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 1 {
			ts.Fatalf("usage: jsonvalid FILE")
		}
		dec := json.NewDecoder(strings.NewReader(ts.ReadFile(args[0])))
		var v any
		err := dec.Decode(&v)
		if err == nil && dec.More() {
			err = fmt.Errorf("more than one JSON value")
		}
		if (err == nil) == neg {
			ts.Fatalf("%s: valid JSON=%v, want %v (%v)", args[0], err == nil, !neg, err)
		}
	},
	// filemode PATH MODE: PATH has permission bits MODE (octal).
	"filemode": func(ts *testscript.TestScript, neg bool, args []string) {
		info, err := os.Stat(ts.MkAbs(args[0]))
		ts.Check(err)
		if got := fmt.Sprintf("%o", info.Mode().Perm()); got != args[1] {
			ts.Fatalf("%s has mode %s, want %s", filepath.Base(args[0]), got, args[1])
		}
	},
}

// handEditor returns the secret of a personal token of the member with
// email, adding the member (an admin) and the token to the account when
// they are missing. IDs and secret are derived from the email.
func handEditor(ts *testscript.TestScript, email string) string {
	derive := func(what string, n int) string {
		sum := sha256.Sum256([]byte(what + " " + email))
		return hex.EncodeToString(sum[:])[:n]
	}
	memberID, tokenID, key := derive("member", 24), derive("token", 24), "api-handedit-"+derive("secret", 32)
	emu(ts).Mutate(func(a *emulator.Account) {
		if !slices.ContainsFunc(a.Members, func(m emulator.Member) bool { return m.ID == memberID }) {
			a.Members = append(a.Members, emulator.Member{ID: memberID, Email: email, Role: "admin"})
		}
		if slices.ContainsFunc(a.Tokens, func(t emulator.StoredToken) bool { return t.ID == tokenID }) {
			return
		}
		var t emulator.StoredToken
		t.ID, t.Name, t.Role = tokenID, "handedit "+email, "admin"
		t.OwnerID, t.MemberID = a.OwnerID, memberID
		t.CreationDate = time.Now().UnixMilli()
		t.LastModified, t.DefaultAPIVersion = t.CreationDate, 20240415
		t.SecretHash, t.Hint = emulator.HashSecret(key), key[len(key)-4:]
		a.Tokens = append(a.Tokens, t)
	})
	return key
}

var timeRE = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)
