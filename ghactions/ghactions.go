// Package ghactions speaks GitHub Actions' workflow commands and environment
// files: masking secrets, annotations, step outputs and the step summary.
// Everything it writes from outside text is escaped so that text cannot
// forge a workflow command.
package ghactions

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/ldtokens/ldtokens/secret"
)

// Actions writes to a GitHub Actions runner. The zero value, and one with
// Enabled false, does nothing.
type Actions struct {
	// Enabled is set when GITHUB_ACTIONS=true.
	Enabled bool
	// Stdout receives workflow commands.
	Stdout io.Writer
	// OutputFile and SummaryFile are $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY.
	OutputFile, SummaryFile string

	mu sync.Mutex
}

// FromEnv returns the Actions of the environment getenv reads.
func FromEnv(getenv func(string) string, stdout io.Writer) *Actions {
	return &Actions{
		Enabled:     getenv("GITHUB_ACTIONS") == "true",
		Stdout:      stdout,
		OutputFile:  getenv("GITHUB_OUTPUT"),
		SummaryFile: getenv("GITHUB_STEP_SUMMARY"),
	}
}

// Mask tells the runner to hide a secret in every later log line. It is the
// one place a secret's value is written to stdout, as the runner requires.
func (a *Actions) Mask(s secret.Secret) {
	if a == nil || !a.Enabled || s.IsZero() {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	fmt.Fprintf(a.Stdout, "::add-mask::%s\n", escapeData(s.Reveal()))
}

// Error annotates a file position with an error message.
func (a *Actions) Error(file string, line, col int, msg string) {
	if a == nil || !a.Enabled {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	props := []string{"file=" + escapeProperty(file)}
	if line > 0 {
		props = append(props, fmt.Sprintf("line=%d", line))
	}
	if col > 0 {
		props = append(props, fmt.Sprintf("col=%d", col))
	}
	fmt.Fprintf(a.Stdout, "::error %s::%s\n", strings.Join(props, ","), escapeData(msg))
}

// SetOutputs appends key=value lines to $GITHUB_OUTPUT, in key order.
func (a *Actions) SetOutputs(kv map[string]string) error {
	if a == nil || !a.Enabled || a.OutputFile == "" {
		return nil
	}
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		v := kv[k]
		if strings.ContainsAny(v, "\r\n") {
			return fmt.Errorf("github output %s: value has a newline", k)
		}
		fmt.Fprintf(&b, "%s=%s\n", k, v)
	}
	return appendFile(a.OutputFile, b.String())
}

// AppendSummary appends markdown to $GITHUB_STEP_SUMMARY.
func (a *Actions) AppendSummary(markdown string) error {
	if a == nil || !a.Enabled || a.SummaryFile == "" {
		return nil
	}
	return appendFile(a.SummaryFile, markdown+"\n")
}

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("github actions: %w", err)
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return fmt.Errorf("github actions: %w", err)
	}
	return f.Close()
}

// escapeData escapes a workflow command's message.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command's property value.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
