package policy_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/policy"
	"github.com/ldtokens/ldtokens/spec"
)

// benchRules are the five rules of the example: three built-ins and
// two CEL rules, one of them over remote-only fields.
var benchRules = []spec.Rule{
	{Name: "service-tokens-rotate", Require: &spec.Predicate{RotateEvery: &spec.DurationRange{Max: days(90)}}, Match: &spec.Predicate{ServiceToken: yes()}},
	{Name: "no-admin", Forbid: &spec.Predicate{Role: "admin"}},
	{Name: "described", Require: &spec.Predicate{Description: yes()}},
	{Name: "no-wildcard-production", Severity: "warning", Message: "no allow-* statement on production",
		CEL: `!token.inlineRole.exists(s, s.effect == "allow" && s.actions.exists(a, a == "*")
  && s.resources.exists(r, r.startsWith("proj/*:env/production")))`},
	{Name: "unused", Scope: "remote", CEL: `token.lastUsed == null || now - token.lastUsed < duration("2160h")`},
}

// BenchmarkCheck checks 10,000 tokens against the five rules, declared
// (validate, plan) and remote (drift); 1 in 10 tokens breaks a rule. The
// target: well under a second for each.
func BenchmarkCheck(b *testing.B) {
	const n = 10000
	set, err := policy.Compile(benchRules)
	if err != nil {
		b.Fatal(err)
	}
	declared := make([]spec.Token, n)
	remote := make([]ldapi.Token, n)
	for i := range n {
		name := fmt.Sprintf("svc-%05d", i)
		declared[i] = spec.Token{Name: name, Description: "managed", State: "present", Role: "reader",
			Rotate: &spec.Rotate{Every: spec.Duration{Duration: 30 * 24 * time.Hour}}}
		remote[i] = ldapi.Token{ID: fmt.Sprintf("%024x", i), Name: name, Description: "managed", ServiceToken: true, Role: "reader",
			CreationDate: now.AddDate(-1, 0, 0).UnixMilli(), LastModified: now.AddDate(0, -1, 0).UnixMilli(), LastUsed: now.Add(-time.Hour).UnixMilli()}
		if i%10 == 0 {
			declared[i].Role, remote[i].Role = "", ""
			st := spec.Statement{Effect: "allow", Actions: []string{"*"}, Resources: []string{"proj/*:env/production:flag/*"}}
			declared[i].InlineRole = []spec.Statement{st}
			remote[i].InlineRole = []ldapi.Statement{{Effect: st.Effect, Actions: st.Actions, Resources: st.Resources}}
			remote[i].LastUsed = now.AddDate(-1, 0, 0).UnixMilli()
		}
	}
	b.Run("declared", func(b *testing.B) {
		for b.Loop() {
			if vs := set.CheckDeclared(declared, now); len(vs) != n/10 {
				b.Fatalf("%d violations, want %d", len(vs), n/10)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/token")
	})
	b.Run("remote", func(b *testing.B) {
		for b.Loop() {
			if vs := set.CheckRemote(remote, declared, nil, now); len(vs) != 2*n/10 {
				b.Fatalf("%d violations, want %d", len(vs), 2*n/10)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/token")
	})
}
