package linalg

import (
	"runtime"
	"sync"
	"syscall"
	"testing"
)

// TestLockThread checks that where a spare P is reserved a goroutine stays
// on its OS thread from LockThread to the matching UnlockThread, calls
// nested, while other goroutines compete for the Ps and it yields (as a
// preemption makes it yield); and that without a spare P they do nothing.
// Unlocked, the same goroutine changes threads, which shows that the test
// would see it.
func TestLockThread(t *testing.T) {
	defer func(r int) { reserved = r }(reserved)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					runtime.Gosched()
				}
			}
		}()
	}
	defer func() { close(stop); wg.Wait() }()

	// moves calls LockThread and UnlockThread so many times on a
	// goroutine of its own, which then yields `yields` times, and counts
	// its changes of thread; with untilMoved, up to the first (an
	// unlocked goroutine may keep its thread a while on a busy machine).
	const untilMoved = 1_000_000
	moves := func(locks, unlocks, yields int) (n int) {
		done := make(chan int)
		go func() {
			for range locks {
				LockThread()
			}
			for range unlocks {
				UnlockThread()
			}
			tid := syscall.Gettid()
			for range yields {
				runtime.Gosched()
				if id := syscall.Gettid(); id != tid {
					n, tid = n+1, id
					if yields == untilMoved {
						break
					}
				}
			}
			for range locks - unlocks {
				UnlockThread()
			}
			done <- n
		}()
		return <-done
	}

	reserved = 0
	if n := moves(1, 0, untilMoved); n == 0 {
		t.Errorf("without a spare P, LockThread kept the goroutine on its thread")
	}
	reserved = 1
	for _, c := range []struct{ locks, unlocks int }{{1, 0}, {2, 1}} {
		if n := moves(c.locks, c.unlocks, 2000); n != 0 {
			t.Errorf("%d LockThread, %d UnlockThread: the goroutine changed threads %d times", c.locks, c.unlocks, n)
		}
	}
	if n := moves(2, 2, untilMoved); n == 0 {
		t.Errorf("2 LockThread, 2 UnlockThread: the goroutine stayed on its thread")
	}
}
