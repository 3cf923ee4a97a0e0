package auditcli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/warden-gw/warden/audit"
)

func runVerify(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("verify", stderr)
	var src source
	src.register(fs)
	var pubPaths pathList
	fs.Var(&pubPaths, "pubkey", "PEM file of Ed25519 public keys of the checkpoint signer; it may hold several keys (one per Vault transit key version) and may be given more than once (default for --dir: DIR/checkpoint.key.pub)")
	strict := fs.Bool("strict", false, "also fail on truncated records and on chains without a checkpoint")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := src.check(); err != nil {
		return err
	}
	keys, keyPaths, err := publicKeys(pubPaths, src.dir)
	if err != nil {
		return err
	}
	var rep *audit.Report
	if src.bundle != "" {
		r, closeFn, err := openInput(src.bundle, stdin)
		if err != nil {
			return err
		}
		defer closeFn()
		if rep, err = audit.VerifyBundleKeys(r, keys, *strict); err != nil {
			return err
		}
	} else {
		entries, err := src.load(ctx, stdin)
		if err != nil {
			return err
		}
		if len(entries) == 0 {
			return fmt.Errorf("%w in %s", audit.ErrNoEntries, &src)
		}
		dups := 0
		if src.brokers != "" {
			entries, dups = dropCopies(entries) // as the report does: Kafka may deliver an entry twice
		}
		rep = audit.Verify(entries, audit.VerifyOptions{Keys: keys, Unordered: src.brokers != "", Strict: *strict})
		if dups > 0 {
			rep.Warnings = append(rep.Warnings, copiesWarning(dups))
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		out := struct {
			OK bool `json:"ok"`
			*audit.Report
		}{rep.OK(), rep}
		if err := enc.Encode(out); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	} else {
		printReport(stdout, rep, keys, keyPaths)
	}
	if !rep.OK() {
		return fmt.Errorf("%w: %s", ErrVerifyFailed, rep.First())
	}
	return nil
}

func printReport(w io.Writer, rep *audit.Report, keys *audit.Keyring, keyPaths []string) {
	if rep.OK() {
		fmt.Fprintf(w, "verify: OK — %d entries, %d chain(s) intact", rep.Entries, len(rep.Chains))
	} else {
		fmt.Fprintf(w, "verify: FAILED — %s", rep.First())
	}
	fmt.Fprintln(w)
	if len(keyPaths) > 0 {
		fmt.Fprintf(w, "signatures checked with %s (%d key(s): %s)\n", strings.Join(keyPaths, ", "), keys.Len(), strings.Join(keys.IDs(), ", "))
	}
	ids := make([]string, 0, len(rep.Chains))
	for id := range rep.Chains {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		c := rep.Chains[id]
		fmt.Fprintf(w, "chain %s: seq %d..%d, %d records, %d checkpoints, signed up to seq %d",
			id, c.FirstSeq, c.LastSeq, c.Records, c.Checkpoints, c.SignedUpTo)
		if len(c.KeyIDs) > 0 {
			fmt.Fprintf(w, ", checkpoint key id(s) %s", strings.Join(c.KeyIDs, ", "))
		}
		if c.Truncated > 0 {
			fmt.Fprintf(w, ", %d truncated for Kafka", c.Truncated)
		}
		if c.Duplicates > 0 {
			fmt.Fprintf(w, ", %d duplicates dropped", c.Duplicates)
		}
		fmt.Fprintln(w)
	}
	if len(rep.Problems) > 0 {
		fmt.Fprintf(w, "%d problem(s):\n", len(rep.Problems))
		for _, p := range rep.Problems {
			fmt.Fprintf(w, "  - %s\n", p)
		}
	}
	for _, s := range rep.Warnings {
		fmt.Fprintf(w, "warning: %s\n", s)
	}
}
