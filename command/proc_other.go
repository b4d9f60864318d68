//go:build !linux

package command

import (
	"os"
	"syscall"
)

// procAttr runs the command as is: process groups and death signals are
// Linux's here; elsewhere only the command itself is signalled.
func procAttr() *syscall.SysProcAttr { return nil }

// signalGroup sends sig to the process pid.
func signalGroup(pid int, sig syscall.Signal) {
	if p, err := os.FindProcess(pid); err == nil {
		p.Signal(sig)
	}
}
