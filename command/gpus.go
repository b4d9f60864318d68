package command

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
)

// Slots deals devices into slots of perTrial each, in order: what
// sweep.Options.Devices takes. Devices left over (fewer than perTrial)
// are named in leftover. "all" alone means every GPU nvidia-smi lists.
func Slots(devices []string, perTrial int) (slots, leftover []string, err error) {
	if len(devices) == 1 && devices[0] == "all" {
		if devices, err = AllGPUs(); err != nil {
			return nil, nil, err
		}
	}
	if perTrial < 1 {
		perTrial = 1
	}
	if len(devices) < perTrial {
		return nil, nil, fmt.Errorf("%d GPUs (%s) cannot give a run %d: name more devices or ask fewer per trial", len(devices), strings.Join(devices, ","), perTrial)
	}
	n := len(devices) / perTrial
	for i := range n {
		slots = append(slots, strings.Join(devices[i*perTrial:(i+1)*perTrial], ","))
	}
	if n*perTrial < len(devices) {
		leftover = devices[n*perTrial:]
	}
	return slots, leftover, nil
}

// gpuLine is a line of nvidia-smi -L: "GPU 0: NVIDIA H100 (UUID: …)".
var gpuLine = regexp.MustCompile(`^GPU (\d+):`)

// AllGPUs lists the GPUs nvidia-smi sees, by index.
func AllGPUs() ([]string, error) {
	out, err := exec.Command("nvidia-smi", "-L").Output()
	if err != nil {
		return nil, fmt.Errorf("gpus: all asks nvidia-smi, which gave %v: name the devices instead, e.g. --gpus 0,1", err)
	}
	return parseGPUList(out)
}

// parseGPUList reads nvidia-smi -L's listing.
func parseGPUList(out []byte) ([]string, error) {
	var ids []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if m := gpuLine.FindStringSubmatch(sc.Text()); m != nil {
			ids = append(ids, m[1])
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("gpus: all: nvidia-smi -L lists no GPU")
	}
	return ids, nil
}
