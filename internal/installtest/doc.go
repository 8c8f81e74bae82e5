// Package installtest holds the tests of what a newcomer meets first, on a
// fresh machine: the README's quick start (make demo, make test) from a
// clean copy of the tree with an empty Go module cache, and capgen used as
// a dependency of another module through the one documented extra step
// (go run github.com/capgen/capgen/cmd/capgen-native).
//
// Both build llama.cpp from scratch (several minutes each on two cores),
// so they run only with CAPGEN_FRESH=1 (`make test-fresh`; .ci/run runs
// it). Modules come from the machine's module download cache served as a
// file proxy, so no network is needed; the module caches, build caches,
// HOME and the Go environment file of the runs are temporary folders.
package installtest
