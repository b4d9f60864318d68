package command

import "syscall"

// procAttr puts the command in a process group of its own, so that
// stopping it stops everything it started, and has the kernel kill it if
// the sweep itself dies (kill -9 included): no orphan outlives a sweep.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// signalGroup sends sig to the process group of pid.
func signalGroup(pid int, sig syscall.Signal) { syscall.Kill(-pid, sig) }
