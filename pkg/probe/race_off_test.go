//go:build !race

package probe

// raceDetector: see race_on_test.go.
const raceDetector = false
