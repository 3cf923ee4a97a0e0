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
	"runtime/pprof"
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
	fpBytes := flag.Int("fp-bytes", 10_000_000, "size of the benign false-positive corpus")
	perRule := flag.Int("per-rule", 4, "samples generated per gitleaks rule")
	minTime := flag.Duration("mintime", 2*time.Second, "minimum measuring time per engine and corpus")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
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

	fp, err := loadFPCorpus(*fpBytes)
	if err != nil {
		return err
	}
	n = 0
	for _, f := range fp {
		n += len(f.data)
	}
	w, g, wr, gr := fpLines(fp, eng, gl, os.Getenv("REDACTBENCH_VERBOSE") != "")
	fmt.Printf("## False positives on benign source and text (secrets only)\n\n")
	fmt.Printf("%d files, %.1f MB: the .go files above (all of them) plus the Go distribution's text files (.md, .txt, .html, .json, ...; api/*.txt last).\n", len(fp), float64(n)/1e6)
	fmt.Printf("A false-positive line is a line of the corpus on which a finding starts.\n\n")
	fmt.Printf("| engine | lines with a finding | by rule |\n|---|---|---|\n")
	fmt.Printf("| warden | %d | %s |\n", w, byRule(wr))
	fmt.Printf("| gitleaks | %d | %s |\n", g, byRule(gr))
	return nil
}

type file struct {
	path string
	data []byte
}

func goroot() (string, error) {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOROOT: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

func loadBenign(maxFiles int) ([]file, error) {
	gr, err := goroot()
	if err != nil {
		return nil, err
	}
	root := filepath.Join(gr, "src")
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
	return readFiles(root, paths)
}

func readFiles(root string, paths []string) ([]file, error) {
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

// textExts are the prose and data files of the Go distribution added to the
// false-positive corpus, so it is not only Go source.
var textExts = []string{".md", ".txt", ".html", ".json", ".yaml", ".yml", ".xml", ".csv", ".sh", ".bash", ".rc", ".bat", ".js", ".css", ".py", ".tmpl"}

// loadFPCorpus returns about limit bytes of benign source and text: every .go
// file (no testdata) of the benign directories, then the Go distribution's
// text files (sorted by path, no testdata, api/ last because it is
// repetitive) until limit.
func loadFPCorpus(limit int) ([]file, error) {
	src, err := loadBenign(1 << 30)
	if err != nil {
		return nil, err
	}
	gr, err := goroot()
	if err != nil {
		return nil, err
	}
	var text, api []string
	err = filepath.WalkDir(gr, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || strings.Contains(p, "/testdata/") || strings.Contains(p, "/pkg/") {
			return err
		}
		if !slices.Contains(textExts, filepath.Ext(p)) {
			return nil
		}
		if strings.HasPrefix(p, filepath.Join(gr, "api")+"/") {
			api = append(api, p)
		} else {
			text = append(text, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walk %s: %w", gr, err)
	}
	sort.Strings(text)
	sort.Strings(api)
	more, err := readFiles(gr, append(text, api...))
	if err != nil {
		return nil, err
	}
	n := 0
	for _, f := range src {
		n += len(f.data)
	}
	out := src
	for _, f := range more {
		if n >= limit {
			break
		}
		out = append(out, f)
		n += len(f.data)
	}
	return out, nil
}

// fpLines counts the distinct lines (file and line number) on which findings
// start, per engine, over a benign corpus.
func fpLines(files []file, eng *redact.Engine, gl *detect.Detector, verbose bool) (w, g int, wByRule, gByRule map[string]int) {
	wByRule, gByRule = map[string]int{}, map[string]int{}
	for _, f := range files {
		lines := map[int]bool{}
		for _, fd := range eng.Scan(f.data, redact.Options{Disable: redact.PII}) {
			ln := bytes.Count(f.data[:fd.Start], []byte("\n"))
			if !lines[ln] {
				lines[ln] = true
				wByRule[fd.Rule]++
				if verbose {
					fmt.Fprintf(os.Stderr, "warden FP %s %s:%d: %q\n", fd.Rule, f.path, ln+1, excerpt(f.data, fd.Start, fd.End))
				}
			}
		}
		w += len(lines)
		glines := map[int]bool{}
		for _, fd := range gl.DetectBytes(f.data) {
			if !glines[fd.StartLine] {
				glines[fd.StartLine] = true
				gByRule[fd.RuleID]++
				if verbose {
					fmt.Fprintf(os.Stderr, "gitleaks FP %s %s:%d\n", fd.RuleID, f.path, fd.StartLine+1)
				}
			}
		}
		g += len(glines)
	}
	return w, g, wByRule, gByRule
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
