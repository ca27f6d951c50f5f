package auth

import "time"

// WithClock sets the clock the JWKS refresh reads, so that tests move time
// on instead of sleeping.
func WithClock(now func() time.Time) Option { return func(a *Authenticator) { a.now = now } }
