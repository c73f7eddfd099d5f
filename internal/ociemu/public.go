package ociemu

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Public endpoints (Options.PublicEndpoints): the emulator answers at the hostnames the SDK
// builds in production, so that a function can run with no endpoint override at all:
//   - IAM of each subscribed region at identity.<region>.oci.oraclecloud.com (identity client,
//     SetRegion: "https://identity.{region}.oci.{secondLevelDomain}");
//   - Notifications of the function's region at notification.<region>.oraclecloud.com (ONS
//     data-plane client, SetRegion: "https://notification.{region}.{secondLevelDomain}");
//   - each identity domain at https://idcs-<32 hex>.identity.oraclecloud.com:443, the form of
//     the url ListDomains returns for a real domain (identity.Domain.Url: "Region agnostic
//     domain URL").
//
// They are reached through a local HTTPS proxy (ProxyURL): the SDK's transport takes its proxy
// from the environment (common/transport_template_provider.go, DefaultTransport:
// transport.Proxy = http.ProxyFromEnvironment), so the function is started with HTTPS_PROXY set
// to it, and SSL_CERT_FILE naming a file with CACertPEM (crypto/x509 reads it on Linux). The
// proxy answers CONNECT for those hosts only (port 443), terminates TLS with a certificate the
// emulator's CA issues for the host, and serves the requests with the host's own handler; a
// CONNECT to any other host is refused and recorded (UnknownHosts), so a test sees every
// address the function tried.

// publicFront is the proxy and what it serves.
type publicFront struct {
	caPEM  []byte
	caCert *x509.Certificate
	caKey  *ecdsa.PrivateKey
	hosts  map[string]http.Handler // hostname (no port) -> handler

	mu      sync.Mutex
	certs   map[string]*tls.Certificate
	unknown []string

	proxy    *http.Server
	proxyURL string
	inner    *http.Server
	tunnels  *tunnelListener
}

// domainPublicURL is a domain's URL in public mode, derived from its OCID so that it is stable.
func domainPublicURL(domainID string) string {
	sum := sha256.Sum256([]byte(domainID))
	return "https://idcs-" + hex.EncodeToString(sum[:16]) + ".identity.oraclecloud.com:443"
}

func newPublicFront(log *slog.Logger) (*publicFront, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ociemu local CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	f := &publicFront{caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), caCert: ca, caKey: key,
		hosts: map[string]http.Handler{}, certs: map[string]*tls.Certificate{}, tunnels: newTunnelListener()}
	errLog := slog.NewLogLogger(log.Handler(), slog.LevelDebug)
	f.inner = &http.Server{Handler: http.HandlerFunc(f.serveTunnelled), ReadHeaderTimeout: 10 * time.Second, ErrorLog: errLog,
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			if t, ok := c.(*tunnelConn); ok {
				return context.WithValue(ctx, tunnelHostKey{}, t.host)
			}
			return ctx
		}}
	go func() { _ = f.inner.Serve(f.tunnels) }()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("ociemu: listen: %w", err)
	}
	f.proxy = &http.Server{Handler: http.HandlerFunc(f.connect), ReadHeaderTimeout: 10 * time.Second, ErrorLog: errLog}
	f.proxyURL = "http://" + ln.Addr().String()
	go func() { _ = f.proxy.Serve(ln) }()
	return f, nil
}

func (f *publicFront) close() {
	_ = f.proxy.Close()
	_ = f.inner.Close()
	_ = f.tunnels.Close()
}

// connect answers CONNECT host:443 for a served host: 200, then TLS as that host.
func (f *publicFront) connect(w http.ResponseWriter, r *http.Request) {
	host, port, err := net.SplitHostPort(r.Host)
	if r.Method != http.MethodConnect || err != nil || port != "443" || f.hosts[host] == nil {
		f.mu.Lock()
		f.unknown = append(f.unknown, r.Method+" "+r.Host)
		f.mu.Unlock()
		http.Error(w, "ociemu proxy: no such OCI endpoint "+r.Host, http.StatusBadGateway)
		return
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	if _, err := conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n")); err != nil {
		_ = conn.Close()
		return
	}
	tc := tls.Server(conn, &tls.Config{MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}, GetCertificate: f.certificate})
	f.tunnels.push(&tunnelConn{Conn: tc, host: host})
}

type tunnelHostKey struct{}

// serveTunnelled serves a request that came through a tunnel with the handler of the host the
// tunnel was opened to; a Host header naming another host is refused (421).
func (f *publicFront) serveTunnelled(w http.ResponseWriter, r *http.Request) {
	host, _ := r.Context().Value(tunnelHostKey{}).(string)
	if h, _, err := net.SplitHostPort(r.Host); err == nil && h != host || err != nil && r.Host != host {
		http.Error(w, "ociemu proxy: Host "+r.Host+" on a tunnel to "+host, http.StatusMisdirectedRequest)
		return
	}
	f.hosts[host].ServeHTTP(w, r)
}

// certificate issues (once per host) a leaf certificate for the SNI name, signed by the CA.
func (f *publicFront) certificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	name := hello.ServerName
	if f.hosts[name] == nil {
		return nil, fmt.Errorf("ociemu proxy: no certificate for %q", name)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.certs[name]; ok {
		return c, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, f.caCert, &key.PublicKey, f.caKey)
	if err != nil {
		return nil, err
	}
	c := &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	f.certs[name] = c
	return c, nil
}

// tunnelConn is a TLS connection opened through the proxy to host.
type tunnelConn struct {
	net.Conn
	host string
}

// tunnelListener hands the proxy's tunnels to the inner HTTP server.
type tunnelListener struct {
	ch   chan net.Conn
	done chan struct{}
	once sync.Once
}

func newTunnelListener() *tunnelListener {
	return &tunnelListener{ch: make(chan net.Conn), done: make(chan struct{})}
}

func (l *tunnelListener) push(c net.Conn) {
	select {
	case l.ch <- c:
	case <-l.done:
		_ = c.Close()
	}
}

func (l *tunnelListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *tunnelListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *tunnelListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

// ProxyURL is the HTTPS proxy that reaches the public endpoints ("" unless
// Options.PublicEndpoints): give it to the function as HTTPS_PROXY.
func (s *Server) ProxyURL() string {
	if s.public == nil {
		return ""
	}
	return s.public.proxyURL
}

// CACertPEM is the certificate of the CA that signs the public endpoints' certificates (nil
// unless Options.PublicEndpoints): give the function a file with it as SSL_CERT_FILE.
func (s *Server) CACertPEM() []byte {
	if s.public == nil {
		return nil
	}
	return slices.Clone(s.public.caPEM)
}

// UnknownHosts are the proxy requests refused because they named no emulated endpoint.
func (s *Server) UnknownHosts() []string {
	if s.public == nil {
		return nil
	}
	s.public.mu.Lock()
	defer s.public.mu.Unlock()
	return slices.Clone(s.public.unknown)
}

// servePublic registers h at the public host (a hostname, or a URL whose host it takes), and
// its throttle scope ("" for none) under the Host headers a client sends for it.
func (s *Server) servePublic(hostOrURL string, h http.Handler, scope string) {
	if s.public == nil {
		return
	}
	host := strings.TrimPrefix(hostOrURL, "https://")
	host = strings.TrimSuffix(host, ":443")
	s.public.hosts[host] = h
	if scope != "" {
		s.hostScope[host] = scope
		s.hostScope[host+":443"] = scope
	}
}
