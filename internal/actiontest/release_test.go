package actiontest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// goreleaserConfig is the part of .goreleaser.yaml the action and the
// README rely on.
type goreleaserConfig struct {
	Version     int    `yaml:"version"`
	ProjectName string `yaml:"project_name"`
	Builds      []struct {
		ID      string   `yaml:"id"`
		Main    string   `yaml:"main"`
		Binary  string   `yaml:"binary"`
		Env     []string `yaml:"env"`
		Flags   []string `yaml:"flags"`
		Ldflags []string `yaml:"ldflags"`
		Goos    []string `yaml:"goos"`
		Goarch  []string `yaml:"goarch"`
	} `yaml:"builds"`
	Archives []struct {
		NameTemplate    string   `yaml:"name_template"`
		Formats         []string `yaml:"formats"`
		FormatOverrides []struct {
			Goos    string   `yaml:"goos"`
			Formats []string `yaml:"formats"`
		} `yaml:"format_overrides"`
	} `yaml:"archives"`
	Checksum struct {
		NameTemplate string `yaml:"name_template"`
		Algorithm    string `yaml:"algorithm"`
	} `yaml:"checksum"`
}

// render fills the few goreleaser template fields the names use.
func render(tmpl string, fields map[string]string) string {
	for k, v := range fields {
		tmpl = strings.ReplaceAll(tmpl, "{{ ."+k+" }}", v)
		tmpl = strings.ReplaceAll(tmpl, "{{."+k+"}}", v)
	}
	return tmpl
}

// TestReleaseConfig checks .goreleaser.yaml where `goreleaser check` cannot
// run in .ci/run (`go run` of goreleaser takes over 12 minutes cold): the
// targets, a static build, the names the action downloads, and the
// version stamp (built with the config's own ldflags and read back with
// `ldtokens version`). ci.yml runs `goreleaser check` itself, from the
// release binary.
func TestReleaseConfig(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(root(t), ".goreleaser.yaml"))
	require.NoError(t, err)
	var c goreleaserConfig
	require.NoError(t, yaml.Unmarshal(raw, &c))

	assert.Equal(t, 2, c.Version, "goreleaser config version")
	assert.Equal(t, "ldtokens", c.ProjectName)
	require.Len(t, c.Builds, 1)
	b := c.Builds[0]
	assert.Equal(t, ".", b.Main)
	assert.Equal(t, "ldtokens", b.Binary)
	assert.ElementsMatch(t, []string{"linux", "darwin", "windows"}, b.Goos)
	assert.ElementsMatch(t, []string{"amd64", "arm64"}, b.Goarch)
	assert.Contains(t, b.Env, "CGO_ENABLED=0")
	assert.Contains(t, b.Flags, "-trimpath")
	ldflags := strings.Join(b.Ldflags, " ")
	fields := strings.Fields(ldflags)
	var stamps []string
	for i, f := range fields {
		if f == "-X" && i+1 < len(fields) {
			stamps = append(stamps, fields[i+1])
		}
	}
	assert.Contains(t, fields, "-s", "ldflags: no symbol table")
	assert.Contains(t, fields, "-w", "ldflags: no DWARF")
	assert.ElementsMatch(t, []string{
		"github.com/ldtokens/ldtokens/internal/cli.Version={{.Version}}",
		"github.com/ldtokens/ldtokens/internal/cli.Commit={{.Commit}}",
	}, stamps, "ldflags -X")

	// The names the action's download step asks for, and the fake release
	// TestActionDownloadsTheReleaseOfItsTag serves.
	require.Len(t, c.Archives, 1)
	a := c.Archives[0]
	assert.Equal(t, []string{"tar.gz"}, a.Formats)
	require.Len(t, a.FormatOverrides, 1)
	assert.Equal(t, "windows", a.FormatOverrides[0].Goos)
	assert.Equal(t, []string{"zip"}, a.FormatOverrides[0].Formats)
	names := map[string]string{"ProjectName": c.ProjectName, "Version": "9.9.9", "Os": runtime.GOOS, "Arch": runtime.GOARCH}
	assert.Equal(t, "ldtokens_9.9.9_"+runtime.GOOS+"_"+runtime.GOARCH, render(a.NameTemplate, names))
	assert.Equal(t, "ldtokens_9.9.9_checksums.txt", render(c.Checksum.NameTemplate, names))
	assert.Equal(t, "sha256", c.Checksum.Algorithm)
	action, _ := readAction(t)
	var download string
	for _, st := range action.Runs.Steps {
		if st.If == "steps.bin.outputs.how == 'release'" {
			download = st.Run
		}
	}
	assert.Contains(t, download, `archive="ldtokens_${VERSION}_${os}_${arch}.${ext}"`)
	assert.Contains(t, download, `sums="ldtokens_${VERSION}_checksums.txt"`)

	// The version stamp lands: a wrong package path in -X is silently
	// ignored by the linker.
	stamp := render(ldflags, map[string]string{"Version": "9.9.9-stamp", "Commit": "feedface"})
	bin := filepath.Join(t.TempDir(), "ldtokens")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", stamp, "-o", bin, ".")
	build.Dir = root(t)
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)
	var stdout bytes.Buffer
	version := exec.Command(bin, "version")
	version.Stdout = &stdout
	require.NoError(t, version.Run())
	assert.Contains(t, stdout.String(), "9.9.9-stamp")
}
