package command

import (
	"fmt"
	"reflect"
	"testing"
)

func TestSlots(t *testing.T) {
	for _, tt := range []struct {
		devices     []string
		per         int
		slots, left []string
		err         string
	}{
		{[]string{"0", "1", "2"}, 1, []string{"0", "1", "2"}, nil, ""},
		{[]string{"0", "1", "2", "3"}, 2, []string{"0,1", "2,3"}, nil, ""},
		{[]string{"0", "1", "2"}, 2, []string{"0,1"}, []string{"2"}, ""},
		{[]string{"5"}, 2, nil, nil, "1 GPUs (5) cannot give a run 2: name more devices or ask fewer per trial"},
	} {
		slots, left, err := Slots(tt.devices, tt.per)
		if !reflect.DeepEqual(slots, tt.slots) || !reflect.DeepEqual(left, tt.left) || fmt.Sprint(err) != tt.err && !(err == nil && tt.err == "") {
			t.Errorf("%v by %d: %v %v %v", tt.devices, tt.per, slots, left, err)
		}
	}
}

// TestGPUList reads nvidia-smi -L as it prints.
func TestGPUList(t *testing.T) {
	out := "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-4f1c2a7e-0000-0000-0000-000000000000)\n" +
		"GPU 1: NVIDIA H100 80GB HBM3 (UUID: GPU-9d2e5b11-0000-0000-0000-000000000000)\n" +
		"  MIG 1g.10gb Device 0: (UUID: MIG-00000000-0000-0000-0000-000000000000)\n"
	if ids, err := parseGPUList([]byte(out)); err != nil || !reflect.DeepEqual(ids, []string{"0", "1"}) {
		t.Errorf("%v %v", ids, err)
	}
	if _, err := parseGPUList([]byte("No devices were found\n")); err == nil {
		t.Error("no GPU listed, no error")
	}
}
