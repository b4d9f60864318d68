package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/sweepml/sweep/command"
	"github.com/sweepml/sweep/study"
)

// gpusUsage is --gpus' help, for run and plan.
const gpusUsage = "give a command's runs these GPU `devices` (0,1,2 or all), gpus_per_trial each, never one to two runs at once; overrides the spec's gpus:"

// gpuSlots are the GPU slots of a sweep: --gpus, else the spec's gpus:,
// dealt gpus_per_trial to a slot. With slots, the runs trained at once
// are as many as the slots, or fewer where --workers says so (*workers,
// 0 where not given, is set).
func gpuSlots(spec *study.Spec, flag string, workers *int) ([]string, error) {
	devices := spec.GPUs
	if flag != "" {
		devices = strings.Split(flag, ",")
		for _, d := range devices {
			if d = strings.TrimSpace(d); d == "" || strings.ContainsAny(d, " \t") {
				return nil, fmt.Errorf("--gpus %q: want device IDs separated by commas (0,1,2), or all", flag)
			}
		}
	}
	if devices == nil {
		return nil, nil
	}
	if spec.Command == nil {
		return nil, fmt.Errorf("--gpus: GPUs are given to a program's runs (command: or program:); the built-in networks train on CPUs")
	}
	slots, leftover, err := command.Slots(devices, spec.GPUsPerTrial)
	if err != nil {
		return nil, err
	}
	if len(leftover) > 0 {
		return nil, fmt.Errorf("%d GPUs do not deal into slots of %d: %s would be left idle; name a multiple of gpus_per_trial", len(devices), spec.GPUsPerTrial, strings.Join(leftover, ","))
	}
	if *workers <= 0 || *workers > len(slots) {
		*workers = len(slots)
	}
	return slots, nil
}

// writeGPUs adds the GPU slots to a plan.
func writeGPUs(w io.Writer, slots []string) {
	if len(slots) > 0 {
		fmt.Fprintf(w, "  gpus:    %d slots, one to each running run (CUDA_VISIBLE_DEVICES, HIP_ and ROCR_VISIBLE_DEVICES): %s\n", len(slots), strings.Join(slots, " | "))
	}
}
