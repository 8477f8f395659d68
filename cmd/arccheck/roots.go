package main

import (
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/arccheck/arccheck/internal/boundedfile"
	"github.com/arccheck/arccheck/internal/bytesize"
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

// readPEMFile reads a regular file of at most maxPEMFile bytes; its errors name the path. A FIFO (whose
// read would wait for a writer) is refused at once, even one put in place of a regular file after a check
// by name (see boundedfile.Read).
func readPEMFile(path string) ([]byte, error) {
	data, err := boundedfile.Read(path, maxPEMFile)
	var notRegular *boundedfile.NotRegularError
	var tooLarge *boundedfile.TooLargeError
	switch {
	case errors.As(err, &notRegular):
		return nil, fmt.Errorf("%s is not a regular file (a PEM file of CA certificates is)", path)
	case errors.As(err, &tooLarge):
		return nil, fmt.Errorf("%s is larger than %s: not a PEM file of CA certificates", path, bytesize.Words(maxPEMFile))
	case err != nil:
		return nil, fmt.Errorf("%s: %w", path, pathError(err)) // "ca.pem: no such file or directory"
	}
	return data, nil
}
