package actiontest

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// Fakes of the CLIs the secret-command recipes call. Each keeps its store
// in $STORE (one file per secret, holding the value), logs every argument
// list to $STORE.argv, and fails the way the real CLI does when a secret is
// missing.
var recipeFakes = map[string]string{
	"gh": `#!/bin/sh
printf '%s\n' "gh $*" >> "$STORE.argv"
[ "$1" = secret ] || exit 2
case "$2" in
  set) mkdir -p "$STORE" && cat > "$STORE/$3" ;;
  delete) [ -f "$STORE/$3" ] || { echo "HTTP 404: Not Found" >&2; exit 1; }; rm "$STORE/$3" ;;
  list) ls "$STORE" 2> /dev/null; exit 0 ;;
  *) exit 2 ;;
esac
`,
	"vault": `#!/bin/sh
printf '%s\n' "vault $*" >> "$STORE.argv"
case "$1 $2" in
  "kv put")
    [ "$4" = token=- ] || exit 2
    mkdir -p "$(dirname "$STORE/$3")" && cat > "$STORE/$3" ;;
  "kv metadata") [ "$3" = delete ] || exit 2; rm -f "$STORE/$4" ;;
  *) exit 2 ;;
esac
`,
	"aws": `#!/bin/sh
printf '%s\n' "aws $*" >> "$STORE.argv"
[ "$1" = secretsmanager ] || exit 2
op=$2; shift 2
id=""; value=""
while [ $# -gt 0 ]; do
  case "$1" in
    --secret-id | --name) id=$2; shift 2 ;;
    --secret-string) value=$2; shift 2 ;;
    *) shift ;;
  esac
done
case "$op" in
  put-secret-value)
    [ -f "$STORE/$id" ] || { echo "ResourceNotFoundException" >&2; exit 254; }
    [ "$value" = file:///dev/stdin ] || exit 2
    cat > "$STORE/$id" ;;
  create-secret)
    [ ! -f "$STORE/$id" ] || { echo "ResourceExistsException" >&2; exit 254; }
    [ "$value" = file:///dev/stdin ] || exit 2
    mkdir -p "$(dirname "$STORE/$id")" && cat > "$STORE/$id" ;;
  delete-secret) [ -f "$STORE/$id" ] || { echo "ResourceNotFoundException" >&2; exit 254; }; rm "$STORE/$id" ;;
  describe-secret) [ -f "$STORE/$id" ] ;;
  *) exit 2 ;;
esac
`,
}

// secretCommandRE finds a recipe: --secret-command '…' (recipes hold no
// single quote inside).
var secretCommandRE = regexp.MustCompile(`--secret-command '([^']*)'`)

// recipes are the --secret-command recipes of the README's Secrets section
// and of examples/github/apply.yml, by where they are.
func recipes(t *testing.T) map[string]string {
	t.Helper()
	found := map[string]string{}
	readme, err := os.ReadFile(filepath.Join(root(t), "README.md"))
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(readme), "Recipes for `--secret-command`")
	require.True(t, ok, "README has no recipes")
	section, _, _ = strings.Cut(section, "\n### ")
	for i, m := range secretCommandRE.FindAllStringSubmatch(section, -1) {
		found["README recipe "+string(rune('1'+i))] = m[1]
	}

	raw, err := os.ReadFile(filepath.Join(root(t), "examples", "github", "apply.yml"))
	require.NoError(t, err)
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				Uses string            `yaml:"uses"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &wf))
	for _, st := range wf.Jobs["apply"].Steps {
		if m := secretCommandRE.FindStringSubmatch(st.With["args"]); m != nil {
			found["apply.yml"] = m[1]
		}
	}
	require.Contains(t, found, "apply.yml")
	require.Len(t, found, 4, "three README recipes (gh, vault, aws) and apply.yml's")
	return found
}

// TestSecretCommandRecipes runs each recipe through sh, as the command sink
// does, against fakes of gh, vault and aws: it stores under
// $LDTOKENS_SECRET_NAME, replaces on rotate, keeps the secret on a retired
// token's delete, removes it on a delete, converges on a second delete, and
// never passes the secret as an argument.
func TestSecretCommandRecipes(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("sh is not installed")
	}
	bin := t.TempDir()
	for name, script := range recipeFakes {
		require.NoError(t, os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755))
	}
	const (
		secretName = "LD_CI_DEPLOYER"
		first      = "api-0f3c-first-secret"
		second     = "api-9a1d-second-secret"
	)

	for where, recipe := range recipes(t) {
		t.Run(where, func(t *testing.T) {
			store := filepath.Join(t.TempDir(), "store")
			deliver := func(action, value string, retired bool) {
				t.Helper()
				cmd := exec.Command("sh", "-c", recipe)
				cmd.Env = append(os.Environ(),
					"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
					"STORE="+store,
					"GH_REPO=example/tokens",
					"LDTOKENS_TOKEN_NAME=ci-deployer",
					"LDTOKENS_TOKEN_ID=6511a0c1e4b0a1b2c3d4e501",
					"LDTOKENS_SECRET_NAME="+secretName,
					"LDTOKENS_ACTION="+action,
				)
				if retired {
					cmd.Env = append(cmd.Env, "LDTOKENS_RETIRED=true")
				}
				cmd.Stdin = strings.NewReader(value)
				out, err := cmd.CombinedOutput()
				require.NoError(t, err, "%s: %s", action, out)
			}
			stored := func() (string, bool) {
				t.Helper()
				var paths []string
				require.NoError(t, filepath.Walk(store, func(p string, info os.FileInfo, err error) error {
					if err == nil && !info.IsDir() {
						paths = append(paths, p)
					}
					return nil
				}))
				if len(paths) == 0 {
					return "", false
				}
				require.Len(t, paths, 1, "one secret stored")
				assert.Equal(t, secretName, filepath.Base(paths[0]), "stored under secretName")
				data, err := os.ReadFile(paths[0])
				require.NoError(t, err)
				return string(data), true
			}

			deliver("create", first, false)
			got, ok := stored()
			assert.True(t, ok)
			assert.Equal(t, first, got, "create")

			deliver("rotate", second, false)
			got, _ = stored()
			assert.Equal(t, second, got, "rotate replaces the value")

			deliver("delete", "", true)
			got, ok = stored()
			assert.True(t, ok, "a retired token's delete keeps the secret")
			assert.Equal(t, second, got)

			deliver("delete", "", false)
			_, ok = stored()
			assert.False(t, ok, "delete removes the secret")

			deliver("delete", "", false) // already gone: still succeeds

			argv, err := os.ReadFile(store + ".argv")
			require.NoError(t, err)
			assert.NotContains(t, string(argv), first, "a secret was passed as an argument")
			assert.NotContains(t, string(argv), second, "a secret was passed as an argument")
		})
	}
}
