package sweep

import (
	"context"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"
)

func TestZZProfile(t *testing.T) {
	runtime.MemProfileRate = 4096
	src, _ := os.ReadFile("../configs/lr_sizes.yaml")
	spec := parse(t, string(src))
	spec.Budget.Trials = 20
	go func() {
		time.Sleep(8 * time.Second)
		runtime.GC()
		f, _ := os.Create("/tmp/m/inuse.prof")
		pprof.Lookup("heap").WriteTo(f, 0)
		f.Close()
	}()
	if _, err := Run(context.Background(), spec, src, builtin(spec), Options{Workers: 2, ResultsDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
}
