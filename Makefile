# sweep — see README.md.
GO ?= go
BIN := bin/sweep

# Which build make makes: the OpenBLAS build (cgo, tag openblas) where
# Debian's libopenblas-dev is installed — OpenBLAS picks kernels for the
# processor (AVX-512 ones here) and trains fastest; the portable pure-Go
# build otherwise, which multiplies with kernels of its own (AVX2) on amd64
# and evaluates in less memory (docs/performance.md). make TAGS= picks
# pure Go. Both are tested.
OPENBLAS := $(shell ls /usr/lib/*/libopenblas.so /usr/lib/libopenblas.so 2>/dev/null | head -1)
TAGS := $(if $(OPENBLAS),openblas)
CGO := $(if $(filter openblas,$(TAGS)),1,0)

.PHONY: build run test bench bench-sweeps bench-pareto compare fuzz chaos full proof torch clean

build:
	CGO_ENABLED=$(CGO) $(GO) build -tags '$(TAGS)' -o $(BIN) ./cmd/sweep

# The main job: the notebook's task (first 1000 MNIST images, 80/20 split,
# seed 42, 784-128-64-10, 30 epochs) on the embedded MNIST.
run: build
	./$(BIN) train

# GoMLX's pure-Go matmul keeps addresses in uintptr variables, which the
# race detector's checkptr instrumentation rejects; it stays on for our code.
RACEFLAGS := -race -gcflags='github.com/gomlx/...=-d=checkptr=0'

# The portable build compiles without cgo; vet; every test under the race
# detector; then every test without it, which includes the end-to-end
# learning runs too slow to instrument; then every test of the OpenBLAS
# build, where the library is installed.
test:
	CGO_ENABLED=0 $(GO) build ./...
	$(GO) vet ./...
	$(GO) test $(RACEFLAGS) ./...
	$(GO) test ./...
ifneq ($(OPENBLAS),)
	$(GO) vet -tags openblas ./...
	$(GO) test -tags openblas ./...
endif

# Benchmarks: one epoch over all 60,000 images per dtype, single steps.
bench:
	$(GO) test -tags '$(TAGS)' -run '^$$' -bench . -benchmem ./...

# Whole jobs end to end (bench/sweeps): the main job, configs/lr_sizes.yaml
# with 1 and 2 workers, 1,000 tiny trials local and in PostgreSQL (then
# again with the server on a core of its own, by taskset), each pair three
# times in turn; wall, user and system time, peak RSS, ratios (median and
# range) from one run; then sweep serve on a 1,000-trial PostgreSQL study
# (page updates, effect on the workers); then a command trial's cost: echo,
# a Python program, the same written for W&B (3 rounds of 200). About 7
# minutes (8 with TAGS=).
bench-sweeps: build
	SWEEP_BENCH=1 $(GO) test -count=1 -timeout 30m -run 'TestWholeSweeps|TestServeLargeStudy|TestWandbOverhead' -v ./bench/sweeps | grep -v -e '^=== RUN' -e '^--- PASS' -e '^PASS' -e '^ok'

# Several objectives: the hypervolume of sweep's NSGA-II front against
# Optuna's NSGA-II and MOTPE (Debian's python3-optuna), docs/objectives.md.
bench-pareto: build
	/usr/bin/python3 bench/pareto/pareto.py $(BIN)

# Side by side with PyTorch and NumPy (Debian's python3-torch and
# python3-numpy), one thread each: see bench/main.go.
compare:
	$(GO) run ./bench

# Short native fuzzing of the IDX reader.
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzReadIDX -fuzztime 20s ./dataset
	$(GO) test -run '^$$' -fuzz FuzzRead -fuzztime 10s ./internal/modelfile
	$(GO) test -run '^$$' -fuzz FuzzParseSpec -fuzztime 20s ./study
	$(GO) test -run '^$$' -fuzz FuzzPlan -fuzztime 20s ./sweep

# The fault-injection suite, long: many seeded schedules of kill -9,
# SIGSTOP past the grace period, server outages and concurrent runs on one
# directory (make test runs one schedule). CHAOS_SEED picks the schedules.
CHAOS_SCHEDULES ?= 20
chaos:
	CHAOS_SCHEDULES=$(CHAOS_SCHEDULES) $(GO) test -tags '$(TAGS)' -count=1 -timeout 60m -run TestChaos -v ./sweep

# The documented full-data run: all 60,000 images, 10 epochs, test accuracy.
full: build
	./$(BIN) train --subset 0 --epochs 10 --batch 64 --lr 0.05 --dtype float32 --test

# Proof of learning, committed: the notebook's models compared (its part C),
# regenerated from scratch. Takes about 3 minutes on 2 cores.
proof: build
	./$(BIN) run --restart --workers 1 configs/notebook.yaml
	./$(BIN) report results/notebook > results/notebook/report.txt
	./$(BIN) report --files=false --format markdown results/notebook > results/notebook/report.md

# The notebook's PyTorch network swept as a program (configs/torch_notebook.yaml),
# on the data and split of the scratch MLP. Needs Debian's python3-torch.
torch: build
	./$(BIN) data export data/mnist
	./$(BIN) data split data/split.json
	./$(BIN) run configs/torch_notebook.yaml

clean:
	rm -rf bin
