//go:build !race

package outbound_test

const raceDetector = false
