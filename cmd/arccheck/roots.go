package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// maxPEMFile bounds a CA file (--ca-file, --proxy-ca-file, --public-roots): the Mozilla bundle is
// about 200 KiB.
const maxPEMFile = 16 << 20

// loadRoots reads a PEM file of CA certificates, added to the system roots when withSystem is set.
func loadRoots(path string, withSystem bool) (*x509.CertPool, error) {
	data, err := readPEMFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if withSystem {
		if sys, err := x509.SystemCertPool(); err == nil && sys != nil {
			pool = sys.Clone()
		}
	}
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("%s holds no PEM certificate", path)
	}
	return pool, nil
}

// readPEMFile reads a regular file of at most maxPEMFile bytes; its errors do not repeat the path, which
// the flag's message names.
func readPEMFile(path string) ([]byte, error) {
	// Stat before opening: opening a FIFO blocks until someone writes to it.
	st, err := os.Stat(path)
	if err == nil && !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (a PEM file of CA certificates is)", path)
	}
	var f *os.File
	if err == nil {
		f, err = os.Open(path)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return nil, pe.Err // "no such file or directory"
	} else if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPEMFile+1))
	if err != nil {
		return nil, err
	} else if len(data) > maxPEMFile {
		return nil, fmt.Errorf("%s is larger than %d MiB: not a PEM file of CA certificates", path, maxPEMFile>>20)
	}
	return data, nil
}
