// Package testnet builds the network that arccheck's tests run against: certificate authorities and
// leaf certificates minted at run time, TLS, DNS and misbehaving servers on loopback, and the real
// components (squid, a SOCKS5 server, dnsmasq) started with generated configurations. Every server stops
// when its test ends. Nothing here sends traffic beyond loopback.
package testnet

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// CA is a certificate authority minted for a test.
type CA struct {
	Cert *x509.Certificate
	Key  *ecdsa.PrivateKey
	// PEM is the CA certificate, PEM-encoded.
	PEM []byte
	// parent is the CA that signed this one, nil for a root.
	parent *CA
}

// nextSerial returns a random 128-bit serial number; safe to call from concurrent handshakes.
func nextSerial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err)
	}
	return n.Add(n, big.NewInt(1))
}

// NewCA mints a self-signed root CA with the given common name and organisation.
func NewCA(t testing.TB, commonName, org string) *CA {
	t.Helper()
	return mintCA(t, commonName, org, nil, RevocationURLs{})
}

// mintCA mints a CA signed by parent, or a self-signed root when parent is nil, naming the URLs.
func mintCA(t testing.TB, commonName, org string, parent *CA, urls RevocationURLs) *CA {
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:          nextSerial(),
		Subject:               pkix.Name{CommonName: commonName, Organization: []string{org}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	urls.apply(tmpl)
	signer, signerKey := tmpl, key
	if parent != nil {
		signer, signerKey = parent.Cert, parent.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &CA{Cert: cert, Key: key, PEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), parent: parent}
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// KeyPEM returns the CA's private key, PEM-encoded (for squid's ssl_bump).
func (ca *CA) KeyPEM(t testing.TB) []byte {
	der, err := x509.MarshalECPrivateKey(ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
}

// Pool returns a certificate pool holding only this CA.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

// WritePEM writes the CA certificate to a file in a temporary directory and returns its path.
func (ca *CA) WritePEM(t testing.TB) string {
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, ca.PEM, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Leaf mints a server certificate for the names (DNS names or IPs), valid in [notBefore, notAfter].
func (ca *CA) Leaf(t testing.TB, names []string, notBefore, notAfter time.Time) tls.Certificate {
	t.Helper()
	return ca.LeafWith(t, LeafOptions{Names: names, NotBefore: notBefore, NotAfter: notAfter})
}

// LeafOptions shape a server certificate.
type LeafOptions struct {
	// Names are the DNS names or IPs it is for; the first is also its common name.
	Names []string
	// NotBefore and NotAfter bound its validity; zero means from an hour ago for a day.
	NotBefore, NotAfter time.Time
	// CommonNameOnly leaves out the subject alternative names: the name is in the common name only, which
	// clients stopped reading.
	CommonNameOnly bool
	// ExtKeyUsage replaces serverAuth.
	ExtKeyUsage []x509.ExtKeyUsage
	// Revocation are the CRL, OCSP and CA-issuer URLs the certificate names.
	Revocation RevocationURLs
	// RSA makes the key RSA (2048 bits) rather than ECDSA P-256: TLS 1.2 ECDHE_RSA suites need one.
	RSA bool
	// NegativeSerial gives the certificate a negative serial number, as some inspection appliances do.
	NegativeSerial bool
}

// RevocationURLs are the URLs a certificate names for revocation checks and its issuer's certificate.
type RevocationURLs struct {
	CRL, OCSP, CAIssuers []string
}

// apply puts the URLs into a certificate template.
func (u RevocationURLs) apply(tmpl *x509.Certificate) {
	tmpl.CRLDistributionPoints, tmpl.OCSPServer, tmpl.IssuingCertificateURL = u.CRL, u.OCSP, u.CAIssuers
}

// LeafWith mints a server certificate as o says. When ca is an intermediate, the chain presented is
// the leaf and the intermediate; drop Certificate[1] for an incomplete chain.
func (ca *CA) LeafWith(t testing.TB, o LeafOptions) tls.Certificate {
	t.Helper()
	var key crypto.Signer = newKey(t)
	if o.RSA {
		rk, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		key = rk
	}
	if o.NotBefore.IsZero() {
		o.NotBefore, o.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour)
	}
	tmpl := &x509.Certificate{
		SerialNumber: nextSerial(),
		Subject:      pkix.Name{CommonName: o.Names[0], Organization: []string{"arccheck test server"}},
		NotBefore:    o.NotBefore,
		NotAfter:     o.NotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if o.ExtKeyUsage != nil {
		tmpl.ExtKeyUsage = o.ExtKeyUsage
	}
	if o.RSA {
		tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment
	}
	o.Revocation.apply(tmpl)
	for _, n := range o.Names {
		switch ip := net.ParseIP(n); {
		case o.CommonNameOnly:
		case ip != nil:
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		default:
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	var signerKey crypto.Signer = ca.Key
	signer := ca.Cert
	if ca.Cert == nil { // self-signed
		signer, signerKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, key.Public(), signerKey)
	if err != nil {
		t.Fatal(err)
	}
	if o.NegativeSerial {
		der = negateSerial(t, der, signerKey)
	}
	chain := [][]byte{der}
	if ca.parent != nil {
		chain = append(chain, ca.Cert.Raw)
	}
	return tls.Certificate{Certificate: chain, PrivateKey: key}
}

// SelfSigned mints a self-signed server certificate for the names.
func SelfSigned(t testing.TB, names ...string) tls.Certificate {
	t.Helper()
	return (&CA{}).LeafWith(t, LeafOptions{Names: names})
}

// Intermediate mints an intermediate CA under ca. Its leaves are presented with it (see LeafWith).
func (ca *CA) Intermediate(t testing.TB, commonName, org string) *CA {
	t.Helper()
	return mintCA(t, commonName, org, ca, RevocationURLs{})
}

// IntermediateWith mints an intermediate CA under ca whose certificate names the revocation URLs.
func (ca *CA) IntermediateWith(t testing.TB, commonName, org string, urls RevocationURLs) *CA {
	t.Helper()
	return mintCA(t, commonName, org, ca, urls)
}

// negateSerial re-signs a certificate with its serial number made negative: crypto/x509 refuses to mint
// one, so the TBSCertificate is rewritten and signed again by the issuer's key (ECDSA with SHA-256).
func negateSerial(t testing.TB, der []byte, signer crypto.Signer) []byte {
	var cert struct {
		TBS    asn1.RawValue
		SigAlg asn1.RawValue
		Sig    asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &cert); err != nil {
		t.Fatal(err)
	}
	var tbs []asn1.RawValue
	if _, err := asn1.Unmarshal(cert.TBS.FullBytes, &tbs); err != nil {
		t.Fatal(err)
	}
	// tbs[0] is the explicit version, tbs[1] the serial number.
	serial, err := asn1.Marshal(new(big.Int).Neg(nextSerial()))
	if err != nil {
		t.Fatal(err)
	}
	body := append([]byte{}, tbs[0].FullBytes...)
	body = append(body, serial...)
	for _, v := range tbs[2:] {
		body = append(body, v.FullBytes...)
	}
	newTBS, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: body})
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256(newTBS)
	sig, err := signer.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	cert.TBS, cert.Sig = asn1.RawValue{FullBytes: newTBS}, asn1.BitString{Bytes: sig, BitLength: len(sig) * 8}
	out, err := asn1.Marshal(cert)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// ValidLeaf mints a server certificate for the names, valid from an hour ago for a day.
func (ca *CA) ValidLeaf(t testing.TB, names ...string) tls.Certificate {
	return ca.Leaf(t, names, time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour))
}

// WriteFile writes data to name in a new temporary directory and returns the path.
func WriteFile(t testing.TB, name string, data []byte) string {
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// leafPEM encodes a minted certificate and its key as PEM (certificate first), as squid reads them.
func leafPEM(t testing.TB, c tls.Certificate) []byte {
	der, err := x509.MarshalECPrivateKey(c.PrivateKey.(*ecdsa.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	return append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate[0]}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})...)
}

// CRL returns an empty CRL signed by the CA, DER-encoded.
func (ca *CA) CRL(t testing.TB) []byte {
	t.Helper()
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: nextSerial(),
		ThisUpdate: time.Now().Add(-time.Hour), NextUpdate: time.Now().Add(24 * time.Hour)}, ca.Cert, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}
