package probe

import "errors"

// Shortage names the local resource this machine ran out of (ClassLocalResources).
type Shortage string

// The shortages.
const (
	ShortProcessFiles   Shortage = "process_files"   // this process's open-file limit (ulimit -n)
	ShortSystemFiles    Shortage = "system_files"    // the system's open-file limit
	ShortProcessHandles Shortage = "process_handles" // this process's handles (Windows)
	ShortProcessSockets Shortage = "process_sockets" // this process's socket handles (Windows)
	ShortSystemHandles  Shortage = "system_handles"  // the system's handles (Windows)
	ShortBuffers        Shortage = "buffers"         // socket buffer space
	ShortMemory         Shortage = "memory"          // kernel memory for a socket
)

// shortage is an error the system raises when this machine runs out of a local resource, and what ran out.
type shortage struct {
	errno error
	what  Shortage
}

// localExhaustion reports whether err is this machine running out of a local resource (file
// descriptors, socket buffers, kernel memory for a socket) before anything reached the network: a
// DNS lookup or a dial that fails so says nothing about the endpoint, the path or a firewall.
func localExhaustion(err error) bool {
	return shortageOf(err) != ""
}

// shortageOf is the resource err says ran out, or "".
func shortageOf(err error) Shortage {
	for _, s := range shortages {
		if errors.Is(err, s.errno) {
			return s.what
		}
	}
	return ""
}
