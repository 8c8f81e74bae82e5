//go:build cgo

package llama

/*
#include "bridge.h"
*/
import "C"

import "strings"

// DeviceKind says what a compute device is.
type DeviceKind string

// Device kinds as ggml reports them.
const (
	DeviceCPU         DeviceKind = "cpu"
	DeviceGPU         DeviceKind = "gpu"
	DeviceIntegrated  DeviceKind = "igpu"
	DeviceAccelerator DeviceKind = "accel"
)

// Device is one compute device ggml can use.
type Device struct {
	Name        string
	Description string
	Kind        DeviceKind
	FreeBytes   uint64
	TotalBytes  uint64
}

// Devices lists the compute devices of the backends linked into this
// binary (the CPU always; CUDA or Metal GPUs when built with them).
func Devices() []Device {
	initBackend()
	n := int(C.ggml_backend_dev_count())
	out := make([]Device, 0, n)
	for i := 0; i < n; i++ {
		dev := C.ggml_backend_dev_get(C.size_t(i))
		var free, total C.size_t
		C.ggml_backend_dev_memory(dev, &free, &total)
		d := Device{
			Name:        C.GoString(C.ggml_backend_dev_name(dev)),
			Description: C.GoString(C.ggml_backend_dev_description(dev)),
			FreeBytes:   uint64(free),
			TotalBytes:  uint64(total),
		}
		switch C.ggml_backend_dev_type(dev) {
		case C.GGML_BACKEND_DEVICE_TYPE_CPU:
			d.Kind = DeviceCPU
		case C.GGML_BACKEND_DEVICE_TYPE_GPU:
			d.Kind = DeviceGPU
		case C.GGML_BACKEND_DEVICE_TYPE_IGPU:
			d.Kind = DeviceIntegrated
		default:
			d.Kind = DeviceAccelerator
		}
		out = append(out, d)
	}
	return out
}

// HasGPU reports whether a GPU (discrete or integrated) is available.
func HasGPU() bool {
	for _, d := range Devices() {
		if d.Kind == DeviceGPU || d.Kind == DeviceIntegrated {
			return true
		}
	}
	return false
}

// SystemInfo returns llama.cpp's description of the CPU features and
// backends compiled in, for example "CPU : SSE3 = 1 | AVX2 = 1 | ...".
func SystemInfo() string {
	initBackend()
	return strings.TrimSpace(C.GoString(C.llama_print_system_info()))
}

// SupportsGPUOffload reports whether this build can put layers on a GPU.
func SupportsGPUOffload() bool {
	initBackend()
	return bool(C.llama_supports_gpu_offload())
}

// MaxSequences is the largest number of parallel sequences llama.cpp
// supports in one context.
func MaxSequences() int {
	return int(C.llama_max_parallel_sequences())
}

// hasGPU reports whether a GPU (or integrated GPU) device is present.
func hasGPU() bool {
	for _, d := range Devices() {
		if d.Kind == DeviceGPU || d.Kind == DeviceIntegrated {
			return true
		}
	}
	return false
}
