package cli

import (
	"context"
	"fmt"
	"runtime/debug"

	ucli "github.com/urfave/cli/v2"
)

// Version and Commit are stamped at build time:
//
//	go build -ldflags "-X github.com/ldtokens/ldtokens/internal/cli.Version=v1.2.3 -X github.com/ldtokens/ldtokens/internal/cli.Commit=0123abc"
//
// Unstamped, they fall back to what the Go toolchain recorded in the binary:
// the module version of `go install …@v1.2.3` and the VCS revision of a
// build from a checkout.
var (
	Version = ""
	Commit  = ""
)

// version is the version ldtokens reports, and sends in its User-Agent.
func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// commit is the commit ldtokens was built from: "unknown" when neither
// stamped nor recorded, with "-dirty" when built from a modified checkout.
func commit() string {
	if Commit != "" {
		return Commit
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	switch {
	case rev == "":
		return "unknown"
	case dirty:
		return rev + "-dirty"
	}
	return rev
}

// VersionOptions are the options of `ldtokens version` and `--version`.
type VersionOptions struct {
	IO *IO
}

func newVersionCommand(ios *IO) *ucli.Command {
	opts := &VersionOptions{IO: ios}
	return &ucli.Command{
		Name:      "version",
		Usage:     "print the version and commit",
		UsageText: "ldtokens version",
		Description: `Prints the version and the commit ldtokens was built from; --version
does the same.

Examples:
  ldtokens version
  ldtokens --version`,
		Action: noArgsAction(runVersion, opts),
	}
}

func runVersion(_ context.Context, opts *VersionOptions) error {
	_, err := fmt.Fprintf(opts.IO.Out, "ldtokens %s (commit %s)\n", version(), commit())
	return err
}
