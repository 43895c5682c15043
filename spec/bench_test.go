package spec_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ldtokens/ldtokens/spec"
)

// BenchmarkParse loads a spec of n tokens written as `ldtokens import`
// writes them, one block a token. It shows loading is linear too: ns/token
// stays flat.
func BenchmarkParse(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		var sb strings.Builder
		sb.WriteString("tokens:\n")
		for i := range n {
			fmt.Fprintf(&sb, "  - name: svc-%05d\n    description: managed\n    role: reader\n    rotate:\n      every: 90d\n      grace: 24h\n", i)
		}
		data := []byte(sb.String())
		b.Run(fmt.Sprintf("tokens=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				s, err := spec.Parse("bench.yaml", data)
				if err != nil {
					b.Fatal(err)
				}
				if len(s.Tokens) != n {
					b.Fatalf("%d tokens, want %d", len(s.Tokens), n)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/token")
		})
	}
}
