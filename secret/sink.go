package secret

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Delivery is one issued secret and the token it belongs to.
type Delivery struct {
	// Name is the token's declared name.
	Name string
	// ID is the token's LaunchDarkly _id.
	ID string
	// Action is what issued the secret: create, replace or rotate.
	Action string
	// Secret is the issued secret.
	Secret Secret
}

// Sink delivers issued secrets to their owner.
type Sink interface {
	// Deliver hands over one secret. An error means the owner may not have it.
	Deliver(ctx context.Context, d Delivery) error
}

// Sinks delivers every secret to each sink in order and fails if any fails.
type Sinks []Sink

// Deliver implements Sink.
func (s Sinks) Deliver(ctx context.Context, d Delivery) error {
	var errs []error
	for _, sink := range s {
		if err := sink.Deliver(ctx, d); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// DirSink writes each secret to Dir/<name>.token, mode 0600, in a directory
// of mode 0700. A file is written to a temporary name, synced and renamed, so
// a crash never leaves half a secret under the final name.
type DirSink struct {
	Dir string
}

// Deliver implements Sink.
func (s DirSink) Deliver(_ context.Context, d Delivery) error {
	if d.Name == "" || d.Name == "." || d.Name == ".." || strings.ContainsAny(d.Name, `/\`) || strings.ContainsRune(d.Name, 0) {
		return fmt.Errorf("secrets dir: token name %q cannot be a file name", d.Name)
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("secrets dir: %w", err)
	}
	if err := os.Chmod(s.Dir, 0o700); err != nil {
		return fmt.Errorf("secrets dir: %w", err)
	}
	tmp, err := os.CreateTemp(s.Dir, ".tmp-*.token")
	if err != nil {
		return fmt.Errorf("secrets dir: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("secrets dir: %w", err)
	}
	if _, err := tmp.WriteString(d.Secret.Reveal()); err != nil {
		tmp.Close()
		return fmt.Errorf("secrets dir: write %s: %w", d.Name, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("secrets dir: sync %s: %w", d.Name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("secrets dir: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(s.Dir, d.Name+".token")); err != nil {
		return fmt.Errorf("secrets dir: %w", err)
	}
	return nil
}

// CommandSink runs Command through `sh -c` once per secret, with the secret on
// standard input and LDTOKENS_TOKEN_NAME, LDTOKENS_TOKEN_ID and
// LDTOKENS_ACTION added to Env. The command's output goes to Output with any
// occurrence of the secret scrubbed.
type CommandSink struct {
	Command string
	// Env is the environment the command inherits.
	Env []string
	// Output receives the command's standard output and error.
	Output interface{ Write([]byte) (int, error) }
}

// Deliver implements Sink.
func (s CommandSink) Deliver(ctx context.Context, d Delivery) error {
	cmd := exec.CommandContext(ctx, "sh", "-c", s.Command)
	cmd.Stdin = strings.NewReader(d.Secret.Reveal())
	cmd.Env = append(append([]string(nil), s.Env...),
		"LDTOKENS_TOKEN_NAME="+d.Name,
		"LDTOKENS_TOKEN_ID="+d.ID,
		"LDTOKENS_ACTION="+d.Action,
	)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	text := Scrub(out.String(), d.Secret)
	if s.Output != nil && text != "" {
		_, _ = s.Output.Write([]byte(text))
	}
	if err != nil {
		last := strings.TrimSpace(text)
		if i := strings.LastIndexByte(last, '\n'); i >= 0 {
			last = last[i+1:]
		}
		if last != "" {
			return fmt.Errorf("secret command: %w: %s", err, last)
		}
		return fmt.Errorf("secret command: %w", err)
	}
	return nil
}
