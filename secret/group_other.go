//go:build !unix

package secret

import "os/exec"

// ownGroup leaves cmd as it is: without process groups, cancellation kills
// the command itself (exec.CommandContext's default).
func ownGroup(*exec.Cmd) {}
