// Package slurmtest runs a throwaway single-node Slurm cluster for
// integration tests: Debian's munge, slurmctld and slurmd, as root, in a
// temporary directory, on free ports, tracking processes by /proc
// (proctrack/linuxproc: no cgroups are made). Without Slurm installed, or
// not as root, the tests are skipped, except in CI (CI=true), whose
// .ci/run installs slurmctld, slurmd and munge.
package slurmtest

import (
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Cluster is a running single-node cluster.
type Cluster struct {
	t    testing.TB
	dir  string
	Conf string // slurm.conf: SLURM_CONF for its client commands
	CPUs int    // the node's
}

// Start starts a cluster of one node with cpus CPUs and stops it when the
// test ends.
func Start(t testing.TB, cpus int) *Cluster {
	t.Helper()
	for _, bin := range []string{"munged", "slurmctld", "slurmd", "sbatch"} {
		if _, err := exec.LookPath(bin); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not installed; .ci/run installs Debian's slurmctld, slurmd and munge", bin)
			}
			t.Skipf("Slurm not installed (apt-get install slurmctld slurmd munge): no %s", bin)
		}
	}
	if u, _ := user.Current(); u == nil || u.Uid != "0" {
		t.Skip("a test Slurm cluster runs its daemons as root")
	}
	dir, err := os.MkdirTemp("", "slurmtest")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	t.Cleanup(func() { os.RemoveAll(dir) }) // after the daemons' cleanups, which come later
	c := &Cluster{t: t, dir: dir, Conf: filepath.Join(dir, "slurm.conf"), CPUs: cpus}
	for _, sub := range []string{"state", "spool"} {
		os.Mkdir(filepath.Join(dir, sub), 0o755)
	}
	sock, key := filepath.Join(dir, "munge.sock"), filepath.Join(dir, "munge.key")
	secret := make([]byte, 128) // the cluster's own key: none of the machine's is needed
	if _, err := rand.Read(secret); err != nil || os.WriteFile(key, secret, 0o400) != nil {
		t.Fatalf("writing munge's key: %v", err)
	}
	c.daemon("munged", "-F", "-f", "--socket="+sock, "--key-file="+key, "--pid-file="+filepath.Join(dir, "munged.pid"),
		"--log-file="+filepath.Join(dir, "munged.log"), "--seed-file="+filepath.Join(dir, "munged.seed"))
	c.waitFor("munge's socket", func() bool { _, err := os.Stat(sock); return err == nil })
	conf := fmt.Sprintf(`ClusterName=sweeptest
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=%d
SlurmdPort=%d
AuthType=auth/munge
AuthInfo=socket=%[3]s/munge.sock
CredType=cred/munge
StateSaveLocation=%[3]s/state
SlurmdSpoolDir=%[3]s/spool
SlurmctldPidFile=%[3]s/slurmctld.pid
SlurmdPidFile=%[3]s/slurmd.pid
SlurmctldLogFile=%[3]s/slurmctld.log
SlurmdLogFile=%[3]s/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
KillWait=5
NodeName=localhost NodeAddr=127.0.0.1 CPUs=%[4]d State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
`, freePort(t), freePort(t), dir, cpus)
	if err := os.WriteFile(c.Conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	c.daemon("slurmctld", "-D", "-f", c.Conf)
	c.daemon("slurmd", "-D", "-f", c.Conf, "-N", "localhost")
	c.waitFor("the node to be idle", func() bool {
		out, _ := c.Command("sinfo", "-h", "-o", "%t").Output()
		return strings.TrimSpace(string(out)) == "idle"
	})
	return c
}

// daemon starts a daemon in the foreground, killed when the test ends.
func (c *Cluster) daemon(name string, args ...string) {
	c.t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "SLURM_CONF="+c.Conf)
	log, _ := os.Create(filepath.Join(c.dir, name+".out"))
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		c.t.Fatalf("starting %s: %v", name, err)
	}
	c.t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		log.Close()
	})
}

// waitFor waits up to 30 s for cond.
func (c *Cluster) waitFor(what string, cond func() bool) {
	c.t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(c.dir, "slurmctld.log"))
			c.t.Fatalf("waiting for %s: gave up after 30 s; slurmctld's log:\n%s", what, b)
		}
	}
}

// Command is a Slurm client command (sbatch, squeue, scancel, …) of the
// cluster.
func (c *Cluster) Command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "SLURM_CONF="+c.Conf)
	return cmd
}

// Jobs lists the cluster's jobs in the queue, as squeue writes their
// IDs and states (e.g. "7_2 R").
func (c *Cluster) Jobs() []string {
	out, err := c.Command("squeue", "-h", "-r", "-o", "%i %t").Output()
	if err != nil {
		c.t.Fatalf("squeue: %v", err)
	}
	return strings.Fields(strings.ReplaceAll(strings.TrimSpace(string(out)), " ", ":"))
}

// WaitEmpty waits up to d for the queue to empty.
func (c *Cluster) WaitEmpty(d time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(d)
	for len(c.Jobs()) > 0 {
		if time.Now().After(deadline) {
			c.t.Fatalf("jobs still queued after %v: %v", d, c.Jobs())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
