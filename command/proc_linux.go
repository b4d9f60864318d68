package command

import "syscall"

// signalRun sends sig to the run's supervisor, which passes a SIGTERM on
// to everything below it (see supervised).
func signalRun(pid int, sig syscall.Signal) { syscall.Kill(pid, sig) }
