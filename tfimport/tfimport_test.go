package tfimport_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/spec"
	"github.com/ldtokens/ldtokens/tfimport"
)

// secretMark starts every secret in the fixtures' token attributes.
const secretMark = "api-5ec7e7"

func read(t *testing.T, file string) *tfimport.Import {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", file))
	require.NoError(t, err)
	defer f.Close()
	im, err := tfimport.Read(f, tfimport.Options{})
	require.NoError(t, err)
	return im
}

func id(n int) string { return fmt.Sprintf("64a1f00d%016x", n) }

func ptr[T any](v T) *T { return &v }

func TestReadV3(t *testing.T) {
	for _, file := range []string{"show-v3.json", "v3.tfstate"} {
		t.Run(file, func(t *testing.T) {
			im := read(t, file)
			assert.Equal(t, []spec.Token{
				{Name: "ci-deployer-0", Role: "writer", DefaultAPIVersion: 20240415},
				{Name: "ci-deployer-1", Role: "reader", DefaultAPIVersion: 20240415},
				{Name: "eu-inner", DefaultAPIVersion: 20240415, InlineRole: []spec.Statement{
					{Effect: "deny", NotActions: []string{"viewProject"}, NotResources: []string{"proj/eu"}},
					{Effect: "allow", Actions: []string{"*"}, Resources: []string{"proj/eu:env/*"}},
				}},
				{Name: "helper", Role: "reader", ServiceToken: ptr(false), DefaultAPIVersion: 20220603},
				{Name: "shared", ID: id(10), Role: "reader", DefaultAPIVersion: 20240415},
				{Name: "svc-a-b", DefaultAPIVersion: 20240415, InlineRole: []spec.Statement{
					{Effect: "allow", Actions: []string{"*"}, Resources: []string{"proj/*:env/staging:flag/*"}},
				}},
				{Name: "svc-its", CustomRoles: []string{"data-readers"}, DefaultAPIVersion: 20240415},
				{Name: "svc-odd", Role: "reader", DefaultAPIVersion: 20240415},
				{Name: "svc-template", Role: "writer", DefaultAPIVersion: 20240415},
			}, im.Tokens())
			assert.Equal(t, []string{
				`terraform state rm 'launchdarkly_access_token.deployer[0]'`,
				`terraform state rm 'launchdarkly_access_token.deployer[1]'`,
				`terraform state rm 'launchdarkly_access_token.legacy'`,
				`terraform state rm 'launchdarkly_access_token.personal'`,
				`terraform state rm 'module.team["eu"].module.inner.launchdarkly_access_token.x'`,
				`terraform state rm 'module.tokens.launchdarkly_access_token.svc["$${x}"]'`,
				`terraform state rm 'module.tokens.launchdarkly_access_token.svc["a b"]'`,
				`terraform state rm 'module.tokens.launchdarkly_access_token.svc["it'\''s"]'`,
				`terraform state rm 'module.tokens.launchdarkly_access_token.svc["q\"uote $HOME \\"]'`,
			}, im.StateRm())
			assert.Equal(t, []string{
				`module.team["eu"].launchdarkly_access_token.bot: token "shared" (64a1f00d0000000000000008) shares its name with 64a1f00d000000000000000a, which is pinned with id:; it stays in Terraform: rename one of them and import again`,
			}, im.Warnings)
			assert.Equal(t, []string{`module.tokens.launchdarkly_access_token.svc["it's"]`}, im.Entries[6].Addresses)
			assert.Equal(t, id(5), im.Entries[6].ID)
		})
	}
}

func TestReadV2(t *testing.T) {
	for _, file := range []string{"show-v2.json", "v2.tfstate"} {
		t.Run(file, func(t *testing.T) {
			im := read(t, file)
			assert.Equal(t, []spec.Token{
				{Name: "legacy-policy", DefaultAPIVersion: 20240415, InlineRole: []spec.Statement{
					{Effect: "allow", Actions: []string{"*"}, Resources: []string{"proj/*"}},
				}},
				{Name: "legacy-reader", Role: "reader", ServiceToken: ptr(false), DefaultAPIVersion: 20191212},
				{Name: "old-0", CustomRoles: []string{"data-readers", "flag-editors"}, DefaultAPIVersion: 20240415},
				{Name: "old-1", DefaultAPIVersion: 20240415, InlineRole: []spec.Statement{
					{Effect: "allow", Actions: []string{"updateOn"}, NotResources: []string{"proj/prod:env/*"}},
				}},
			}, im.Tokens())
			assert.Equal(t, []string{
				`terraform state rm 'launchdarkly_access_token.legacy_policy'`,
				`terraform state rm 'launchdarkly_access_token.legacy_reader'`,
				`terraform state rm 'module.old.launchdarkly_access_token.by_count[0]'`,
				`terraform state rm 'module.old.launchdarkly_access_token.by_count[1]'`,
			}, im.StateRm())
			assert.Equal(t, []string{
				`launchdarkly_access_token.legacy_policy: expire (a provider v2 reset trigger) is not carried over: ldtokens resets secrets on a schedule with rotate: {every: 90d}, or at once with ldtokens rotate`,
			}, im.Warnings)
		})
	}
}

// everything is all an Import says, as text.
func everything(t *testing.T, im *tfimport.Import) string {
	t.Helper()
	j, err := json.Marshal(im.Tokens())
	require.NoError(t, err)
	return fmt.Sprintf("%+v\n%#v\n%s\n%s\n%s\n%s", im, im, j, strings.Join(im.StateRm(), "\n"), strings.Join(im.Warnings, "\n"), tfimport.SecretWarning(im.Tokens(), "tokens.yaml"))
}

func TestNoSecretInAnyOutput(t *testing.T) {
	shows, err := filepath.Glob("testdata/show-*.json")
	require.NoError(t, err)
	states, err := filepath.Glob("testdata/*.tfstate")
	require.NoError(t, err)
	files := append(shows, states...)
	require.Len(t, files, 4)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			require.Contains(t, string(data), secretMark, "the fixture holds secrets")
			im := read(t, filepath.Base(file))
			im.Reconcile([]ldapi.Token{{ID: id(1), Name: "ci-deployer-0", ServiceToken: true}}, "")
			assert.NotContains(t, everything(t, im), secretMark)
		})
	}
}

func TestNoSecretInErrors(t *testing.T) {
	const secret = secretMark + "01-0000-4000-8000-c0ffee000001"
	tests := map[string]string{
		"syntax error in the secret": `{"version": 4, "resources": [{"mode": "managed", "type": "launchdarkly_access_token", "name": "a",
			"instances": [{"attributes": {"id": "x", "name": "a", "token": "` + secret + "\x01" + `"}}]}]}`,
		"syntax error after the secret": `{"format_version": "1.0", "values": {"root_module": {"resources": [{"address": "launchdarkly_access_token.a",
			"mode": "managed", "type": "launchdarkly_access_token", "name": "a", "values": {"token": "` + secret + `" "id": "x"}}]}}}`,
		"secret where a name belongs": `{"version": 4, "resources": [{"mode": "managed", "type": "launchdarkly_access_token", "name": "a",
			"instances": [{"attributes": {"id": "x", "name": ["` + secret + `"], "token": "` + secret + `"}}]}]}`,
		"secret as a number": `{"version": 4, "resources": [{"mode": "managed", "type": "launchdarkly_access_token", "name": "a",
			"instances": [{"attributes": {"id": "x", "name": 5` + "12345678" + `}}]}]}`,
		"secret where a role key belongs": `{"version": 4, "resources": [{"mode": "managed", "type": "launchdarkly_access_token", "name": "a",
			"instances": [{"index_key": {"k": "` + secret + `"}, "attributes": {"id": "x", "name": "a"}}]}]}`,
	}
	for name, doc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := tfimport.Read(strings.NewReader(doc), tfimport.Options{})
			require.Error(t, err)
			assert.NotContains(t, err.Error(), secretMark)
			assert.NotContains(t, err.Error(), "512345678")
		})
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"empty", "  \n", "the state is empty: give the output of `terraform show -json` or a state file"},
		{"not JSON", "resource \"x\" {}", "not valid JSON (at byte 1): give the output of `terraform show -json` or a state file"},
		{"another document", `{"tokens": []}`, "not a Terraform state: give the output of `terraform show -json` or a state file of version 4"},
		{"an old state", `{"version": 3, "modules": []}`, "state version 3: only version 4 is read; give the output of `terraform show -json` instead"},
		{"a plan", `{"format_version": "1.2", "planned_values": {"root_module": {}}}`, "this is a plan: give the output of `terraform show -json` without a plan file, which shows the state"},
		{"a bad attribute", `{"version": 4, "resources": [{"module": "module.m", "mode": "managed", "type": "launchdarkly_access_token", "name": "a", "instances": [{"attributes": {"service_token": "yes"}}]}]}`,
			"not a Terraform state: module.m.launchdarkly_access_token.a: instances.attributes.service_token is a JSON string, not bool"},
		{"a bad index", `{"format_version": "1.0", "values": {"root_module": {"resources": [{"address": "launchdarkly_access_token.a[1.5]", "mode": "managed", "type": "launchdarkly_access_token", "name": "a", "index": 1.5, "values": {}}]}}}`,
			"launchdarkly_access_token.a[1.5]: index: neither a string nor a whole number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			im, err := tfimport.Read(strings.NewReader(tt.doc), tfimport.Options{})
			require.Error(t, err)
			assert.Nil(t, im)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

// state is a raw state holding the given instances of one resource.
func state(instances ...string) string {
	return `{"version": 4, "resources": [
	  {"mode": "data", "type": "launchdarkly_access_token", "name": "d", "instances": [{"attributes": {"id": "d", "name": "data", "role": "reader"}}]},
	  {"mode": "managed", "type": "launchdarkly_team_member", "name": "m", "instances": [{"attributes": {"id": "m", "role": {"not": "a string"}}}]},
	  {"mode": "managed", "type": "launchdarkly_access_token", "name": "t", "each": "map", "instances": [` + strings.Join(instances, ",") + `]}]}`
}

func TestReadSkips(t *testing.T) {
	tests := []struct {
		name     string
		instance string
		warning  string
	}{
		{"no id", `{"index_key": "k", "attributes": {"id": "", "name": "a", "role": "reader"}}`,
			`launchdarkly_access_token.t["k"]: it has no id (never created?); it stays in Terraform`},
		{"no name", `{"index_key": "k", "attributes": {"id": "i", "name": null, "role": "reader"}}`,
			`launchdarkly_access_token.t["k"]: token i has no usable name (empty, or spaces around it): name it, apply, and import again; it stays in Terraform`},
		{"spaces around the name", `{"index_key": "k", "attributes": {"id": "i", "name": " a", "role": "reader"}}`,
			`launchdarkly_access_token.t["k"]: token i has no usable name (empty, or spaces around it): name it, apply, and import again; it stays in Terraform`},
		{"no role", `{"index_key": "k", "attributes": {"id": "i", "name": "a", "role": "", "custom_roles": [], "inline_roles": []}}`,
			`launchdarkly_access_token.t["k"]: token "a" has no role, custom_roles or inline_roles; it stays in Terraform`},
		{"two kinds of role", `{"index_key": "k", "attributes": {"id": "i", "name": "a", "role": "reader", "custom_roles": ["x"]}}`,
			`launchdarkly_access_token.t["k"]: token "a" sets more than one of role, custom_roles and inline_roles; it stays in Terraform`},
		{"inline_roles and policy_statements", `{"index_key": "k", "attributes": {"id": "i", "name": "a", "inline_roles": [{"effect": "allow", "actions": ["*"], "resources": ["*"]}], "policy_statements": [{"effect": "allow", "actions": ["*"], "resources": ["*"]}]}}`,
			`launchdarkly_access_token.t["k"]: token "a" sets both inline_roles and policy_statements: keep one, apply, and import again; it stays in Terraform`},
		{"a deposed object", `{"index_key": "k", "deposed": "00000001", "attributes": {"id": "i", "name": "a", "role": "reader"}}`,
			`launchdarkly_access_token.t["k"]: a deposed object (left by create_before_destroy) is skipped; Terraform deletes it on its next apply`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			im, err := tfimport.Read(strings.NewReader(state(tt.instance)), tfimport.Options{})
			require.NoError(t, err)
			assert.Empty(t, im.Entries)
			assert.Empty(t, im.StateRm(), "what is not imported stays in Terraform")
			assert.Equal(t, []string{tt.warning}, im.Warnings)
		})
	}
}

func TestReadSameTokenTwice(t *testing.T) {
	im, err := tfimport.Read(strings.NewReader(state(
		`{"index_key": "b", "attributes": {"id": "i", "name": "a", "role": "reader"}}`,
		`{"index_key": "a", "attributes": {"id": "i", "name": "a", "role": "reader"}}`)), tfimport.Options{})
	require.NoError(t, err)
	assert.Equal(t, []spec.Token{{Name: "a", Role: "reader", ServiceToken: ptr(false)}}, im.Tokens(), "service_token defaults to false in the provider")
	assert.Equal(t, []string{
		`terraform state rm 'launchdarkly_access_token.t["a"]'`,
		`terraform state rm 'launchdarkly_access_token.t["b"]'`,
	}, im.StateRm())
	assert.Equal(t, []string{`launchdarkly_access_token.t["b"] holds the same token (i) as launchdarkly_access_token.t["a"]; the first is declared, and both are handed over`}, im.Warnings)
}

func TestReadMatch(t *testing.T) {
	f, err := os.Open("testdata/show-v2.json")
	require.NoError(t, err)
	defer f.Close()
	im, err := tfimport.Read(f, tfimport.Options{Match: []string{"old-*"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"old-0", "old-1"}, []string{im.Tokens()[0].Name, im.Tokens()[1].Name})
	assert.Len(t, im.Tokens(), 2)
	assert.Equal(t, []string{
		`terraform state rm 'module.old.launchdarkly_access_token.by_count[0]'`,
		`terraform state rm 'module.old.launchdarkly_access_token.by_count[1]'`,
	}, im.StateRm())
	assert.Empty(t, im.Warnings, "what stays in Terraform by choice is not warned about (legacy_policy's expire)")
}

func TestReadEmptyState(t *testing.T) {
	im, err := tfimport.Read(strings.NewReader(`{"format_version": "1.0"}`), tfimport.Options{})
	require.NoError(t, err)
	assert.Empty(t, im.Entries)
}

func TestReconcile(t *testing.T) {
	const me = "5f0c1a2b3c4d5e6f7a8b9c0d"
	remote := []ldapi.Token{
		{ID: id(1), Name: "ci-deployer-0", ServiceToken: true, Description: "set in the UI"},
		{ID: id(2), Name: "ci-deployer-1", ServiceToken: true},
		{ID: "99", Name: "ci-deployer-1", ServiceToken: true}, // made by hand, same name
		{ID: id(3), Name: "helper", MemberID: "someone-else"},
		{ID: id(10), Name: "shared", ServiceToken: true},
		{ID: id(4), Name: "svc-a-b", ServiceToken: true},
		{ID: id(5), Name: "svc-its", ServiceToken: true},
		{ID: id(6), Name: "svc-odd", ServiceToken: true},
		{ID: id(7), Name: "svc-template", ServiceToken: true},
	} // eu-inner (9) was deleted by hand
	im := read(t, "show-v3.json")
	im.Reconcile(remote, me)
	byName := map[string]spec.Token{}
	for _, tok := range im.Tokens() {
		byName[tok.Name] = tok
	}
	assert.Equal(t, "set in the UI", byName["ci-deployer-0"].Description, "the account's description is kept")
	assert.Equal(t, id(2), byName["ci-deployer-1"].ID, "a name shared in the account is pinned")
	assert.Empty(t, byName["svc-odd"].ID)
	assert.Equal(t, id(10), byName["shared"].ID, "a name shared in the state stays pinned")
	assert.Contains(t, byName, "eu-inner")
	assert.Empty(t, byName["eu-inner"].ID)
	assert.NotContains(t, byName, "helper")
	assert.NotContains(t, im.StateRm(), `terraform state rm 'launchdarkly_access_token.personal'`)
	assert.Contains(t, im.StateRm(), `terraform state rm 'module.team["eu"].module.inner.launchdarkly_access_token.x'`)
	assert.Equal(t, []string{
		`module.team["eu"].launchdarkly_access_token.bot: token "shared" (64a1f00d0000000000000008) shares its name with 64a1f00d000000000000000a, which is pinned with id:; it stays in Terraform: rename one of them and import again`,
		`module.team["eu"].module.inner.launchdarkly_access_token.x: token "eu-inner" (64a1f00d0000000000000009) is not in the account (deleted outside Terraform?): it is declared without id:, so apply creates it`,
		`launchdarkly_access_token.personal: token "helper" (64a1f00d0000000000000003) is another member's personal token, which ldtokens never changes; it stays in Terraform`,
	}, im.Warnings)

	mine := read(t, "show-v3.json")
	remote[3].MemberID = me
	mine.Reconcile(remote, me)
	assert.Contains(t, mine.StateRm(), `terraform state rm 'launchdarkly_access_token.personal'`, "the caller's own personal token is handed over")
}

func TestSecretWarning(t *testing.T) {
	got := tfimport.SecretWarning([]spec.Token{{Name: "ci-deployer.v2"}, {Name: "it's"}, {Name: "$x"}}, "my tokens.yaml")
	assert.Equal(t, "the Terraform state holds the secret of every access token in plaintext (the token attribute), "+
		"and so does every copy and backup of it; ldtokens did not read them. "+
		"Once the state rm commands below have run, reset the secrets so that those copies stop working: "+
		`ldtokens rotate -f 'my tokens.yaml' ci-deployer.v2 'it'\''s' '$x', with a secret sink (--secrets-dir or --secret-command)`, got)
}

// shell runs args through sh and returns what each argument became.
func shell(t testing.TB, quoted string) string {
	t.Helper()
	out, err := exec.Command("sh", "-c", `printf '%s' `+quoted).Output()
	require.NoError(t, err)
	return string(out)
}

func TestShellQuote(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	for _, s := range []string{"", "a b", "it's", `q"uote`, "$HOME", "`id`", `back\slash`, "$(echo x)", "''", "new\nline", "*", "!", "a\tb"} {
		assert.Equal(t, s, shell(t, tfimport.ShellQuote(s)), "%q", s)
	}
}

// FuzzForEachKey checks, for any for_each key, that the state rm line's
// argument reaches a shell's command unchanged, and that it is the address
// Terraform writes: the key in HCL quotes, which read back give the key.
func FuzzForEachKey(f *testing.F) {
	for _, s := range []string{"a b", "it's", `q"uote $HOME \`, "${x}", "%{if}", "$${x}", "new\nline\ttab\r", "\x00\x7f", "é 世界 🙂", "\u200b", "'\\''", ""} {
		f.Add(s)
	}
	hasSh := true
	if _, err := exec.LookPath("sh"); err != nil {
		hasSh = false
	}
	f.Fuzz(func(t *testing.T, key string) {
		k, err := json.Marshal(key)
		require.NoError(t, err)
		var back string
		require.NoError(t, json.Unmarshal(k, &back))
		if back != key { // not valid UTF-8: Terraform's keys always are
			t.Skip()
		}
		im, err := tfimport.Read(strings.NewReader(state(`{"index_key": `+string(k)+`, "attributes": {"id": "i", "name": "a", "role": "reader"}}`)), tfimport.Options{})
		require.NoError(t, err)
		lines := im.StateRm()
		require.Len(t, lines, 1)
		quoted, ok := strings.CutPrefix(lines[0], "terraform state rm ")
		require.True(t, ok)
		addr := im.Entries[0].Addresses[0]
		if hasSh && !strings.ContainsRune(key, 0) {
			assert.Equal(t, addr, shell(t, quoted))
		}
		inner, ok := strings.CutPrefix(addr, `launchdarkly_access_token.t[`)
		require.True(t, ok)
		inner, ok = strings.CutSuffix(inner, "]")
		require.True(t, ok)
		assert.Equal(t, key, hclUnquote(t, inner))
	})
}

// hclUnquote reads an HCL quoted string as Terraform's address parser does:
// Go-style escapes, and $${ and %%{ for a literal ${ and %{.
func hclUnquote(t *testing.T, q string) string {
	t.Helper()
	require.True(t, strings.HasPrefix(q, `"`) && strings.HasSuffix(q, `"`) && len(q) >= 2, "%s is quoted", q)
	var b strings.Builder
	body := q[1 : len(q)-1]
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '\\':
			i++
			require.Less(t, i, len(body), "escape at the end of %s", q)
			switch body[i] {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case '"', '\\':
				b.WriteByte(body[i])
			case 'u', 'U':
				n := 4
				if body[i] == 'U' {
					n = 8
				}
				var r rune
				_, err := fmt.Sscanf(body[i+1:i+1+n], "%x", &r)
				require.NoError(t, err)
				b.WriteRune(r)
				i += n
			default:
				t.Fatalf("unknown escape \\%c in %s", body[i], q)
			}
		case (c == '$' || c == '%') && strings.HasPrefix(body[i+1:], string(c)+"{"):
			b.WriteString(string(c) + "{") // $${ is a literal ${
			i += 2
		case (c == '$' || c == '%') && strings.HasPrefix(body[i+1:], "{"):
			t.Fatalf("an unescaped template introducer in %s", q)
		case c == '"':
			t.Fatalf("an unescaped quote in %s", q)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
