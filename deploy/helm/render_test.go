// Package helm holds the tests of warden's Helm chart (deploy/helm/warden). The chart is
// rendered with Helm's own Go SDK for the default values and a few value sets, and every object
// is decoded strictly into its owner's Go types: an unknown or misplaced field fails the test.
package helm

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"helm.sh/helm/v4/pkg/chart/common"
	chartutil "helm.sh/helm/v4/pkg/chart/common/util"
	chartloader "helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/engine"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"
)

const chartDir = "warden"

// scheme knows the Kubernetes API types and prometheus-operator's ServiceMonitor.
var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		panic(err)
	}
	if err := monitoringv1.AddToScheme(s); err != nil {
		panic(err)
	}
	return s
}()

// strictDecoder rejects unknown fields and duplicate keys, and objects of a kind the scheme
// does not know.
var strictDecoder = json.NewSerializerWithOptions(json.DefaultMetaFactory, scheme, scheme,
	json.SerializerOptions{Yaml: true, Strict: true})

// render renders the chart with values (YAML, merged over values.yaml) as `helm install`
// would, with strict templates (a reference to a value that does not exist is an error).
func render(t *testing.T, values string) (map[string]string, error) {
	t.Helper()
	ch, err := chartloader.Load(chartDir)
	if err != nil {
		t.Fatalf("load chart: %v", err)
	}
	vals, err := common.ReadValues([]byte(values))
	if err != nil {
		t.Fatalf("values: %v", err)
	}
	top, err := chartutil.ToRenderValues(ch, vals, common.ReleaseOptions{
		Name: "warden", Namespace: "agents", Revision: 1, IsInstall: true,
	}, common.DefaultCapabilities)
	if err != nil {
		return nil, err
	}
	return engine.Engine{Strict: true}.RenderWithContext(context.Background(), ch, top)
}

// decodeAll decodes every rendered manifest strictly and returns the objects by "Kind/name".
func decodeAll(t *testing.T, files map[string]string) map[string]runtime.Object {
	t.Helper()
	objs := map[string]runtime.Object{}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		if !strings.HasSuffix(name, ".yaml") {
			continue
		}
		for i, doc := range strings.Split(files[name], "\n---") {
			if strings.TrimSpace(stripComments(doc)) == "" {
				continue
			}
			obj, gvk, err := strictDecoder.Decode([]byte(doc), nil, nil)
			if err != nil {
				t.Fatalf("%s document %d does not decode strictly: %v\n%s", name, i, err, doc)
			}
			key := gvk.Kind + "/" + objectName(t, obj)
			if _, dup := objs[key]; dup {
				t.Fatalf("%s is rendered twice", key)
			}
			objs[key] = obj
		}
	}
	return objs
}

func stripComments(doc string) string {
	var b strings.Builder
	for _, l := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

func objectName(t *testing.T, obj runtime.Object) string {
	t.Helper()
	m, ok := obj.(interface{ GetName() string })
	if !ok {
		t.Fatalf("%T has no name", obj)
	}
	return m.GetName()
}

func mustRender(t *testing.T, values string) map[string]runtime.Object {
	t.Helper()
	files, err := render(t, values)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	return decodeAll(t, files)
}

func get[T runtime.Object](t *testing.T, objs map[string]runtime.Object, key string) T {
	t.Helper()
	o, ok := objs[key]
	if !ok {
		keys := make([]string, 0, len(objs))
		for k := range objs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		t.Fatalf("%s is not rendered (rendered: %v)", key, keys)
	}
	v, ok := o.(T)
	if !ok {
		t.Fatalf("%s is a %T", key, o)
	}
	return v
}

// wardenConfig returns the rendered warden.yaml, parsed.
func wardenConfig(t *testing.T, objs map[string]runtime.Object) (string, map[string]any) {
	t.Helper()
	cm := get[*corev1.ConfigMap](t, objs, "ConfigMap/warden")
	text, ok := cm.Data["warden.yaml"]
	if !ok {
		t.Fatal("ConfigMap warden has no warden.yaml")
	}
	var m map[string]any
	if err := yaml.Unmarshal([]byte(text), &m); err != nil {
		t.Fatalf("warden.yaml: %v", err)
	}
	return text, m
}

// filePaths returns every value of a key ending in _file (or the policy path) in the config.
func filePaths(prefix string, v any, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			p := strings.TrimPrefix(prefix+"."+k, ".")
			if s, ok := c.(string); ok && s != "" && (strings.HasSuffix(k, "_file") || p == "policy") {
				out[p] = s
				continue
			}
			filePaths(p, c, out)
		}
	case []any:
		for i, c := range x {
			filePaths(fmt.Sprintf("%s[%d]", prefix, i), c, out)
		}
	}
}

func writeTemp(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
