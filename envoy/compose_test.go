package envoy

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

const installCompose = "apt-get update && apt-get install -y docker-compose"

// composeConfig runs `docker-compose -f docker-compose.yml config` at the repository root
// with env added to the environment and returns its output (the resolved file) and error.
func composeConfig(t *testing.T, env []string, args ...string) ([]byte, error) {
	t.Helper()
	bin, err := exec.LookPath("docker-compose")
	if err != nil {
		t.Fatalf("docker-compose (v1) is needed to check docker-compose.yml and is not installed: run `%s`", installCompose)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"-f", "docker-compose.yml", "config"}, args...)...)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, &composeError{err: err, stderr: stderr.String()}
	}
	return out, nil
}

type composeError struct {
	err    error
	stderr string
}

func (e *composeError) Error() string { return e.err.Error() + ": " + e.stderr }

// TestComposeFileIsValid runs `docker-compose config` with nothing set: the documented
// `docker compose up --build` needs no variable.
func TestComposeFileIsValid(t *testing.T) {
	if _, err := composeConfig(t, nil, "-q"); err != nil {
		t.Fatalf("docker-compose.yml is invalid without any variable set: %v", err)
	}
}

// TestComposeHoldsNoSecrets checks that the resolved compose file carries no secret value: the
// Vault root token and the PostgreSQL password are generated at first start (service secrets)
// and read from files, never a well-known default or an environment variable.
func TestComposeHoldsNoSecrets(t *testing.T) {
	out, err := composeConfig(t, nil)
	if err != nil {
		t.Fatalf("docker-compose config: %v", err)
	}
	var cf composeFile
	if err := yaml.Unmarshal(out, &cf); err != nil {
		t.Fatal(err)
	}
	for name, s := range cf.Services {
		for k, v := range s.Environment {
			if (strings.Contains(k, "TOKEN") || strings.Contains(k, "PASSWORD") || strings.Contains(k, "SECRET")) &&
				!strings.HasSuffix(k, "_FILE") {
				t.Errorf("service %s gets %s=%q in its environment; pass a file (%s_FILE) instead", name, k, v, k)
			}
		}
	}
	for _, want := range []struct{ service, env string }{
		{"postgres", "POSTGRES_PASSWORD_FILE"}, {"vault-init", "VAULT_TOKEN_FILE"}, {"vault-init", "POSTGRES_PASSWORD_FILE"},
	} {
		if !strings.HasPrefix(cf.Services[want.service].Environment[want.env], "/secrets/") {
			t.Errorf("service %s: %s does not point into the generated secrets volume", want.service, want.env)
		}
	}
}

type composeFile struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Command     []string          `yaml:"command"`
		Volumes     []string          `yaml:"volumes"`
		Ports       []string          `yaml:"ports"`
		Environment map[string]string `yaml:"environment"`
		DependsOn   map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
	} `yaml:"services"`
}

// TestComposeWiring checks what the stack needs to work once started: Envoy runs this
// package's bootstrap, warden serves on the address the bootstrap's warden cluster targets
// with the mounted config, and the services warden's config names exist.
func TestComposeWiring(t *testing.T) {
	out, err := composeConfig(t, nil)
	if err != nil {
		t.Fatalf("docker-compose config: %v", err)
	}
	var cf composeFile
	if err := yaml.Unmarshal(out, &cf); err != nil {
		t.Fatalf("parse resolved compose file: %v", err)
	}
	for _, name := range []string{"envoy", "warden", "kafka", "vault", "postgres", "mock-upstream"} {
		if _, ok := cf.Services[name]; !ok {
			t.Errorf("service %q is missing", name)
		}
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("envoy mounts the bootstrap it runs", func(t *testing.T) {
		envoy := cf.Services["envoy"]
		want := filepath.Join(root, "envoy", "bootstrap.yaml") + ":/etc/envoy/envoy.yaml:ro"
		if !contains(envoy.Volumes, want) {
			t.Errorf("envoy volumes = %v, want %q", envoy.Volumes, want)
		}
		if !strings.Contains(strings.Join(envoy.Command, " "), "-c /etc/envoy/envoy.yaml") {
			t.Errorf("envoy command = %v, want -c /etc/envoy/envoy.yaml", envoy.Command)
		}
	})

	t.Run("warden listens where the bootstrap sends ext_proc", func(t *testing.T) {
		w := cf.Services["warden"]
		cmd := strings.Join(w.Command, " ")
		for _, want := range []string{"serve", "--listen 0.0.0.0:9002", "--config /etc/warden/warden.yaml"} {
			if !strings.Contains(cmd, want) {
				t.Errorf("warden command %q lacks %q", cmd, want)
			}
		}
		if !contains(w.Volumes, filepath.Join(root, "deploy", "warden.yaml")+":/etc/warden/warden.yaml:ro") {
			t.Errorf("warden volumes = %v, want deploy/warden.yaml mounted at /etc/warden/warden.yaml", w.Volumes)
		}
		b, err := LoadBootstrap(BootstrapYAML)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, c := range b.GetStaticResources().GetClusters() {
			if c.GetName() != "warden" {
				continue
			}
			found = true
			sa := c.GetLoadAssignment().GetEndpoints()[0].GetLbEndpoints()[0].GetEndpoint().GetAddress().GetSocketAddress()
			if sa.GetAddress() != "warden" || sa.GetPortValue() != 9002 {
				t.Errorf("bootstrap's warden cluster targets %s:%d, want warden:9002", sa.GetAddress(), sa.GetPortValue())
			}
		}
		if !found {
			t.Error("bootstrap.yaml has no cluster named warden")
		}
	})

	t.Run("envoy and warden share the certificates certs writes", func(t *testing.T) {
		certs := cf.Services["certs"]
		if !strings.Contains(strings.Join(certs.Command, " "), "certs --dir /certs") {
			t.Errorf("certs command = %v, want warden certs --dir /certs", certs.Command)
		}
		for _, m := range []struct{ service, volume, from, to string }{
			{"warden", "warden-tls", "/certs/warden", "/etc/warden/tls:ro"},
			{"envoy", "envoy-tls", "/certs/envoy", "/etc/envoy/warden-tls:ro"},
		} {
			if !contains(certs.Volumes, m.volume+":"+m.from+":rw") && !contains(certs.Volumes, m.volume+":"+m.from) {
				t.Errorf("certs does not write %s into volume %s: %v", m.from, m.volume, certs.Volumes)
			}
			if !contains(cf.Services[m.service].Volumes, m.volume+":"+m.to) {
				t.Errorf("%s does not mount %s at %s: %v", m.service, m.volume, m.to, cf.Services[m.service].Volumes)
			}
		}
	})

	t.Run("services start in order", func(t *testing.T) {
		for _, d := range []struct{ service, on, condition string }{
			{"warden", "certs", "service_completed_successfully"},
			{"warden", "kafka-init", "service_completed_successfully"},
			{"warden", "vault-init", "service_completed_successfully"},
			{"kafka-init", "kafka", "service_healthy"},
			{"vault-init", "vault", "service_healthy"},
			{"vault-init", "postgres", "service_healthy"},
			{"vault", "secrets", "service_completed_successfully"},
			{"postgres", "secrets", "service_completed_successfully"},
			{"envoy", "warden", "service_started"},
		} {
			if got := cf.Services[d.service].DependsOn[d.on].Condition; got != d.condition {
				t.Errorf("%s depends on %s with condition %q, want %q", d.service, d.on, got, d.condition)
			}
		}
	})

	t.Run("ports are published on loopback only", func(t *testing.T) {
		for name, s := range cf.Services {
			for _, p := range s.Ports {
				if !strings.HasPrefix(p, "127.0.0.1:") {
					t.Errorf("service %s publishes %q on every interface", name, p)
				}
			}
		}
	})
}

// TestDockerfileBuildsWithTheCheckedScript checks the image's stages: the build stage runs
// scripts/build-image-binary.sh (the command `make image-binaries` builds and smoke-tests for
// amd64 and arm64), on the Debian release whose glibc the final distroless stage ships, and
// the final stage runs as a non-root user.
func TestDockerfileBuildsWithTheCheckedScript(t *testing.T) {
	f, err := os.Open("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var froms, users, runs []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		switch strings.ToUpper(fields[0]) {
		case "FROM":
			img := fields[1]
			if strings.HasPrefix(img, "--platform=") && len(fields) > 2 {
				img = fields[2]
			}
			froms = append(froms, img)
			users = nil // USER applies to the stage it is in
		case "USER":
			users = append(users, fields[1])
		case "RUN":
			runs = append(runs, sc.Text())
		}
	}
	if len(froms) != 2 || froms[0] != "golang:1.26-bookworm" || froms[1] != "gcr.io/distroless/base-nossl-debian12:nonroot" {
		t.Errorf("stages = %v, want golang:1.26-bookworm then gcr.io/distroless/base-nossl-debian12:nonroot "+
			"(the cgo binary needs the glibc it was built against: bookworm and debian12 both ship 2.36)", froms)
	}
	for _, r := range runs {
		if strings.Contains(r, "go build") {
			t.Errorf("the Dockerfile runs go build itself (%q): call scripts/build-image-binary.sh, which make test checks", r)
		}
	}
	// The build RUN continues over lines: look for the script anywhere in the file.
	data, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `scripts/build-image-binary.sh "$TARGETARCH" /out/warden`) {
		t.Error(`no RUN scripts/build-image-binary.sh "$TARGETARCH" /out/warden`)
	}
	if len(users) == 0 || strings.HasPrefix(users[len(users)-1], "0") || strings.HasPrefix(users[len(users)-1], "root") {
		t.Errorf("final stage USER = %v, want a non-root user", users)
	}
}
