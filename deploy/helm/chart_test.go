package helm

import (
	"path"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/warden-gw/warden/cmd/warden/mainlib"
	"github.com/warden-gw/warden/xds"
)

// valueSets are the configurations the chart is rendered with: the defaults, and the optional
// parts switched on in the ways an operator would.
var valueSets = map[string]string{
	"defaults": ``,
	"everything": `
signingKey: {secretName: warden-signing, key: ed25519.pem}
kafka:
  enabled: true
  brokers: [kafka-0.kafka:9093, kafka-1.kafka:9093]
  tls: {secretName: warden-kafka-tls, serverName: kafka.example}
vault:
  enabled: true
  caSecretName: vault-ca
  auth: {method: approle, roleID: 6f1c, secretName: warden-vault-approle}
  roles: [{name: openai, source: kv2, mount: secret, path: llm/openai}]
  routes: [{host: api.openai.com, role: openai, headers: {authorization: "Bearer {{ .api_key }}"}}]
policy: {configMapName: warden-policies}
serviceMonitor: {enabled: true, labels: {release: prometheus}}
xds:
  enabled: true
  gateways:
  - node: edge-1
    listen_port: 10000
    routes: [{prefix: /, cluster: llm}]
    clusters: [{name: llm, address: llm.internal, port: 443, tls: true}]
config:
  identity: {modes: [jwt_authn]}
  redact: {pii: false}
`,
	"plaintext-vault-kubernetes": `
tls: {enabled: false}
vault: {enabled: true, auth: {method: kubernetes, role: warden}}
networkPolicy: {enabled: false}
podDisruptionBudget: {enabled: false}
serviceAccount: {create: false, name: agents-warden}
`,
	"vault-token-admin-plain": `
tls: {admin: false}
vault: {enabled: true, auth: {method: token, secretName: warden-vault-token}}
serviceMonitor: {enabled: true}
`,
}

func TestChartRendersAndDecodesStrictly(t *testing.T) {
	for name, values := range valueSets {
		t.Run(name, func(t *testing.T) {
			objs := mustRender(t, values)
			for _, key := range []string{"StatefulSet/warden", "Service/warden", "Service/warden-pods", "ConfigMap/warden"} {
				get[runtime.Object](t, objs, key)
			}
			checkConfigLoads(t, objs)
			checkMounts(t, objs)
			checkPod(t, objs)
			checkSelectors(t, objs)
		})
	}
}

// checkConfigLoads loads the rendered warden.yaml with warden's own configuration loader,
// which rejects unknown keys.
func checkConfigLoads(t *testing.T, objs map[string]runtime.Object) {
	t.Helper()
	text, _ := wardenConfig(t, objs)
	if _, err := mainlib.LoadConfig(writeTemp(t, "warden.yaml", text)); err != nil {
		t.Errorf("warden does not accept the rendered configuration: %v\n%s", err, text)
	}
}

// checkMounts checks that every file the configuration names is inside a volume mounted into
// the warden container, and the spool is on the PersistentVolume.
func checkMounts(t *testing.T, objs map[string]runtime.Object) {
	t.Helper()
	_, cfg := wardenConfig(t, objs)
	sts := get[*appsv1.StatefulSet](t, objs, "StatefulSet/warden")
	c := sts.Spec.Template.Spec.Containers[0]
	files := map[string]string{}
	filePaths("", cfg, files)
	for key, p := range files {
		if m := mountFor(c, p); m == nil {
			t.Errorf("config %s = %s is in no mounted volume", key, p)
		} else if m.SubPath != "" && strings.HasPrefix(key, "tls") {
			t.Errorf("config %s is mounted with subPath: a renewed Secret would never reach it", key)
		}
	}
	spool := mountFor(c, cfg["data_dir"].(string)+"/audit")
	if spool == nil || spool.Name != "spool" {
		t.Fatalf("the audit spool (%v/audit) is not on the spool volume: %+v", cfg["data_dir"], spool)
	}
	if len(sts.Spec.VolumeClaimTemplates) != 1 || sts.Spec.VolumeClaimTemplates[0].Name != "spool" {
		t.Errorf("the spool is not a PersistentVolumeClaim template: %+v", sts.Spec.VolumeClaimTemplates)
	}
	if p := sts.Spec.PersistentVolumeClaimRetentionPolicy; p == nil || p.WhenScaled != appsv1.RetainPersistentVolumeClaimRetentionPolicyType ||
		p.WhenDeleted != appsv1.RetainPersistentVolumeClaimRetentionPolicyType {
		t.Errorf("spool claims are not retained on scale-down and delete (unshipped records would be lost): %+v", p)
	}
	for _, v := range sts.Spec.Template.Spec.Volumes {
		if v.Secret == nil {
			continue
		}
		if v.Secret.SecretName == "" {
			t.Errorf("volume %s names no Secret", v.Name)
		}
	}
}

func mountFor(c corev1.Container, file string) *corev1.VolumeMount {
	for i, m := range c.VolumeMounts {
		if file == m.MountPath || strings.HasPrefix(file, strings.TrimSuffix(m.MountPath, "/")+"/") {
			return &c.VolumeMounts[i]
		}
	}
	return nil
}

// checkPod checks the pod's hardening, probes and drain timing.
func checkPod(t *testing.T, objs map[string]runtime.Object) {
	t.Helper()
	text, cfg := wardenConfig(t, objs)
	sts := get[*appsv1.StatefulSet](t, objs, "StatefulSet/warden")
	spec := sts.Spec.Template.Spec
	c := spec.Containers[0]
	if psc := spec.SecurityContext; psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 {
		t.Errorf("pod does not run as non-root: %+v", psc)
	}
	if sc := c.SecurityContext; sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Errorf("container root filesystem is writable or privilege escalation allowed: %+v", sc)
	}
	if c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Errorf("no memory request/limit: %+v", c.Resources)
	}
	wantScheme := corev1.URISchemeHTTP
	if _, ok := cfg["admin_tls"]; ok {
		wantScheme = corev1.URISchemeHTTPS
	}
	for name, p := range map[string]*corev1.Probe{"readiness": c.ReadinessProbe, "liveness": c.LivenessProbe} {
		want := map[string]string{"readiness": "/readyz", "liveness": "/healthz"}[name]
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != want || p.HTTPGet.Port.StrVal != "admin" || p.HTTPGet.Scheme != wantScheme {
			t.Errorf("%s probe = %+v, want GET %s %s on the admin port", name, p, wantScheme, want)
		}
	}
	var grace map[string]any
	if err := yaml.Unmarshal([]byte(text), &grace); err != nil {
		t.Fatal(err)
	}
	sg := grace["shutdown_grace"].(string)
	var secs int64
	for _, r := range strings.TrimSuffix(sg, "s") {
		secs = secs*10 + int64(r-'0')
	}
	pre := c.Lifecycle.PreStop
	if pre == nil || pre.Sleep == nil || pre.Sleep.Seconds <= 0 {
		t.Fatalf("no preStop wait before SIGTERM (new streams would still arrive): %+v", pre)
	}
	if tg := spec.TerminationGracePeriodSeconds; tg == nil || *tg <= pre.Sleep.Seconds+secs {
		t.Errorf("terminationGracePeriodSeconds %v does not cover preStop %ds + shutdown_grace %s", tg, pre.Sleep.Seconds, sg)
	}
}

// checkSelectors checks that Services, the PodDisruptionBudget, the NetworkPolicy and the
// ServiceMonitor select the pods and name ports that exist.
func checkSelectors(t *testing.T, objs map[string]runtime.Object) {
	t.Helper()
	sts := get[*appsv1.StatefulSet](t, objs, "StatefulSet/warden")
	podLabels := labels.Set(sts.Spec.Template.Labels)
	ports := map[string]bool{}
	for _, p := range sts.Spec.Template.Spec.Containers[0].Ports {
		ports[p.Name] = true
	}
	for _, key := range []string{"Service/warden", "Service/warden-pods"} {
		svc := get[*corev1.Service](t, objs, key)
		if !labels.SelectorFromSet(svc.Spec.Selector).Matches(podLabels) {
			t.Errorf("%s does not select the warden pods", key)
		}
		for _, p := range svc.Spec.Ports {
			if !ports[p.TargetPort.StrVal] {
				t.Errorf("%s targets port %q, which the container does not have", key, p.TargetPort.StrVal)
			}
		}
	}
	if sts.Spec.ServiceName != "warden-pods" {
		t.Errorf("StatefulSet serviceName = %q", sts.Spec.ServiceName)
	}
	if o, ok := objs["PodDisruptionBudget/warden"]; ok {
		pdb := o.(*policyv1.PodDisruptionBudget)
		if sel := labels.SelectorFromSet(pdb.Spec.Selector.MatchLabels); !sel.Matches(podLabels) {
			t.Error("the PodDisruptionBudget does not select the warden pods")
		}
	}
	if o, ok := objs["NetworkPolicy/warden"]; ok {
		np := o.(*networkingv1.NetworkPolicy)
		if !labels.SelectorFromSet(np.Spec.PodSelector.MatchLabels).Matches(podLabels) {
			t.Error("the NetworkPolicy does not select the warden pods")
		}
		for _, r := range np.Spec.Ingress {
			if len(r.From) == 0 {
				t.Error("a NetworkPolicy ingress rule admits every source")
			}
			for _, p := range r.Ports {
				if !ports[p.Port.StrVal] {
					t.Errorf("NetworkPolicy admits port %v, which the container does not have", p.Port)
				}
			}
		}
	}
	if o, ok := objs["ServiceMonitor/warden"]; ok {
		sm := o.(*monitoringv1.ServiceMonitor)
		svc := get[*corev1.Service](t, objs, "Service/warden")
		if !labels.SelectorFromSet(sm.Spec.Selector.MatchLabels).Matches(labels.Set(svc.Labels)) {
			t.Error("the ServiceMonitor does not select Service warden")
		}
		if ep := sm.Spec.Endpoints[0]; ep.Port != "admin" || ep.Path != "/metrics" {
			t.Errorf("ServiceMonitor endpoint = %s %s, want admin /metrics", ep.Port, ep.Path)
		}
	}
}

// TestChartTLSByDefault checks that the default install authenticates its callers: the
// ext_proc listener has TLS with client certificates from the mounted Secret and an allowlist.
func TestChartTLSByDefault(t *testing.T) {
	_, cfg := wardenConfig(t, mustRender(t, ""))
	tls, ok := cfg["tls"].(map[string]any)
	if !ok {
		t.Fatalf("default values render no tls section: %v", cfg)
	}
	if tls["client_ca_file"] == "" || len(tls["allowed_spiffe_ids"].([]any)) == 0 {
		t.Errorf("default tls does not require an allowed client certificate: %v", tls)
	}
	if _, plain := cfg["insecure_plaintext"]; plain {
		t.Error("default values opt into plaintext")
	}
}

// TestChartRefusesIncompleteValues checks that values which would give a warden that does not
// start, or one that admits every client, fail at render time with a message naming the value.
func TestChartRefusesIncompleteValues(t *testing.T) {
	for name, tc := range map[string]struct{ values, want string }{
		"tls without allowlist":  {"tls: {allowedSpiffeIDs: [], allowedSubjects: []}", "tls.allowedSpiffeIDs"},
		"kafka without brokers":  {"kafka: {enabled: true}", "kafka.brokers"},
		"approle without secret": {"vault: {enabled: true, auth: {method: approle, roleID: x}}", "vault.auth.secretName"},
		"unknown vault auth":     {"vault: {enabled: true, auth: {method: userpass}}", "vault.auth.method"},
		"xds without gateways":   {"xds: {enabled: true}", "xds.gateways"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := render(t, tc.values)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("render err = %v, want one naming %s", err, tc.want)
			}
		})
	}
}

// TestChartSecretsStayInSecrets checks that no secret value reaches the ConfigMap: the
// configuration names files, which come from Secret volumes.
func TestChartSecretsStayInSecrets(t *testing.T) {
	objs := mustRender(t, valueSets["everything"])
	text, _ := wardenConfig(t, objs)
	for _, leak := range []string{"secret_id:", "token:", "BEGIN", "password"} {
		if strings.Contains(text, leak) {
			t.Errorf("rendered configuration contains %q:\n%s", leak, text)
		}
	}
	sts := get[*appsv1.StatefulSet](t, objs, "StatefulSet/warden")
	secrets := map[string]bool{}
	for _, v := range sts.Spec.Template.Spec.Volumes {
		if v.Secret != nil {
			secrets[v.Secret.SecretName] = true
		}
	}
	for _, want := range []string{"warden-tls", "warden-signing", "warden-kafka-tls", "warden-vault-approle", "vault-ca"} {
		if !secrets[want] {
			t.Errorf("Secret %s is not mounted (mounted: %v)", want, secrets)
		}
	}
}

// TestChartXDS checks the optional control plane: it serves with client-certificate TLS and
// programs Envoys to reach warden's Service with their client certificate.
func TestChartXDS(t *testing.T) {
	objs := mustRender(t, valueSets["everything"])
	d := get[*appsv1.Deployment](t, objs, "Deployment/warden-xds")
	args := strings.Join(d.Spec.Template.Spec.Containers[0].Args, " ")
	for _, want := range []string{"xds", "--tls-cert=", "--tls-client-ca=", "--tls-allow=spiffe://"} {
		if !strings.Contains(args, want) {
			t.Errorf("xds args %q lack %q", args, want)
		}
	}
	cm := get[*corev1.ConfigMap](t, objs, "ConfigMap/warden-xds")
	if _, err := xds.ParseConfig([]byte(cm.Data["gateways.yaml"])); err != nil {
		t.Errorf("warden xds does not accept the rendered gateways file: %v\n%s", err, cm.Data["gateways.yaml"])
	}
	var gw struct {
		Warden struct {
			Addresses []string `json:"addresses"`
			TLS       *struct {
				ServerName string `json:"server_name"`
				CertFile   string `json:"cert_file"`
			} `json:"tls"`
		} `json:"warden"`
		Gateways []map[string]any `json:"gateways"`
	}
	if err := yaml.Unmarshal([]byte(cm.Data["gateways.yaml"]), &gw); err != nil {
		t.Fatalf("gateways.yaml: %v", err)
	}
	if len(gw.Warden.Addresses) != 1 || gw.Warden.Addresses[0] != "warden.agents.svc:9002" {
		t.Errorf("Envoys are sent to %v, want warden.agents.svc:9002", gw.Warden.Addresses)
	}
	if gw.Warden.TLS == nil || gw.Warden.TLS.ServerName != "warden.agents.svc" || path.Base(gw.Warden.TLS.CertFile) != "tls.crt" {
		t.Errorf("Envoys do not connect to warden with a client certificate: %+v", gw.Warden.TLS)
	}
	if len(gw.Gateways) != 1 {
		t.Errorf("gateways = %v", gw.Gateways)
	}
	svc := get[*corev1.Service](t, objs, "Service/warden-xds")
	if !labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(d.Spec.Template.Labels)) {
		t.Error("Service warden-xds does not select the xds pods")
	}
	if labels.SelectorFromSet(get[*corev1.Service](t, objs, "Service/warden").Spec.Selector).Matches(labels.Set(d.Spec.Template.Labels)) {
		t.Error("Service warden (ext_proc) also selects the xds pods")
	}
}
