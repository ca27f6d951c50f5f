package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// healthcheckTimeout bounds one probe: Docker's HEALTHCHECK and compose
// give a check about as long, and a gateway that cannot answer /healthz
// within it is not healthy.
const healthcheckTimeout = 3 * time.Second

// healthcheck is `switchyard healthcheck [path-or-URL]`: it GETs
// http://127.0.0.1:$PORT/healthz (or the path or URL given, e.g. /readyz)
// and exits 0 on 200, 1 otherwise. The image has no shell, curl or wget,
// so Docker's HEALTHCHECK and compose run the binary itself; it reads
// only PORT, not the rest of the configuration, so a probe never fails for
// a reason that has nothing to do with the running process.
func healthcheck(args []string, getenv func(string) string, out io.Writer) int {
	if len(args) > 1 {
		fmt.Fprintln(out, "usage: switchyard healthcheck [/path or http://host:port/path]  (default /healthz on 127.0.0.1:$PORT)")
		return 2
	}
	target := "/healthz"
	if len(args) == 1 {
		target = args[0]
	}
	if !strings.HasPrefix(target, "http://") && !strings.HasPrefix(target, "https://") {
		port := 8080
		if p := getenv("PORT"); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil || n <= 0 || n > 65535 {
				fmt.Fprintf(out, "healthcheck: PORT must be a port number, got %q\n", p)
				return 1
			}
			port = n
		}
		target = fmt.Sprintf("http://127.0.0.1:%d/%s", port, strings.TrimPrefix(target, "/"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), healthcheckTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		fmt.Fprintf(out, "healthcheck: %v\n", err)
		return 1
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(out, "healthcheck: %v\n", err)
		return 1
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(out, "healthcheck: %s answered %s\n", target, resp.Status)
		return 1
	}
	return 0
}
