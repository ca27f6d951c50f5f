package outbound_test

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// TestTransportErrorsNameNoAddress holds that a connection failure reaches
// the client as a fixed phrase: net's own text names the vendor's
// resolved IP, our source address and the DNS resolver, which describe
// the gateway's network to whoever reads the error. The cause stays
// reachable with errors.Is/As for the code that classifies it.
func TestTransportErrorsNameNoAddress(t *testing.T) {
	dial := func(err error) error {
		return &url.Error{Op: "Post", URL: "https://api.vendor.test/v1/x?key=secret", Err: &net.OpError{
			Op: "dial", Net: "tcp",
			Source: &net.TCPAddr{IP: net.ParseIP("10.0.0.9"), Port: 51234},
			Addr:   &net.TCPAddr{IP: net.ParseIP("10.0.0.5"), Port: 443},
			Err:    err,
		}}
	}
	dnsErr := &net.DNSError{Err: "no such host", Name: "api.vendor.test", Server: "127.0.0.53:53", IsNotFound: true}
	cases := []struct {
		name string
		err  error
		want string
		is   error // errors.Is must still find it
		as   func(error) bool
	}{
		{"refused", dial(os.NewSyscallError("connect", syscall.ECONNREFUSED)), "connection refused", syscall.ECONNREFUSED, nil},
		{"reset", &url.Error{Op: "Post", URL: "https://api.vendor.test/", Err: &net.OpError{Op: "read", Net: "tcp", Source: &net.TCPAddr{IP: net.ParseIP("10.0.0.9"), Port: 5}, Addr: &net.TCPAddr{IP: net.ParseIP("10.0.0.5"), Port: 443}, Err: os.NewSyscallError("read", syscall.ECONNRESET)}}, "connection reset", syscall.ECONNRESET, nil},
		{"dns", &url.Error{Op: "Get", URL: "https://api.vendor.test/", Err: &net.OpError{Op: "dial", Net: "tcp", Err: dnsErr}}, "DNS lookup failed", nil,
			func(err error) bool { var d *net.DNSError; return errors.As(err, &d) && d.IsNotFound }},
		{"tls", &url.Error{Op: "Get", URL: "https://10.0.0.5/", Err: &tls.CertificateVerificationError{Err: x509.HostnameError{Certificate: &x509.Certificate{}, Host: "10.0.0.5"}}}, "TLS handshake failed", nil,
			func(err error) bool { var c *tls.CertificateVerificationError; return errors.As(err, &c) }},
		{"other dial failure", dial(os.NewSyscallError("connect", syscall.EHOSTUNREACH)), "network error", syscall.EHOSTUNREACH, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := outbound.FromTransport("ortto", "get person", tc.err)
			assert.Equal(t, "ortto: get person: unavailable: "+tc.want, e.Error())
			for _, leak := range []string{"10.0.0.5", "10.0.0.9", "127.0.0.53", "api.vendor.test", "secret", "dial tcp"} {
				assert.NotContains(t, e.Error(), leak)
			}
			if tc.is != nil {
				assert.ErrorIs(t, e, tc.is)
			}
			if tc.as != nil {
				assert.True(t, tc.as(e), "errors.As still finds the cause")
			}
			var opErr *net.OpError
			if errors.As(tc.err, &opErr) {
				require.True(t, errors.As(e, &opErr), "the *net.OpError is still reachable")
			}
		})
	}

	t.Run("timeout stays a timeout", func(t *testing.T) {
		e := outbound.FromTransport("ortto", "", dial(timeoutErr{}))
		assert.Equal(t, outbound.KindTimeout, e.Kind)
		assert.Equal(t, "ortto: timeout: timed out", e.Error())
	})
	t.Run("other causes keep their text", func(t *testing.T) {
		e := outbound.FromTransport("ortto", "", errors.New("unexpected EOF"))
		assert.Equal(t, "ortto: unavailable: unexpected EOF", e.Error())
	})
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }
