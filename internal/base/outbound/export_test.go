package outbound

// ProbeSharedNow lets c's next turn ask its shared rate budget at once,
// however recently it failed, so that tests need not wait out sharedProbe.
func ProbeSharedNow(c *Chain) {
	s := c.limit.q.shared
	s.mu.Lock()
	s.nextProbe = s.nextProbe.AddDate(-1, 0, 0)
	s.mu.Unlock()
}
