// Package manifests renders the Helm chart in ../switchyard with helm
// template and decodes every manifest strictly into the Kubernetes API
// types (k8s.io/api v0.37.2; the ServiceMonitor into the Prometheus
// Operator's): a misspelt or misplaced field, which the API server would
// drop or refuse, fails here. It is a module of its own so that k8s.io/api
// and its dependencies stay out of the gateway's go.mod.
//
// Helm is run as $HELM (a command line, e.g. "go run
// helm.sh/helm/v4/cmd/helm@v4.3.2", which .ci/run sets), else helm from
// PATH; without either the test skips, unless HELM_REQUIRED=1.
package manifests

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"
)

const chart = "../switchyard"

// helm returns the command that runs Helm, or skips.
func helm(t *testing.T) []string {
	t.Helper()
	if h := strings.Fields(os.Getenv("HELM")); len(h) > 0 {
		return h
	}
	if p, err := exec.LookPath("helm"); err == nil {
		return []string{p}
	}
	msg := "helm is not runnable: set HELM (e.g. HELM='go run helm.sh/helm/v4/cmd/helm@v4.3.2', as .ci/run does) or put helm on PATH"
	if os.Getenv("HELM_REQUIRED") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return nil
}

// render runs helm template with the values files and returns each
// manifest's YAML.
func render(t *testing.T, values ...string) [][]byte {
	t.Helper()
	h := helm(t)
	args := append(h[1:], "template", "sy", chart, "--namespace", "switchyard")
	for _, v := range values {
		args = append(args, "-f", v)
	}
	cmd := exec.Command(h[0], args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "helm template: %s", stderr.String())
	var docs [][]byte
	for _, d := range bytes.Split(out, []byte("\n---")) {
		if len(bytes.TrimSpace(stripComments(d))) > 0 {
			docs = append(docs, d)
		}
	}
	require.NotEmpty(t, docs)
	return docs
}

func stripComments(doc []byte) []byte {
	var keep [][]byte
	for _, l := range bytes.Split(doc, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(l), []byte("#")) {
			keep = append(keep, l)
		}
	}
	return bytes.Join(keep, []byte("\n"))
}

// objects are a release's manifests, decoded.
type objects struct {
	deployment *appsv1.Deployment
	service    *corev1.Service
	configMap  *corev1.ConfigMap
	secrets    []*corev1.Secret
	pdb        *policyv1.PodDisruptionBudget
	hpa        *autoscalingv2.HorizontalPodAutoscaler
	monitor    *monitoringv1.ServiceMonitor
}

// decode decodes each manifest strictly (unknown and duplicate fields
// fail) into the type its apiVersion and kind name; a kind the test does
// not know fails too, so a new template cannot go unchecked.
func decode(t *testing.T, docs [][]byte) objects {
	t.Helper()
	var o objects
	for _, d := range docs {
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		require.NoError(t, yaml.Unmarshal(d, &head), string(d))
		var into any
		switch head.APIVersion + " " + head.Kind {
		case "apps/v1 Deployment":
			o.deployment = &appsv1.Deployment{}
			into = o.deployment
		case "v1 Service":
			o.service = &corev1.Service{}
			into = o.service
		case "v1 ConfigMap":
			o.configMap = &corev1.ConfigMap{}
			into = o.configMap
		case "v1 Secret":
			s := &corev1.Secret{}
			o.secrets = append(o.secrets, s)
			into = s
		case "policy/v1 PodDisruptionBudget":
			o.pdb = &policyv1.PodDisruptionBudget{}
			into = o.pdb
		case "autoscaling/v2 HorizontalPodAutoscaler":
			o.hpa = &autoscalingv2.HorizontalPodAutoscaler{}
			into = o.hpa
		case "monitoring.coreos.com/v1 ServiceMonitor":
			o.monitor = &monitoringv1.ServiceMonitor{}
			into = o.monitor
		default:
			t.Fatalf("the chart renders %s %s, which this test does not decode: add it", head.APIVersion, head.Kind)
		}
		require.NoError(t, yaml.UnmarshalStrict(d, into), "%s does not decode strictly:\n%s", head.Kind, d)
	}
	require.NotNil(t, o.deployment)
	require.NotNil(t, o.service)
	require.NotNil(t, o.configMap)
	return o
}

func TestChart(t *testing.T) {
	cases := []struct {
		values     string
		hpa, pdb   bool
		monitor    bool
		redisOwned bool // the chart creates the Redis URL's Secret
		replicas   string
	}{
		{values: "full.yaml", hpa: true, pdb: true, monitor: true, redisOwned: true, replicas: "10"},
		{values: "minimal.yaml", replicas: "2"},
	}
	for _, tc := range cases {
		t.Run(tc.values, func(t *testing.T) {
			o := decode(t, render(t, filepath.Join("testdata", tc.values)))
			d := o.deployment
			pod := d.Spec.Template.Spec
			require.Len(t, pod.Containers, 1)
			c := pod.Containers[0]

			// Selectors select the pods.
			for k, v := range d.Spec.Selector.MatchLabels {
				assert.Equal(t, v, d.Spec.Template.Labels[k], "the Deployment's selector")
				assert.Equal(t, v, o.service.Spec.Selector[k], "the Service's selector")
			}

			// Non-root, read-only root filesystem, nothing extra.
			require.NotNil(t, pod.SecurityContext)
			assert.True(t, *pod.SecurityContext.RunAsNonRoot)
			assert.Equal(t, int64(65532), *pod.SecurityContext.RunAsUser, "the image's USER")
			require.NotNil(t, c.SecurityContext)
			assert.True(t, *c.SecurityContext.ReadOnlyRootFilesystem)
			assert.False(t, *c.SecurityContext.AllowPrivilegeEscalation)
			assert.Equal(t, []corev1.Capability{"ALL"}, c.SecurityContext.Capabilities.Drop)
			assert.False(t, *pod.AutomountServiceAccountToken, "the gateway never calls the Kubernetes API")

			// Probes on the gateway's routes, and resources set.
			require.NotNil(t, c.ReadinessProbe)
			require.NotNil(t, c.LivenessProbe)
			assert.Equal(t, "/readyz", c.ReadinessProbe.HTTPGet.Path)
			assert.Equal(t, "/healthz", c.LivenessProbe.HTTPGet.Path)
			// Production answers /readyz and /metrics only on the admin
			// listener (SWITCHYARD_ADMIN_ADDR), which floods of the public
			// port cannot starve: the probes go there.
			assert.Equal(t, "admin", c.ReadinessProbe.HTTPGet.Port.String())
			assert.Equal(t, "admin", c.LivenessProbe.HTTPGet.Port.String())
			assert.Equal(t, int32(8080), c.Ports[0].ContainerPort)
			require.Len(t, c.Ports, 2)
			assert.Equal(t, "admin", c.Ports[1].Name)
			adminAddr := ""
			for _, e := range c.Env {
				if e.Name == "SWITCHYARD_ADMIN_ADDR" {
					adminAddr = e.Value
				}
			}
			assert.Equal(t, fmt.Sprintf(":%d", c.Ports[1].ContainerPort), adminAddr, "the admin port is where the gateway listens")
			assert.False(t, c.Resources.Limits.Memory().IsZero(), "a memory limit, which GOMEMLIMIT follows")
			assert.False(t, c.Resources.Requests.Cpu().IsZero(), "a CPU request, which the HPA scales on")

			// The drain fits the grace period, and readiness fails in time.
			cm := o.configMap.Data
			assert.Equal(t, "production", cm["SWITCHYARD_ENV"])
			drainDelay, err := time.ParseDuration(cm["SWITCHYARD_DRAIN_DELAY"])
			require.NoError(t, err)
			shutdown, err := time.ParseDuration(cm["SWITCHYARD_SHUTDOWN_TIMEOUT"])
			require.NoError(t, err)
			require.NotNil(t, pod.TerminationGracePeriodSeconds)
			assert.Greater(t, time.Duration(*pod.TerminationGracePeriodSeconds)*time.Second, drainDelay+shutdown)
			notReadyAfter := time.Duration(c.ReadinessProbe.PeriodSeconds*c.ReadinessProbe.FailureThreshold) * time.Second
			assert.Less(t, notReadyAfter, drainDelay, "readiness must fail within the drain delay, or traffic reaches a closed port")

			// Configuration and secrets reach the container.
			assert.Equal(t, tc.replicas, cm["SWITCHYARD_REPLICAS"], "sized for the most replicas that may run")
			var redis *corev1.EnvVar
			for i := range c.Env {
				if c.Env[i].Name == "SWITCHYARD_REDIS_URL" {
					redis = &c.Env[i]
				}
			}
			require.NotNil(t, redis, "Redis is an external URL, from a Secret")
			require.NotNil(t, redis.ValueFrom.SecretKeyRef)
			var fromConfig, fromSecret bool
			for _, e := range c.EnvFrom {
				fromConfig = fromConfig || (e.ConfigMapRef != nil && e.ConfigMapRef.Name == o.configMap.Name)
				fromSecret = fromSecret || (e.SecretRef != nil && e.SecretRef.Name == "switchyard-vendors")
			}
			assert.True(t, fromConfig, "the ConfigMap's settings")
			assert.True(t, fromSecret, "the vendor credentials")
			if tc.redisOwned {
				require.Len(t, o.secrets, 1)
				assert.Equal(t, redis.ValueFrom.SecretKeyRef.Name, o.secrets[0].Name)
				assert.Contains(t, o.secrets[0].StringData, redis.ValueFrom.SecretKeyRef.Key)
			} else {
				assert.Empty(t, o.secrets, "an existing Secret is used, none created")
			}
			if f := cm["SWITCHYARD_API_KEYS_FILE"]; f != "" {
				mounted := false
				for _, m := range c.VolumeMounts {
					mounted = mounted || (strings.HasPrefix(f, m.MountPath+"/") && m.ReadOnly)
				}
				assert.True(t, mounted, "the keys file %s is mounted read-only", f)
			}

			assert.Equal(t, tc.hpa, o.hpa != nil)
			if o.hpa != nil {
				assert.Nil(t, d.Spec.Replicas, "with an HPA the Deployment leaves replicas to it")
				assert.Equal(t, d.Name, o.hpa.Spec.ScaleTargetRef.Name)
				assert.Equal(t, "Deployment", o.hpa.Spec.ScaleTargetRef.Kind)
				assert.Equal(t, tc.replicas, strconv.Itoa(int(o.hpa.Spec.MaxReplicas)))
			} else {
				require.NotNil(t, d.Spec.Replicas)
			}
			assert.Equal(t, tc.pdb, o.pdb != nil)
			if o.pdb != nil {
				assert.Equal(t, d.Spec.Selector.MatchLabels, o.pdb.Spec.Selector.MatchLabels)
			}
			assert.Equal(t, tc.monitor, o.monitor != nil)
			if o.monitor != nil {
				require.Len(t, o.service.Spec.Ports, 2)
				assert.Equal(t, "admin", o.service.Spec.Ports[1].Name)
				assert.Equal(t, o.service.Spec.Ports[1].Name, o.monitor.Spec.Endpoints[0].Port, "scraped on the admin port")
				assert.Equal(t, "/metrics", o.monitor.Spec.Endpoints[0].Path)
			}
		})
	}
}

// TestChartRefusesWhatProductionRefuses: the gateway refuses to start
// without a vendor, Redis or client authentication; the chart says so at
// install time instead of leaving a crash-looping pod.
func TestChartRefusesWhatProductionRefuses(t *testing.T) {
	h := helm(t)
	for _, missing := range []string{"vendorSecret", "redis.url or redis.existingSecret", "apiKeys.existingSecret"} {
		t.Run(missing, func(t *testing.T) {
			set := map[string]string{"vendorSecret": "v", "redis.url": "redis://r:6379", "apiKeys.existingSecret": "k"}
			switch missing {
			case "redis.url or redis.existingSecret":
				delete(set, "redis.url")
			default:
				delete(set, missing)
			}
			args := append(h[1:], "template", "sy", chart)
			for k, v := range set {
				args = append(args, "--set", k+"="+v)
			}
			out, err := exec.Command(h[0], args...).CombinedOutput()
			require.Error(t, err, "helm template must fail without %s", missing)
			assert.Contains(t, string(out), missing)
		})
	}
}
