package applier_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ldtokens/ldtokens/applier"
	"github.com/ldtokens/ldtokens/emulator"
	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/planner"
	"github.com/ldtokens/ldtokens/secret"
	"github.com/ldtokens/ldtokens/spec"
)

// benchPageSize is the page size the client asks for, and the emulator's cap.
const benchPageSize = 1000

func benchAccount(n int) emulator.Account {
	a := emulator.Account{}
	for i := range n {
		var t emulator.StoredToken
		t.ID = fmt.Sprintf("%024x", i+1)
		t.Name = fmt.Sprintf("svc-%05d", i)
		t.Description = "managed"
		t.Role, t.ServiceToken, t.DefaultAPIVersion = "reader", true, 20240415
		a.Tokens = append(a.Tokens, t)
	}
	return a
}

// benchSpec declares n tokens; changed of them differ in description.
func benchSpec(b *testing.B, n, changed int) *spec.Spec {
	var sb strings.Builder
	sb.WriteString("tokens:\n")
	for i := range n {
		desc := "managed"
		if i%max(1, n/max(changed, 1)) == 0 && changed > 0 {
			desc = "changed"
		}
		fmt.Fprintf(&sb, "  - {name: svc-%05d, description: %s, role: reader}\n", i, desc)
	}
	s, err := spec.Parse("bench.yaml", []byte(sb.String()))
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func benchServer(b *testing.B, n int, latency time.Duration) (*emulator.Server, string) {
	srv := emulator.New(benchAccount(n), emulator.Options{MaxPageSize: benchPageSize, Seed: 1, Faults: emulator.Faults{Latency: latency}})
	hs := httptest.NewServer(srv)
	b.Cleanup(hs.Close)
	return srv, hs.URL
}

// latencies are the server's response delays benchmarked: none (loopback,
// the emulator sharing the CPU with the client) and 50ms (a round trip to
// LaunchDarkly's API from a CI runner, roughly).
var latencies = []time.Duration{0, 50 * time.Millisecond}

// BenchmarkDownloadPages is the floor a plan is measured against: fetching
// every page of the list, one after another, with a plain HTTP client that
// does not even decode the JSON.
func BenchmarkDownloadPages(b *testing.B) {
	for _, lat := range latencies {
		for _, n := range []int{1000, 10000} {
			b.Run(fmt.Sprintf("latency=%s/tokens=%d", lat, n), func(b *testing.B) {
				downloadPages(b, n, lat)
			})
		}
	}
}

func downloadPages(b *testing.B, n int, latency time.Duration) {
	_, url := benchServer(b, n, latency)
	client := &http.Client{}
	pages := (n + benchPageSize - 1) / benchPageSize
	b.ResetTimer()
	for b.Loop() {
		download(b, client, url, pages)
	}
	b.ReportMetric(float64(pages), "pages/op")
}

// download fetches the first pages of the token list one after another,
// reading each body without decoding it.
func download(b *testing.B, client *http.Client, url string, pages int) {
	for p := range pages {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v2/tokens?limit=%d&offset=%d", url, benchPageSize, p*benchPageSize), nil)
		req.Header.Set("Authorization", "bench")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// BenchmarkPlanVsDownload measures the target directly: a plan of
// 10,000 tokens against the time it takes merely to download the pages,
// both from the same loopback emulator and interleaved iteration by
// iteration, so that a noisy neighbour slows both alike. It reports the
// mean of each and their ratio, with no change and with 10% changed.
func BenchmarkPlanVsDownload(b *testing.B) {
	for _, pct := range []int{0, 10} {
		b.Run(fmt.Sprintf("tokens=10000/changed=%d%%", pct), func(b *testing.B) {
			planVsDownload(b, 10000, pct)
		})
	}
}

func planVsDownload(b *testing.B, n, pct int) {
	_, url := benchServer(b, n, 0)
	s := benchSpec(b, n, n*pct/100)
	client, err := ldapi.New(ldapi.Config{Host: url, Token: secret.New("bench"), PageSize: benchPageSize})
	if err != nil {
		b.Fatal(err)
	}
	plain := &http.Client{}
	ctx := context.Background()
	var downloading, planning time.Duration
	for b.Loop() {
		start := time.Now()
		download(b, plain, url, n/benchPageSize)
		downloading += time.Since(start)
		start = time.Now()
		listAndPlan(b, ctx, client, s)
		planning += time.Since(start)
	}
	b.ReportMetric(downloading.Seconds()*1000/float64(b.N), "download-ms/op")
	b.ReportMetric(planning.Seconds()*1000/float64(b.N), "plan-ms/op")
	b.ReportMetric(planning.Seconds()/downloading.Seconds(), "plan/download")
}

// BenchmarkPlan lists every token over loopback HTTP and plans, as `ldtokens
// plan` does. It reports the list calls made, which must equal the pages
// needed.
func BenchmarkPlan(b *testing.B) {
	for _, lat := range latencies {
		for _, n := range []int{1000, 10000} {
			for _, pct := range []int{0, 10} {
				b.Run(fmt.Sprintf("latency=%s/tokens=%d/changed=%d%%", lat, n, pct), func(b *testing.B) {
					planOverHTTP(b, n, pct, lat)
				})
			}
		}
	}
}

func planOverHTTP(b *testing.B, n, pct int, latency time.Duration) {
	srv, url := benchServer(b, n, latency)
	s := benchSpec(b, n, n*pct/100)
	client, err := ldapi.New(ldapi.Config{Host: url, Token: secret.New("bench"), PageSize: benchPageSize})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	before := srv.Stats().Requests["GET /api/v2/tokens"]
	var p planner.Plan
	b.ResetTimer()
	for b.Loop() {
		p = listAndPlan(b, ctx, client, s)
	}
	b.StopTimer()
	calls := srv.Stats().Requests["GET /api/v2/tokens"] - before
	b.ReportMetric(float64(calls)/float64(b.N), "list-calls/op")
	if want := (n + benchPageSize - 1) / benchPageSize; calls != want*b.N {
		b.Fatalf("%d list calls for %d plans, want %d a plan", calls, b.N, want)
	}
	if got := p.Summary().Update; got != n*pct/100 {
		b.Fatalf("%d updates, want %d", got, n*pct/100)
	}
}

// listAndPlan is what `ldtokens plan` does once the spec is loaded.
func listAndPlan(b *testing.B, ctx context.Context, client *ldapi.Client, s *spec.Spec) planner.Plan {
	remote, err := client.ListTokens(ctx, ldapi.ListOptions{})
	if err != nil {
		b.Fatal(err)
	}
	p, err := planner.Make(planner.Input{Spec: s, Remote: remote, Now: time.Now()})
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkApplyUnderRateLimit creates 200 tokens against an account that
// allows 100 requests a second, and reports the throughput.
func BenchmarkApplyUnderRateLimit(b *testing.B) {
	const n = 200
	for b.Loop() {
		b.StopTimer()
		srv, url := benchServer(b, 0, 0)
		srv.SetFaults(emulator.Faults{RateLimit: 10, Window: 100 * time.Millisecond})
		client, err := ldapi.New(ldapi.Config{Host: url, Token: secret.New("bench")})
		if err != nil {
			b.Fatal(err)
		}
		var sb strings.Builder
		sb.WriteString("tokens:\n")
		for i := range n {
			fmt.Fprintf(&sb, "  - {name: new-%03d, role: reader}\n", i)
		}
		s, err := spec.Parse("bench.yaml", []byte(sb.String()))
		if err != nil {
			b.Fatal(err)
		}
		p, err := planner.Make(planner.Input{Spec: s, Now: time.Now()})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		res := applier.Apply(context.Background(), p, applier.Options{Client: client, Sink: secret.DirSink{Dir: filepath.Join(b.TempDir(), "s")}, Parallelism: 8, NoVerify: true})
		elapsed := time.Since(start)
		b.StopTimer()
		if applier.AnyFailed(res) {
			b.Fatal("apply failed")
		}
		st := srv.Stats()
		b.ReportMetric(float64(n)/elapsed.Seconds(), "tokens/s")
		b.ReportMetric(float64(st.RateLimited), "429s/op")
		b.StartTimer()
	}
}
