package main

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/arccheck/arccheck/internal/boundedfile"
	"github.com/arccheck/arccheck/internal/bytesize"
)

// maxPEMFile bounds a CA file (--ca-file, --proxy-ca-file, --public-roots): the Mozilla bundle is
// about 200 KiB.
const maxPEMFile = 16 << 20

// readCerts reads the certificates of a PEM file: at least one, or an error. As x509's
// AppendCertsFromPEM, it passes over blocks that are not certificates or do not parse.
func readCerts(path string) ([]*x509.Certificate, error) {
	data, err := readPEMFile(path)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for len(data) > 0 {
		var block *pem.Block
		if block, data = pem.Decode(data); block == nil {
			break
		}
		if block.Type != "CERTIFICATE" || len(block.Headers) != 0 {
			continue
		}
		if c, err := x509.ParseCertificate(block.Bytes); err == nil {
			certs = append(certs, c)
		}
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%s holds no PEM certificate", path)
	}
	return certs, nil
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
