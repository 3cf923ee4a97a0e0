package redact_test

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/warden-gw/warden/redact"
)

// benignCorpus is a fixed subset of the Go standard library (~4 MB).
func benignCorpus(b *testing.B) []byte {
	b.Helper()
	gr := goroot()
	if gr == "" {
		b.Skip("GOROOT unknown: no go command on PATH and $GOROOT unset")
	}
	root := filepath.Join(gr, "src")
	var paths []string
	for _, d := range []string{"net/http", "encoding/json", "crypto/tls", "strings", "fmt"} {
		_ = filepath.WalkDir(filepath.Join(root, d), func(p string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() && strings.HasSuffix(p, ".go") {
				paths = append(paths, p)
			}
			return nil
		})
	}
	sort.Strings(paths)
	var buf bytes.Buffer
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		buf.Write(data)
		if buf.Len() > 4<<20 {
			break
		}
	}
	if buf.Len() == 0 {
		b.Skip("GOROOT sources not available")
	}
	return buf.Bytes()
}

// goroot asks the go command for GOROOT (runtime.GOROOT is deprecated); it falls back to $GOROOT.
func goroot() string {
	if out, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
		if r := strings.TrimSpace(string(out)); r != "" {
			return r
		}
	}
	return os.Getenv("GOROOT")
}

func secretDense(b *testing.B) []byte {
	var buf bytes.Buffer
	for _, sm := range samples(b) {
		buf.WriteString(sm.Line + "\n")
	}
	return buf.Bytes()
}

func benchScan(b *testing.B, data []byte, opts redact.Options) {
	eng := engine(b)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	cpu0 := processCPU(b)
	for b.Loop() {
		eng.Scan(data, opts)
	}
	// MB per CPU-second of the process (GC included): the wall-time MB/s swings with the
	// load of a shared machine, this much less.
	b.ReportMetric(float64(len(data))*float64(b.N)/1e6/(processCPU(b)-cpu0).Seconds(), "cpu-MB/s")
}

func BenchmarkScanBenignSecrets(b *testing.B) {
	benchScan(b, benignCorpus(b), redact.Options{Disable: redact.PII})
}
func BenchmarkScanBenignAll(b *testing.B) { benchScan(b, benignCorpus(b), redact.Options{}) }
func BenchmarkScanSecretDense(b *testing.B) {
	benchScan(b, secretDense(b), redact.Options{})
}

func BenchmarkStreamText64K(b *testing.B) {
	eng := engine(b)
	data := benignCorpus(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		s := eng.NewStream(redact.KindText, redact.StreamOptions{})
		for i := 0; i < len(data); i += 64 << 10 {
			_, _ = s.Write(data[i:min(len(data), i+64<<10)])
		}
		_, _ = s.Close()
	}
}

// BenchmarkSSEFirstToken measures what the hold-back adds to time to first
// token on a Chat Completions stream: the processing time of one delta event
// (ns/op), and how many bytes of the first delta are held (first-held-B) and
// on average per delta (held-B/event) until a later event releases them.
func BenchmarkSSEFirstToken(b *testing.B) {
	eng := engine(b)
	tokens := strings.Fields("Sure, here is the deployment plan for the cluster. First we drain the node, then upgrade the kubelet and finally uncordon it.")
	var events [][]byte
	for i, tk := range tokens {
		if i > 0 {
			tk = " " + tk
		}
		events = append(events, []byte(`data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":`+jsonStr(tk)+`},"finish_reason":null}]}`+"\n\n"))
	}
	var firstHeld, held, n int
	var first time.Duration
	b.ResetTimer()
	for b.Loop() {
		s := eng.NewStream(redact.KindSSE, redact.StreamOptions{})
		for i, ev := range events {
			t0 := time.Now()
			_, _ = s.Write(ev)
			if i == 0 {
				first += time.Since(t0)
				firstHeld += s.Held()
			}
			held += s.Held()
			n++
		}
		_, _ = s.Close()
	}
	b.ReportMetric(float64(first.Nanoseconds())/float64(b.N), "first-event-ns")
	b.ReportMetric(float64(firstHeld)/float64(b.N), "first-held-B")
	b.ReportMetric(float64(held)/float64(n), "held-B/event")
}
