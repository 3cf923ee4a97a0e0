// Command redactbench runs warden's redaction engine and gitleaks' detector
// side by side on the same bytes: throughput on benign Go source and on
// secret-dense text, recall on a generated provider-format corpus (one sample
// per warden rule), and false positives on benign source.
//
//	cd bench/redact && go run . [-files 400] [-seed 7]
//
// It lives in its own module so gitleaks never enters the warden binary.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/rs/zerolog"
	"github.com/zricethezav/gitleaks/v8/detect"

	"github.com/warden-gw/warden/redact"
	"github.com/warden-gw/warden/redact/redacttest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "redactbench:", err)
		os.Exit(1)
	}
}

// benignDirs is the fixed subset of the Go standard library used as benign
// source text.
var benignDirs = []string{"net/http", "encoding/json", "crypto/tls", "crypto/x509", "os", "strings", "fmt", "database/sql", "net/url", "go/parser"}

func run() error {
	maxFiles := flag.Int("files", 400, "number of benign .go files (sorted by path) to scan")
	seed := flag.Uint64("seed", 7, "seed of the generated provider-format corpus")
	quick := flag.Bool("warden-only", false, "only measure warden's throughput on the benign corpus (for profiling)")
	perRule := flag.Int("per-rule", 4, "samples generated per gitleaks rule")
	minTime := flag.Duration("mintime", 2*time.Second, "minimum measuring time per engine and corpus")
	flag.Parse()
	zerolog.SetGlobalLevel(zerolog.Disabled)

	benign, err := loadBenign(*maxFiles)
	if err != nil {
		return err
	}
	eng, err := redact.New(redact.Config{})
	if err != nil {
		return err
	}
	if *quick {
		w := throughput(benign, func(b []byte) int { return len(eng.Scan(b, redact.Options{Disable: redact.PII})) }, *minTime)
		fmt.Printf("warden secrets on %d benign files: %.1f MB per CPU-second\n", len(benign), w)
		return nil
	}
	samples, err := redacttest.Samples(eng, *seed)
	if err != nil {
		return err
	}
	var secretSamples []redacttest.Sample
	for _, s := range samples {
		if s.Class == redact.Secret {
			secretSamples = append(secretSamples, s)
		}
	}
	var dense bytes.Buffer
	for _, s := range secretSamples {
		dense.WriteString(s.Line + "\n")
	}
	gl, err := detect.NewDetectorDefaultConfig()
	if err != nil {
		return fmt.Errorf("gitleaks default config: %w", err)
	}
	benignBytes := 0
	for _, f := range benign {
		benignBytes += len(f.data)
	}
	fmt.Printf("# warden redact vs gitleaks %s\n\n", "v8.30.1")
	fmt.Printf("Go %s, %s/%s, GOMAXPROCS=%d, %d benign files (%.1f MB) from $GOROOT/src/{%s}, %d provider samples (seed %d)\n\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), len(benign), float64(benignBytes)/1e6,
		strings.Join(benignDirs, ","), len(secretSamples), *seed)

	secretsOnly := redact.Options{Disable: redact.PII}
	wardenScan := func(o redact.Options) func([]byte) int {
		return func(b []byte) int { return len(eng.Scan(b, o)) }
	}
	glScan := func(b []byte) int { return len(gl.DetectBytes(b)) }
	denseFiles := []file{{path: "dense", data: dense.Bytes()}}

	fmt.Println("## Throughput (single goroutine, MB per CPU-second)")
	fmt.Println()
	fmt.Println("| corpus | warden secrets (MB/s) | warden secrets+PII (MB/s) | gitleaks (MB/s) | warden/gitleaks |")
	fmt.Println("|---|---|---|---|---|")
	for _, c := range []struct {
		name  string
		files []file
	}{{"benign Go source", benign}, {"secret-dense", denseFiles}} {
		w := throughput(c.files, wardenScan(secretsOnly), *minTime)
		wp := throughput(c.files, wardenScan(redact.Options{}), *minTime)
		g := throughput(c.files, glScan, *minTime)
		fmt.Printf("| %s | %.1f | %.1f | %.2f | %.0fx |\n", c.name, w, wp, g, w/g)
	}

	fmt.Println()
	fmt.Println("## Recall on provider formats (one sample per warden secret rule)")
	fmt.Println()
	var wMiss, gMiss []string
	for _, s := range secretSamples {
		if !wardenFinds(eng, s) {
			wMiss = append(wMiss, s.Rule)
		}
		if !gitleaksFinds(gl, s) {
			gMiss = append(gMiss, s.Rule)
		}
	}
	n := len(secretSamples)
	fmt.Printf("| engine | found | recall |\n|---|---|---|\n")
	fmt.Printf("| warden | %d/%d | %.1f%% |\n", n-len(wMiss), n, 100*float64(n-len(wMiss))/float64(n))
	fmt.Printf("| gitleaks | %d/%d | %.1f%% |\n\n", n-len(gMiss), n, 100*float64(n-len(gMiss))/float64(n))
	fmt.Printf("warden missed: %v\n\ngitleaks missed (%d): %s\n\n", wMiss, len(gMiss), strings.Join(gMiss, ", "))

	glRecallReport(eng, gl, *seed, *perRule)

	fmt.Println("## False positives on benign Go source (secrets only)")
	fmt.Println()
	wFP, gFP := map[string]int{}, map[string]int{}
	wTotal, gTotal := 0, 0
	for _, f := range benign {
		for _, fd := range eng.Scan(f.data, secretsOnly) {
			wFP[fd.Rule]++
			wTotal++
			if os.Getenv("REDACTBENCH_VERBOSE") != "" {
				fmt.Fprintf(os.Stderr, "warden FP %s %s: %q\n", fd.Rule, f.path, excerpt(f.data, fd.Start, fd.End))
			}
		}
		for _, fd := range gl.DetectBytes(f.data) {
			gFP[fd.RuleID]++
			gTotal++
		}
	}
	fmt.Printf("| engine | findings | by rule |\n|---|---|---|\n")
	fmt.Printf("| warden | %d | %s |\n", wTotal, byRule(wFP))
	fmt.Printf("| gitleaks | %d | %s |\n", gTotal, byRule(gFP))
	return nil
}

type file struct {
	path string
	data []byte
}

func loadBenign(maxFiles int) ([]file, error) {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return nil, fmt.Errorf("go env GOROOT: %w", err)
	}
	root := filepath.Join(strings.TrimSpace(string(out)), "src")
	var paths []string
	for _, d := range benignDirs {
		err := filepath.WalkDir(filepath.Join(root, d), func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !e.IsDir() && strings.HasSuffix(p, ".go") && !strings.Contains(p, "/testdata/") {
				paths = append(paths, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("walk %s: %w", d, err)
		}
	}
	sort.Strings(paths)
	paths = paths[:min(maxFiles, len(paths))]
	files := make([]file, 0, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		files = append(files, file{path: strings.TrimPrefix(p, root+"/"), data: b})
	}
	return files, nil
}

// throughput runs scan over all files repeatedly for at least minTime of
// thread CPU time and returns MB per CPU-second. CPU time rather than wall
// time keeps the ratio honest on a machine shared with other work.
func throughput(files []file, scan func([]byte) int, minTime time.Duration) float64 {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	total := 0
	start := threadCPU()
	for threadCPU()-start < minTime {
		for _, f := range files {
			scan(f.data)
			total += len(f.data)
		}
	}
	return float64(total) / 1e6 / (threadCPU() - start).Seconds()
}

// threadCPU is the calling thread's user+system CPU time (Linux RUSAGE_THREAD).
func threadCPU() time.Duration {
	const rusageThread = 1
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func wardenFinds(eng *redact.Engine, s redacttest.Sample) bool {
	i := strings.Index(s.Line, s.Secret)
	for _, f := range eng.Scan([]byte(s.Line), redact.Options{Disable: redact.PII}) {
		if f.Start <= i && f.End >= i+len(s.Secret) {
			return true
		}
	}
	return false
}

// gitleaksFinds counts a sample as found when a finding's secret overlaps at
// least half of the planted value.
func gitleaksFinds(gl *detect.Detector, s redacttest.Sample) bool {
	for _, f := range gl.DetectString(s.Line) {
		sec := f.Secret
		if sec == "" {
			sec = f.Match
		}
		if strings.Contains(sec, s.Secret) || len(sec) >= len(s.Secret)/2 && strings.Contains(s.Secret, sec) {
			return true
		}
	}
	return false
}

func byRule(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s: %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

func excerpt(b []byte, s, e int) string {
	return string(b[max(0, s-30):min(len(b), e+10)])
}
