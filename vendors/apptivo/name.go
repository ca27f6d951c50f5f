package apptivo

// Name is the vendor's key everywhere: errors, metrics, the simulator's
// path prefix and fault key, and the gateway's configuration.
const Name = vendorName
