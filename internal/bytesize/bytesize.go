// Package bytesize writes a number of bytes as the docs write a bound: in GiB, MiB or KiB when it is a
// whole number of them, else in bytes.
package bytesize

import "strconv"

// Words says n bytes: "1 GiB", "64 MiB", "64 KiB", "1000 bytes".
func Words(n int64) string {
	for _, u := range []struct {
		shift uint
		unit  string
	}{{30, "GiB"}, {20, "MiB"}, {10, "KiB"}} {
		if n >= 1<<u.shift && n%(1<<u.shift) == 0 {
			return strconv.FormatInt(n>>u.shift, 10) + " " + u.unit
		}
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
