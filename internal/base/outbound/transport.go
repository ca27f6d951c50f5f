package outbound

import (
	"net"
	"net/http"
	"time"
)

// TransportOptions tunes the connection pool of one vendor. Each vendor
// gets its own pool so that a slow vendor cannot starve another of
// connections.
type TransportOptions struct {
	// MaxConnsPerHost bounds concurrent connections to the vendor; it should
	// match the concurrency the gateway allows itself towards that vendor.
	MaxConnsPerHost int
	// Timeout bounds one whole vendor call, body included, when the caller's
	// context has no earlier deadline.
	Timeout time.Duration
}

// NewHTTPClient returns an *http.Client with a transport tuned for a
// vendor API: keep-alive pool sized to the vendor's concurrency, bounded
// dial/TLS/header waits, HTTP/2 attempted where the vendor offers it.
// Vendor clients wrap its Transport with their auth RoundTripper.
func NewHTTPClient(opts TransportOptions) *http.Client {
	if opts.MaxConnsPerHost <= 0 {
		opts.MaxConnsPerHost = 64
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	t := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          opts.MaxConnsPerHost,
		MaxIdleConnsPerHost:   opts.MaxConnsPerHost,
		MaxConnsPerHost:       opts.MaxConnsPerHost,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ExpectContinueTimeout: time.Second,
		ResponseHeaderTimeout: opts.Timeout,
	}
	return &http.Client{Transport: t, Timeout: opts.Timeout}
}

// Base returns the RoundTripper of hc, or http.DefaultTransport.
func Base(hc *http.Client) http.RoundTripper {
	if hc != nil && hc.Transport != nil {
		return hc.Transport
	}
	return http.DefaultTransport
}

// WithTransport returns a copy of hc whose transport is rt, keeping hc's
// timeout. It is how a vendor client puts its auth layer on the chain
// without mutating a client the caller may share.
func WithTransport(hc *http.Client, rt http.RoundTripper) *http.Client {
	c := &http.Client{Transport: rt}
	if hc != nil {
		c.Timeout = hc.Timeout
		c.CheckRedirect = hc.CheckRedirect
	}
	return c
}
