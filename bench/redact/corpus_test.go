package main

import (
	"testing"

	"github.com/rs/zerolog"
	"github.com/zricethezav/gitleaks/v8/detect"

	"github.com/warden-gw/warden/redact"
)

// TestGitleaksCorpusRecall plants up to four samples generated from each of
// gitleaks' default rules (kept only when gitleaks detects them) and requires
// warden to cover at least 99% of them completely.
func TestGitleaksCorpusRecall(t *testing.T) {
	zerolog.SetGlobalLevel(zerolog.Disabled)
	gl, err := detect.NewDetectorDefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	eng, err := redact.New(redact.Config{})
	if err != nil {
		t.Fatal(err)
	}
	samples, skipped := glCorpus(gl, 7, 4)
	if len(samples) < 700 {
		t.Fatalf("only %d samples generated (skipped rules: %v)", len(samples), skipped)
	}
	missed, whole := glRecall(eng, samples)
	for _, m := range missed {
		t.Logf("missed %s: line %q secret %q", m.Rule, m.Line, m.Secret)
	}
	recall := 1 - float64(len(missed))/float64(len(samples))
	t.Logf("one finding covers the whole secret in %d/%d", whole, len(samples))
	t.Logf("recall %d/%d = %.4f; rules with no detectable sample: %v", len(samples)-len(missed), len(samples), recall, skipped)
	if recall < 0.99 {
		t.Errorf("recall %.4f < 0.99", recall)
	}
}

// TestBenignFalsePositiveLines: on ~10 MB of benign Go source and text,
// warden flags no more lines than gitleaks' default rules do.
func TestBenignFalsePositiveLines(t *testing.T) {
	if testing.Short() {
		t.Skip("scans 10 MB with gitleaks (~10 s)")
	}
	zerolog.SetGlobalLevel(zerolog.Disabled)
	gl, err := detect.NewDetectorDefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	eng, err := redact.New(redact.Config{})
	if err != nil {
		t.Fatal(err)
	}
	files, err := loadFPCorpus(10_000_000)
	if err != nil {
		t.Fatal(err)
	}
	size := 0
	for _, f := range files {
		size += len(f.data)
	}
	if size < 9_000_000 {
		t.Fatalf("benign corpus is only %d bytes", size)
	}
	w, g, wr, gr := fpLines(files, eng, gl, testing.Verbose())
	t.Logf("%d files, %d bytes: warden %d lines %v; gitleaks %d lines %v", len(files), size, w, wr, g, gr)
	if w > g {
		t.Errorf("warden flags %d benign lines, gitleaks %d", w, g)
	}
}
