//go:build !linux

package command

import (
	"os"
	"os/exec"
	"syscall"
	"time"
)

// supervised runs the command as is: subreapers and death signals are
// Linux's; elsewhere only the program itself is signalled, and what it
// starts may outlive it.
func supervised(argv []string, grace time.Duration, token string) (*exec.Cmd, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), tokenEnv+"="+token)
	return cmd, nil
}

const (
	tokenEnv  = "SWEEP_RUN_TOKEN"
	exitGrace = time.Second
)

// signalRun sends sig to the process pid.
func signalRun(pid int, sig syscall.Signal) {
	if p, err := os.FindProcess(pid); err == nil {
		p.Signal(sig)
	}
}
