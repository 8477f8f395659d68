//go:build race

package probe

// raceDetector is whether the tests run under the race detector, which doubles the stack guard and
// enlarges frames: sizes measured then are not those of a normal build.
const raceDetector = true
