//go:build race

package outbound_test

// raceDetector: the race detector multiplies allocations, so allocation
// ceilings are not checked under it.
const raceDetector = true
