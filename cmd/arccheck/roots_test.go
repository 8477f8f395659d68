package main

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
)

// TestReadCertsAsAppendCertsFromPEM: a CA file's certificates are the ones x509's AppendCertsFromPEM
// would add (blocks with headers, of another type or that do not parse are passed over), and a file
// with none is refused as AppendCertsFromPEM refuses it.
func TestReadCertsAsAppendCertsFromPEM(t *testing.T) {
	ca := testnet.NewCA(t, "Root", "DigiCert Inc")
	other := testnet.NewCA(t, "Other", "Contoso")
	withHeaders := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED"}, Bytes: other.Cert.Raw})
	notCert := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("key")})
	garbage := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("not DER")})
	dir := t.TempDir()
	for name, data := range map[string][]byte{
		"mixed.pem": append(append(append(append([]byte("text before\n"), withHeaders...), notCert...), garbage...), ca.PEM...),
		"none.pem":  append(append(withHeaders, notCert...), garbage...),
	} {
		file := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(file, data, 0o644))
		pool := x509.NewCertPool()
		added := pool.AppendCertsFromPEM(data)
		certs, err := readCerts(file)
		if !added {
			assert.EqualError(t, err, file+" holds no PEM certificate")
			continue
		}
		require.NoError(t, err)
		mine := x509.NewCertPool()
		for _, c := range certs {
			mine.AddCert(c)
		}
		assert.True(t, pool.Equal(mine), name)
		assert.Len(t, certs, 1, name)
	}
}
