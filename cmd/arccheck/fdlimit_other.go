//go:build !unix

package main

// fdConcurrency is maxConcurrency where there is no open-file limit to fit within (Windows).
func fdConcurrency() int { return maxConcurrency }
