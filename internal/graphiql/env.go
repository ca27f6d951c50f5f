package graphiql

import (
	"fmt"
	"strconv"
	"strings"
)

// EnvGraphiQL turns the playground on (1/true) or off (0/false).
const EnvGraphiQL = "SWITCHYARD_GRAPHIQL"

// EnabledFromEnv reports whether the gateway serves the playground:
// SWITCHYARD_GRAPHIQL decides when set; otherwise it is on in the sandbox
// and off elsewhere, like introspection, so that a production gateway
// serves no IDE unless asked to. A value that is not a boolean is an
// error rather than a silent default.
func EnabledFromEnv(sandbox bool, getenv func(string) string) (bool, error) {
	v := strings.TrimSpace(getenv(EnvGraphiQL))
	if v == "" {
		return sandbox, nil
	}
	on, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s must be 1 or 0, got %q", EnvGraphiQL, v)
	}
	return on, nil
}
