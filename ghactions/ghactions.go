// Package ghactions speaks GitHub Actions' workflow commands and environment
// files: masking secrets, annotations, log groups, step outputs and the step
// summary. Everything it writes from outside text is escaped so that text
// cannot forge a workflow command.
//
// Workflow commands go to the writer given to FromEnv, which is the
// process's stderr, never stdout: stdout is the report, which workflows
// capture and post as comments, and a workflow command there (an
// `::add-mask::` line above all) would publish what it names. The runner
// reads commands from either stream.
//
// It must not decide what a report says: callers render it and hand it over.
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
	// Commands receives workflow commands: stderr, never stdout.
	Commands io.Writer
	// OutputFile and SummaryFile are $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY.
	OutputFile, SummaryFile string

	mu sync.Mutex
}

// FromEnv returns the Actions of the environment getenv reads, writing
// workflow commands to commands (the process's stderr).
func FromEnv(getenv func(string) string, commands io.Writer) *Actions {
	return &Actions{
		Enabled:     getenv("GITHUB_ACTIONS") == "true",
		Commands:    commands,
		OutputFile:  getenv("GITHUB_OUTPUT"),
		SummaryFile: getenv("GITHUB_STEP_SUMMARY"),
	}
}

// Mask tells the runner to hide a secret in every later log line. It is the
// one place a secret's value is written to a stream, as the runner requires,
// and it writes it to Commands (stderr).
func (a *Actions) Mask(s secret.Secret) {
	if s.IsZero() {
		return
	}
	a.command("add-mask", "", s.Reveal())
}

// Error annotates a file position with an error message.
func (a *Actions) Error(file string, line, col int, msg string) {
	a.annotate("error", file, line, col, msg)
}

// Warning annotates a file position with a warning.
func (a *Actions) Warning(file string, line, col int, msg string) {
	a.annotate("warning", file, line, col, msg)
}

// annotate writes an error or warning annotation at a file position.
func (a *Actions) annotate(kind, file string, line, col int, msg string) {
	props := []string{"file=" + escapeProperty(file)}
	if line > 0 {
		props = append(props, fmt.Sprintf("line=%d", line))
	}
	if col > 0 {
		props = append(props, fmt.Sprintf("col=%d", col))
	}
	a.command(kind, strings.Join(props, ","), msg)
}

// Group starts a foldable group of log lines titled title; EndGroup ends it.
func (a *Actions) Group(title string) { a.command("group", "", title) }

// EndGroup ends the group Group started.
func (a *Actions) EndGroup() { a.command("endgroup", "", "") }

// command writes ::name props::message to Commands.
func (a *Actions) command(name, props, message string) {
	if a == nil || !a.Enabled {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if props != "" {
		name += " " + props
	}
	fmt.Fprintf(a.Commands, "::%s::%s\n", name, escapeData(message))
}

// Publish writes a step's result: markdown appended to $GITHUB_STEP_SUMMARY
// and outputs appended to $GITHUB_OUTPUT as key=value lines, in key order.
// It is the one way ldtokens writes either file. A value with a newline is
// refused before anything is written, so it cannot inject another output.
func (a *Actions) Publish(markdown string, outputs map[string]string) error {
	if a == nil || !a.Enabled {
		return nil
	}
	keys := make([]string, 0, len(outputs))
	for k := range outputs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		v := outputs[k]
		if strings.ContainsAny(v, "\r\n") {
			return fmt.Errorf("github output %s: value has a newline", k)
		}
		fmt.Fprintf(&b, "%s=%s\n", k, v)
	}
	if a.SummaryFile != "" {
		if err := appendFile(a.SummaryFile, markdown+"\n"); err != nil {
			return err
		}
	}
	if a.OutputFile != "" && b.Len() > 0 {
		return appendFile(a.OutputFile, b.String())
	}
	return nil
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
