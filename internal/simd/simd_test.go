package simd

import "testing"

// The kernels' arithmetic is tested through their callers in
// internal/linalg (kernel32_test.go), against textbook loops and against
// Go's own rounding; here only what has no caller's result to check.

// TestPrefetchAnyRange prefetches empty, short, unaligned and
// page-crossing ranges, up to the last byte of an allocation: a prefetch
// must neither fault nor change memory.
func TestPrefetchAnyRange(t *testing.T) {
	buf := make([]byte, 3*4096+5)
	for i := range buf {
		buf[i] = byte(i)
	}
	for _, r := range [][2]int{{0, 0}, {0, 1}, {1, 63}, {63, 2}, {100, 4096}, {4000, len(buf) - 4000}, {len(buf) - 1, 1}} {
		Prefetch(&buf[r[0]], r[1])
	}
	for i, b := range buf {
		if b != byte(i) {
			t.Fatalf("byte %d changed to %d", i, b)
		}
	}
}
