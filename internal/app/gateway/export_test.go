package gateway

// VendorClient is the client the gateway built for vendor, for tests.
func (g *Gateway) VendorClient(vendor string) any { return g.resolver.Clients.Get(vendor) }
