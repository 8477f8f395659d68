package probe

import "errors"

// shortage is an error the system raises when this machine runs out of a local resource, and what ran out.
type shortage struct {
	errno error
	what  string
}

// localExhaustion reports whether err is this machine running out of a local resource (file
// descriptors, socket buffers, kernel memory for a socket) before anything reached the network: a
// DNS lookup or a dial that fails so says nothing about the endpoint, the path or a firewall.
func localExhaustion(err error) bool {
	_, ok := shortageOf(err)
	return ok
}

func shortageOf(err error) (shortage, bool) {
	for _, s := range shortages {
		if errors.Is(err, s.errno) {
			return s, true
		}
	}
	return shortage{}, false
}

// shortageWords completes the message of a failure that localExhaustion recognised.
func shortageWords(err error) string {
	s, _ := shortageOf(err)
	return " (" + s.what + "; nothing was sent, so this says nothing about the endpoint or the network)"
}
