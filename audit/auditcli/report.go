package auditcli

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/audit/report"
)

// runReport is `warden audit report`: verify the trail first, then write the HTML evidence
// report of the period. The report is written whatever verification found (it says so at the
// top); the exit status is non-zero when verification failed.
func runReport(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("report", stderr)
	var src source
	src.register(fs)
	var pubPaths pathList
	fs.Var(&pubPaths, "pubkey", "PEM file of the checkpoint signer's public keys (repeatable; default for --dir: DIR/checkpoint.key.pub)")
	fromS := fs.String("from", "", "start of the period, RFC 3339 (default: the beginning of the trail)")
	toS := fs.String("to", "", "end of the period, RFC 3339, exclusive (default: its end)")
	htmlPath := fs.String("html", "", "write the report to this file (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *htmlPath == "" {
		return fmt.Errorf("%w: --html FILE is required", ErrUsage)
	}
	var from, to time.Time
	for _, p := range []struct {
		s   string
		dst *time.Time
	}{{*fromS, &from}, {*toS, &to}} {
		if p.s == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, p.s)
		if err != nil {
			return fmt.Errorf("%w: %q is not an RFC 3339 time", ErrUsage, p.s)
		}
		*p.dst = t
	}
	if err := src.check(); err != nil {
		return err
	}
	keys, keyPaths, err := publicKeys(pubPaths, src.dir)
	if err != nil {
		return err
	}
	var entries []audit.Entry
	var rep *audit.Report
	dups := 0
	if src.bundle != "" {
		b, err := readAll(src.bundle, stdin)
		if err != nil {
			return err
		}
		if rep, err = audit.VerifyBundleKeys(strings.NewReader(string(b)), keys, false); err != nil {
			return err
		}
		if entries, _, _, err = audit.ReadBundle(strings.NewReader(string(b))); err != nil {
			return err
		}
	} else {
		if entries, err = src.load(ctx, stdin); err != nil {
			return err
		}
		if len(entries) == 0 {
			return fmt.Errorf("%w in %s", audit.ErrNoEntries, &src)
		}
		if src.brokers != "" {
			entries, dups = dropCopies(entries)
		}
		rep = audit.Verify(entries, audit.VerifyOptions{Keys: keys, Unordered: src.brokers != ""})
	}
	v := verification(rep, keys, keyPaths)
	if dups > 0 {
		v.Warnings = append(v.Warnings, copiesWarning(dups))
	}
	r := report.Build(entries, from, to, v, time.Now())
	f, err := os.Create(*htmlPath)
	if err != nil {
		return fmt.Errorf("create %s: %w", *htmlPath, err)
	}
	err = report.WriteHTML(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", *htmlPath, err)
	}
	status := "verified"
	if !rep.OK() {
		status = "verification FAILED"
	}
	fmt.Fprintf(stdout, "report: %d exchanges, trail %s; written to %s\n", r.Exchanges, status, *htmlPath)
	if !rep.OK() {
		return fmt.Errorf("%w: %s", ErrVerifyFailed, rep.First())
	}
	return nil
}

// copiesWarning says how many identical copies dropCopies dropped.
func copiesWarning(n int) string {
	return fmt.Sprintf("%d entries were read twice (identical copies, as Kafka may deliver them); each is counted once", n)
}

// dropCopies drops the entries whose payload is byte for byte one read before: Kafka delivers at
// least once, so a topic may hold a copy of an entry, which is not a second entry of the trail.
// A copy that differs in any byte is kept, for verification to report.
func dropCopies(entries []audit.Entry) ([]audit.Entry, int) {
	seen := make(map[[sha256.Size]byte]struct{}, len(entries))
	out := entries[:0]
	for _, e := range entries {
		if e.Err == "" {
			h := sha256.Sum256(e.Payload)
			if _, dup := seen[h]; dup {
				continue
			}
			seen[h] = struct{}{}
		}
		out = append(out, e)
	}
	return out, len(entries) - len(out)
}

func readAll(path string, stdin io.Reader) ([]byte, error) {
	r, closeFn, err := openInput(path, stdin)
	if err != nil {
		return nil, err
	}
	defer closeFn()
	return io.ReadAll(r)
}

// verification describes a verify report for the evidence page.
func verification(rep *audit.Report, keys *audit.Keyring, keyPaths []string) report.Verification {
	v := report.Verification{OK: rep.OK(), Entries: rep.Entries, Warnings: rep.Warnings}
	if len(keyPaths) > 0 {
		v.Keys = fmt.Sprintf("%s (key ids %s)", strings.Join(keyPaths, ", "), strings.Join(keys.IDs(), ", "))
	} else {
		v.Warnings = append(v.Warnings, "no public key given: checkpoint signatures were not checked")
	}
	ids := make([]string, 0, len(rep.Chains))
	for id := range rep.Chains {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		c := rep.Chains[id]
		v.Chains = append(v.Chains, fmt.Sprintf("chain %s: seq %d..%d, %d records, %d checkpoints, signed up to seq %d",
			id, c.FirstSeq, c.LastSeq, c.Records, c.Checkpoints, c.SignedUpTo))
	}
	for _, p := range rep.Problems {
		v.Problems = append(v.Problems, p.String())
	}
	return v
}
