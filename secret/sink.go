package secret

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// ActionDelete is the Action of a Delivery that says a token is gone: it
// carries no secret, and a sink removes what it stored for the token.
const ActionDelete = "delete"

// Delivery is one issued secret and the token it belongs to, or, with
// Action ActionDelete, the news that a token was deleted or retired.
type Delivery struct {
	// Name is the token's declared name.
	Name string
	// SecretName is the name a sink stores the secret under (the spec's
	// secretName, unique across the spec); empty when the caller has none.
	SecretName string
	// ID is the token's LaunchDarkly _id.
	ID string
	// Action is what issued the secret: create, replace or rotate; or
	// ActionDelete, with a zero Secret.
	Action string
	// Retired marks the delete of a token that a replace retired: the secret
	// stored under Name and SecretName is its replacement's now, so a sink
	// that stores by name keeps it.
	Retired bool
	// Secret is the issued secret; zero for a delete.
	Secret Secret
}

// Sink delivers issued secrets to their owner.
type Sink interface {
	// Name says which sink this is, in reports: "secrets dir ./secrets".
	Name() string
	// Check says, before any token is touched, why the sink cannot take
	// secrets; nil when it can.
	Check() error
	// Deliver hands over one delivery. An error means this sink does not
	// hold the secret: a sink must leave what it held before when it fails.
	Deliver(ctx context.Context, d Delivery) error
}

// ErrStopped marks a delivery cut off while a sink was at work (the run's
// deadline, or an abort): the sink may or may not hold the secret.
var ErrStopped = errors.New("stopped")

// DeliveryError is a delivery that failed at one sink of several.
type DeliveryError struct {
	// Delivered names the sinks that took the delivery; for a secret, the
	// sinks that hold it now.
	Delivered []string
	// Failed names the sinks that did not.
	Failed []string
	// Err says why.
	Err error
}

// Error implements error.
func (e *DeliveryError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *DeliveryError) Unwrap() error { return e.Err }

// Sinks delivers to each sink in order. A secret goes to one sink at a time
// and stops at the first that fails, so that a failure of the first sink
// leaves no sink holding the secret; a delete goes to every sink. A failure
// is a *DeliveryError naming the sinks that took the delivery.
type Sinks []Sink

// Name implements Sink.
func (s Sinks) Name() string {
	names := make([]string, len(s))
	for i, sink := range s {
		names[i] = sink.Name()
	}
	return strings.Join(names, ", ")
}

// Check implements Sink.
func (s Sinks) Check() error {
	var errs []error
	for _, sink := range s {
		errs = append(errs, sink.Check())
	}
	return errors.Join(errs...)
}

// Deliver implements Sink.
func (s Sinks) Deliver(ctx context.Context, d Delivery) error {
	var delivered, failed []string
	var errs []error
	for _, sink := range s {
		if err := sink.Deliver(ctx, d); err != nil {
			failed = append(failed, sink.Name())
			errs = append(errs, err)
			if d.Action != ActionDelete {
				break
			}
			continue
		}
		delivered = append(delivered, sink.Name())
	}
	if len(errs) > 0 {
		return &DeliveryError{Delivered: delivered, Failed: failed, Err: errors.Join(errs...)}
	}
	return nil
}

// DirSink writes each secret to Dir/<name>.token, mode 0600. It creates a
// missing Dir with mode 0700 and never changes the mode of one that exists:
// it refuses a Dir that group or others may read or write. A file is
// written to a temporary name, synced and renamed, so a crash never leaves
// half a secret under the final name. A delete removes the token's file;
// a retired token's delete leaves it, since it holds the replacement's
// secret. A name that cannot be a file name (a / in it) cannot be
// delivered, and its delete has no file to remove.
type DirSink struct {
	Dir string
}

// Name implements Sink.
func (s DirSink) Name() string { return "secrets dir " + s.Dir }

// Check implements Sink: an existing Dir must be a directory that only its
// owner may read or write.
func (s DirSink) Check() error {
	info, err := os.Stat(s.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("secrets dir: %w", err)
	}
	if !info.IsDir() {
		return fmt.Errorf("secrets dir %s: not a directory", s.Dir)
	}
	if perm := info.Mode().Perm(); perm&0o066 != 0 {
		return fmt.Errorf("secrets dir %s: mode %#o lets group or others read or write it: run chmod 700 %s, or name a new directory (ldtokens creates it with mode 0700)", s.Dir, perm, s.Dir)
	}
	return nil
}

// Deliver implements Sink.
func (s DirSink) Deliver(_ context.Context, d Delivery) error {
	if d.Name == "" || d.Name == "." || d.Name == ".." || strings.ContainsAny(d.Name, `/\`) || strings.ContainsRune(d.Name, 0) {
		if d.Action == ActionDelete {
			return nil // no file here can hold this token's secret
		}
		return fmt.Errorf("secrets dir: token name %q cannot be a file name", d.Name)
	}
	final := filepath.Join(s.Dir, d.Name+".token")
	if d.Action == ActionDelete {
		if d.Retired {
			return nil
		}
		if err := os.Remove(final); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("secrets dir: %w", err)
		}
		return nil
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("secrets dir: %w", err)
	}
	if err := s.Check(); err != nil {
		return err
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
	if err := os.Rename(tmp.Name(), final); err != nil {
		return fmt.Errorf("secrets dir: %w", err)
	}
	return nil
}

// commandWaitDelay is how long a stopped secret command's output may stay
// open (held by a process it started) before Deliver returns anyway.
const commandWaitDelay = 2 * time.Second

// CommandSink runs Command through `sh -c` once per delivery, with the secret
// on standard input (empty for a delete) and LDTOKENS_TOKEN_NAME,
// LDTOKENS_TOKEN_ID, LDTOKENS_ACTION and LDTOKENS_SECRET_NAME added to Env
// (and LDTOKENS_RETIRED=true for a retired token's delete). The command runs
// in a process group of its own: an interrupt of ldtokens does not reach it,
// and when ctx ends (the run's deadline, or an abort) the whole group is
// killed. The command's output goes to Output with any occurrence of the
// secret scrubbed and its last line ended.
type CommandSink struct {
	Command string
	// Env is the environment the command inherits.
	Env []string
	// Output receives the command's standard output and error.
	Output interface{ Write([]byte) (int, error) }
}

// Name implements Sink.
func (s CommandSink) Name() string { return "secret command" }

// Check implements Sink.
func (s CommandSink) Check() error {
	if strings.TrimSpace(s.Command) == "" {
		return errors.New("secret command: empty")
	}
	return nil
}

// Deliver implements Sink.
func (s CommandSink) Deliver(ctx context.Context, d Delivery) error {
	cmd := exec.CommandContext(ctx, "sh", "-c", s.Command)
	ownGroup(cmd)
	cmd.WaitDelay = commandWaitDelay
	cmd.Stdin = strings.NewReader(d.Secret.Reveal())
	cmd.Env = append(append([]string(nil), s.Env...),
		"LDTOKENS_TOKEN_NAME="+d.Name,
		"LDTOKENS_TOKEN_ID="+d.ID,
		"LDTOKENS_ACTION="+d.Action,
		"LDTOKENS_SECRET_NAME="+d.SecretName,
	)
	if d.Retired {
		cmd.Env = append(cmd.Env, "LDTOKENS_RETIRED=true")
	}
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	text := Scrub(out.String(), d.Secret)
	if s.Output != nil && text != "" {
		if !strings.HasSuffix(text, "\n") {
			text += "\n" // so that what ldtokens prints next starts a line
		}
		_, _ = s.Output.Write([]byte(text))
	}
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("secret command: %w: %w", ErrStopped, context.Cause(ctx))
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
