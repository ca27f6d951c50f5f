// Package deploy holds what runs Switchyard outside `go run .`: the image
// (Dockerfile), the compose stack with its Prometheus rules and Grafana
// dashboard, and the Helm chart (helm/switchyard, tested in its own module
// under helm/manifests). Containers cannot run on the project's machines,
// so these tests check every file statically: each decodes, names what
// exists (services, files, metrics the gateway really exports, variables
// the README documents), and agrees with the code.
package deploy

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/switchyard/switchyard/internal/app/config"
	"github.com/switchyard/switchyard/internal/app/sandbox"
	"github.com/switchyard/switchyard/internal/policy/telemetry"
)

// compose is the part of a compose file these tests read.
type compose struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Command     []string          `yaml:"command"`
		Entrypoint  []string          `yaml:"entrypoint"`
		Environment map[string]string `yaml:"environment"`
		Volumes     []string          `yaml:"volumes"`
		DependsOn   map[string]any    `yaml:"depends_on"`
		Healthcheck struct {
			Test []string `yaml:"test"`
		} `yaml:"healthcheck"`
		StopGracePeriod string `yaml:"stop_grace_period"`
		Deploy          struct {
			Replicas int `yaml:"replicas"`
		} `yaml:"deploy"`
	} `yaml:"services"`
}

func decodeYAML(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(raw, v), path)
}

// TestCompose: the stack the issue asks for is there and wired together.
func TestCompose(t *testing.T) {
	var c compose
	decodeYAML(t, "compose.yaml", &c)
	for _, s := range []string{"redis", "vendorsim", "switchyard", "loadbalancer", "prometheus", "grafana", "jaeger"} {
		require.Contains(t, c.Services, s, "compose.yaml has no %s service", s)
	}

	redis := strings.Join(c.Services["redis"].Command, " ")
	assert.Contains(t, redis, "--appendonly yes", "idempotency keys must survive a Redis restart: AOF on")
	assert.Regexp(t, `--appendfsync (everysec|always)`, redis)

	sy := c.Services["switchyard"]
	assert.Equal(t, 3, sy.Deploy.Replicas, "three replicas behind the load balancer")
	assert.Equal(t, "3", sy.Environment["SWITCHYARD_REPLICAS"], "each replica's share of a vendor's rate limit when Redis is away")
	assert.Equal(t, "redis://redis:6379/0", sy.Environment["SWITCHYARD_REDIS_URL"])
	assert.Equal(t, "http://jaeger:4318", sy.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"], "traces go to Jaeger's OTLP/HTTP receiver")
	assert.Contains(t, sy.DependsOn, "redis")
	assert.Equal(t, []string{"CMD", "/switchyard", "healthcheck", "/readyz"}, sy.Healthcheck.Test)

	// The replicas' environment loads, and every Switchyard variable in it
	// is one the README documents.
	cfg, err := config.Load(func(k string) string { return sy.Environment[k] })
	require.NoError(t, err, "the replicas' environment must load")
	assert.False(t, cfg.Sandbox, "the replicas share one vendorsim, as real vendors, not a sandbox each")
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	for k := range sy.Environment {
		if strings.HasPrefix(k, "SWITCHYARD_") {
			assert.Contains(t, string(readme), "`"+k+"`", "%s is set in compose.yaml but not documented", k)
		}
	}
	for k, v := range sandbox.Credentials() {
		assert.Equal(t, v, sy.Environment[k], "%s must be the simulators' sandbox credential", k)
	}
	for _, v := range []string{"ORTTO", "APPTIVO", "APPDIRECT", "CORDIAL"} {
		assert.True(t, strings.HasPrefix(sy.Environment[v+"_BASE_URL"], "http://vendorsim:9090/"), "%s_BASE_URL points at vendorsim", v)
	}
	assert.Contains(t, strings.Join(c.Services["vendorsim"].Entrypoint, " "), ":9090")

	// A replica stopped by compose gets its drain and its shutdown.
	grace, err := time.ParseDuration(sy.StopGracePeriod)
	require.NoError(t, err)
	assert.Greater(t, grace, cfg.Server.DrainDelay+cfg.Server.ShutdownTimeout, "stop_grace_period must outlast SWITCHYARD_DRAIN_DELAY + SWITCHYARD_SHUTDOWN_TIMEOUT")

	// Every file mounted from the repository exists.
	for name, s := range c.Services {
		for _, v := range s.Volumes {
			src, _, _ := strings.Cut(v, ":")
			if strings.HasPrefix(src, "./") {
				_, err := os.Stat(src)
				assert.NoError(t, err, "%s mounts %s", name, src)
			}
		}
	}
	var prom struct {
		RuleFiles     []string `yaml:"rule_files"`
		ScrapeConfigs []struct {
			JobName      string `yaml:"job_name"`
			DNSSDConfigs []struct {
				Names []string `yaml:"names"`
				Port  int      `yaml:"port"`
			} `yaml:"dns_sd_configs"`
		} `yaml:"scrape_configs"`
	}
	decodeYAML(t, "prometheus/prometheus.yaml", &prom)
	require.Len(t, prom.ScrapeConfigs, 1)
	assert.Equal(t, "switchyard", prom.ScrapeConfigs[0].JobName, "the alert rules select job=\"switchyard\"")
	assert.Equal(t, []string{"switchyard"}, prom.ScrapeConfigs[0].DNSSDConfigs[0].Names, "every replica of the compose service")
	assert.Equal(t, cfg.Port, prom.ScrapeConfigs[0].DNSSDConfigs[0].Port)
	assert.Contains(t, c.Services["prometheus"].Volumes, "./prometheus/alerts.yaml:"+prom.RuleFiles[0]+":ro")
}

// TestDockerfile: multi-stage, static, non-root, probed by the binary
// itself, on the Go that go.mod names.
func TestDockerfile(t *testing.T) {
	raw, err := os.ReadFile("Dockerfile")
	require.NoError(t, err)
	df := string(raw)
	froms := regexp.MustCompile(`(?m)^FROM\s+(\S+)`).FindAllStringSubmatch(df, -1)
	require.Len(t, froms, 2, "a build stage and a runtime stage")
	assert.Contains(t, froms[1][1], "distroless/static", "the runtime stage is a minimal base without a shell")
	assert.Contains(t, df, "CGO_ENABLED=0 go build", "a static binary")
	assert.Regexp(t, `(?m)^USER 65532:65532$`, df, "non-root, numerically, for runAsNonRoot")
	assert.Contains(t, df, `HEALTHCHECK`)
	assert.Contains(t, df, `CMD ["/switchyard", "healthcheck"]`)
	assert.Contains(t, df, "-X github.com/switchyard/switchyard/internal/app/gateway.Version=${VERSION}", "the version is stamped where /healthz reads it")

	gomod, err := os.ReadFile("../go.mod")
	require.NoError(t, err)
	goVersion := regexp.MustCompile(`(?m)^go (\S+)$`).FindStringSubmatch(string(gomod))
	require.NotNil(t, goVersion)
	assert.Contains(t, df, "ARG GO_VERSION="+goVersion[1], "the image builds with the Go that go.mod names")

	// The build context leaves out only what go build does not need: no
	// embedded file and no Go source of the binaries.
	ignore, err := os.ReadFile("Dockerfile.dockerignore")
	require.NoError(t, err)
	for _, line := range strings.Split(string(ignore), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for _, dir := range []string{"internal", "graph", "resolvers", "vendors", "cmd"} {
			assert.False(t, strings.HasPrefix(line, dir), "%s is left out of the build context but the binaries need it", line)
		}
	}
}

// exported lists the metric names the gateway exports: the switchyard_
// ones declared in internal/policy/telemetry (a histogram as its _bucket, _sum
// and _count series), the Go and process collectors' as a bare registry
// serves them, and Prometheus's own up.
func exported(t *testing.T) []string {
	t.Helper()
	names := []string{"up"}
	files, err := filepath.Glob("../internal/policy/telemetry/*.go")
	require.NoError(t, err)
	decl := regexp.MustCompile(`(Histogram)?Opts\{\s*Name:\s*"(switchyard_[a-z0-9_]+)"`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range decl.FindAllStringSubmatch(string(src), -1) {
			if m[1] == "Histogram" {
				names = append(names, m[2]+"_bucket", m[2]+"_sum", m[2]+"_count")
			} else {
				names = append(names, m[2])
			}
		}
	}
	require.Contains(t, names, "switchyard_vendor_calls_total", "the declarations moved: fix the pattern")

	tel, err := telemetry.New(context.Background(), telemetry.Options{ServiceVersion: "test", Getenv: func(string) string { return "" }})
	require.NoError(t, err)
	srv := httptest.NewServer(tel.MetricsHandler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	for _, line := range strings.Split(string(body), "\n") {
		if f := strings.Fields(line); len(f) > 0 && !strings.HasPrefix(line, "#") {
			name, _, _ := strings.Cut(f[0], "{")
			names = append(names, name)
		}
	}
	require.Contains(t, names, "go_gc_gomemlimit_bytes")
	return names
}

// metricRefs are the metric names a PromQL expression reads.
var metricRefs = regexp.MustCompile(`\b((?:switchyard|go|process)_[a-z0-9_]+|up)\b\s*[{\[)=<>]`)

func refs(expr string) []string {
	var out []string
	for _, m := range metricRefs.FindAllStringSubmatch(expr, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestAlertRulesUseExportedMetrics: an alert on a metric that does not
// exist never fires; and every alert has its runbook in docs/operations.md.
func TestAlertRulesUseExportedMetrics(t *testing.T) {
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert       string            `yaml:"alert"`
				Expr        string            `yaml:"expr"`
				Labels      map[string]string `yaml:"labels"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	decodeYAML(t, "prometheus/alerts.yaml", &rules)
	names := exported(t)
	runbook, err := os.ReadFile("../docs/operations.md")
	require.NoError(t, err)
	count := 0
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			count++
			used := refs(r.Expr)
			assert.NotEmpty(t, used, "%s reads no metric the test recognises: %s", r.Alert, r.Expr)
			for _, m := range used {
				assert.Contains(t, names, m, "%s uses %s, which the gateway does not export", r.Alert, m)
			}
			assert.Contains(t, []string{"page", "warn"}, r.Labels["severity"], r.Alert)
			assert.NotEmpty(t, r.Annotations["summary"], r.Alert)
			anchor := strings.ToLower(r.Alert)
			assert.Equal(t, "docs/operations.md#"+anchor, r.Annotations["runbook"], r.Alert)
			assert.Contains(t, string(runbook), "### "+r.Alert+"\n", "docs/operations.md has no section for %s", r.Alert)
		}
	}
	assert.GreaterOrEqual(t, count, 5)
}

// TestDashboard: the provisioned dashboard decodes, uses the provisioned
// data source, and graphs only metrics the gateway exports.
func TestDashboard(t *testing.T) {
	raw, err := os.ReadFile("grafana/dashboards/switchyard.json")
	require.NoError(t, err)
	var d struct {
		UID    string `json:"uid"`
		Panels []struct {
			Title      string `json:"title"`
			Datasource struct {
				UID string `json:"uid"`
			} `json:"datasource"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	require.NoError(t, json.Unmarshal(raw, &d))
	assert.Equal(t, "switchyard", d.UID)
	var ds struct {
		Datasources []struct {
			UID string `yaml:"uid"`
		} `yaml:"datasources"`
	}
	decodeYAML(t, "grafana/provisioning/datasources/prometheus.yaml", &ds)
	require.Len(t, ds.Datasources, 1)
	names := exported(t)
	var graphed []string
	require.NotEmpty(t, d.Panels)
	for _, p := range d.Panels {
		assert.Equal(t, ds.Datasources[0].UID, p.Datasource.UID, p.Title)
		require.NotEmpty(t, p.Targets, p.Title)
		for _, tg := range p.Targets {
			used := refs(tg.Expr)
			assert.NotEmpty(t, used, "%s: %s", p.Title, tg.Expr)
			for _, m := range used {
				assert.Contains(t, names, m, "panel %q graphs %s, which the gateway does not export", p.Title, m)
				if !slices.Contains(graphed, m) {
					graphed = append(graphed, m)
				}
			}
		}
	}
	for _, m := range []string{"switchyard_vendor_breaker_state", "switchyard_vendor_calls_total", "switchyard_vendor_rate_limit_fallback", "process_resident_memory_bytes"} {
		assert.Contains(t, graphed, m, "the dashboard should show what the alerts watch")
	}
}
