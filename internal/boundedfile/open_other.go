//go:build !unix

package boundedfile

// nonBlocking is nothing where a named pipe is no file in the file system (Windows).
const nonBlocking = 0
