package applier_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/applier"
	"github.com/ldtokens/ldtokens/emulator"
	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/planner"
	"github.com/ldtokens/ldtokens/secret"
	"github.com/ldtokens/ldtokens/spec"
)

// bytesource turns fuzz input into choices.
type bytesource struct {
	b []byte
	i int
}

func (s *bytesource) pick(n int) int {
	if s.i >= len(s.b) || n <= 1 {
		return 0
	}
	v := int(s.b[s.i]) % n
	s.i++
	return v
}

var (
	names    = []string{"a", "b", "ci-x", "ci-y", "p"}
	roles    = []string{"reader", "writer", "admin"}
	descs    = []string{"", "one", "two"}
	roleIDs  = []string{"000000000000000000000aa1", "000000000000000000000aa2"}
	policies = [][]ldapi.Statement{
		{{Effect: "allow", Actions: []string{"*"}, Resources: []string{"proj/*"}}},
		{{Effect: "deny", Actions: []string{"deleteFlag"}, Resources: []string{"proj/*:env/*"}}, {Effect: "allow", Actions: []string{"*"}, Resources: []string{"proj/*"}}},
	}
)

// permissions picks one kind of role: built-in, custom role IDs or inline.
func permissions(src *bytesource) (role string, custom []string, inline []ldapi.Statement) {
	switch src.pick(3) {
	case 0:
		return roles[src.pick(len(roles))], nil, nil
	case 1:
		return "", roleIDs[:1+src.pick(2)], nil
	}
	return "", nil, policies[src.pick(len(policies))]
}

func specYAML(src *bytesource) string {
	var b strings.Builder
	b.WriteString("tokens:\n")
	for _, n := range names {
		switch src.pick(4) {
		case 0:
			continue // undeclared
		case 1:
			fmt.Fprintf(&b, "  - {name: %s, state: absent}\n", n)
			continue
		}
		fmt.Fprintf(&b, "  - name: %s\n", n)
		if d := descs[src.pick(len(descs))]; d != "" {
			fmt.Fprintf(&b, "    description: %s\n", d)
		}
		if src.pick(2) == 0 {
			b.WriteString("    serviceToken: false\n")
		}
		role, custom, inline := permissions(src)
		switch {
		case role != "":
			fmt.Fprintf(&b, "    role: %s\n", role)
		case custom != nil:
			fmt.Fprintf(&b, "    customRoleIds: [%s]\n", strings.Join(custom, ", "))
		default:
			b.WriteString("    inlineRole:\n")
			for _, st := range inline {
				fmt.Fprintf(&b, "      - {effect: %s, actions: [%q], resources: [%q]}\n", st.Effect, st.Actions[0], st.Resources[0])
			}
		}
	}
	if src.pick(2) == 0 {
		b.WriteString("prune: {enabled: true, match: [\"ci-*\"], maxDeletes: 10}\n")
	}
	return b.String()
}

func remoteTokens(src *bytesource) []emulator.StoredToken {
	var out []emulator.StoredToken
	for i, n := range names {
		if src.pick(3) == 0 {
			continue
		}
		var t emulator.StoredToken
		t.ID = fmt.Sprintf("%024x", i+1)
		t.Name, t.Description = n, descs[src.pick(len(descs))]
		t.ServiceToken = src.pick(2) == 0
		t.Role, t.CustomRoleIDs, t.InlineRole = permissions(src)
		out = append(out, t)
	}
	return out
}

// FuzzConverge checks the planner's central invariant: for any spec and any
// remote state, applying the plan to the emulator and planning again yields
// no changes.
func FuzzConverge(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1, 2, 3, 0, 1, 2, 3, 3, 2, 1, 0, 2, 2, 1, 0, 1, 2, 3, 1, 1, 2, 0, 0, 1})
	f.Add([]byte{3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 2, 1, 2, 1, 2, 1, 2, 1})
	f.Add([]byte("a longer seed that picks many different branches for tokens"))
	f.Fuzz(func(t *testing.T, data []byte) {
		src := &bytesource{b: data}
		text := specYAML(src)
		s, err := spec.Parse("fuzz.yaml", []byte(text))
		require.NoError(t, err, "the generator writes valid specs:\n%s", text)
		acct := emulator.Account{Roles: []ldapi.Role{{ID: roleIDs[0], Key: "r1"}, {ID: roleIDs[1], Key: "r2"}}, Tokens: remoteTokens(src)}
		srv := emulator.New(acct, emulator.Options{Seed: 1})
		client, err := ldapi.New(ldapi.Config{Host: "http://emulator.test", Token: secret.New("t"), HTTPClient: &http.Client{Transport: emulator.Transport(srv)}})
		require.NoError(t, err)
		ctx := context.Background()
		plan := func() planner.Plan {
			remote, err := client.ListTokens(ctx, ldapi.ListOptions{})
			require.NoError(t, err)
			p, err := planner.Make(planner.Input{Spec: s, Remote: remote, Now: time.Now(), AllowEmpty: true, CallerMemberID: srv.Snapshot().CallerMemberID})
			require.NoError(t, err)
			return p
		}
		first := plan()
		res := applier.Apply(ctx, first, applier.Options{Client: client, Sink: secret.DirSink{Dir: filepath.Join(t.TempDir(), "s")}, NoVerify: true})
		for _, r := range res {
			require.Equal(t, applier.Done, r.Status, "spec:\n%s\nchange %+v: %v", text, r.Change, r.Err)
		}
		again := plan()
		require.Empty(t, again.Changes, "spec:\n%s\nremote: %+v\nfirst plan: %+v", text, acct.Tokens, first.Changes)
	})
}
