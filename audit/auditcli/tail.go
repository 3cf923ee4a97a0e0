package auditcli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/audit/kafka"
)

func runTail(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("tail", stderr)
	var src source
	fs.StringVar(&src.brokers, "brokers", "", "Kafka brokers, comma separated (required)")
	fs.StringVar(&src.topic, "topic", "warden.audit", "Kafka topic")
	asJSON := fs.Bool("json", false, "print each record as one JSON line, as stored")
	fromStart := fs.Bool("from-beginning", false, "start at the oldest message instead of the newest")
	count := fs.Int("n", 0, "stop after this many messages (0: follow until interrupted)")
	checkpoints := fs.Bool("checkpoints", false, "also print checkpoints")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if src.brokers == "" {
		return fmt.Errorf("%w: --brokers is required", ErrUsage)
	}
	seen := 0
	err := kafka.Follow(ctx, src.kafka(), *fromStart, func(c kafka.Consumed) error {
		info, err := audit.Describe(c.Value)
		if err == nil && info.Checkpoint && !*checkpoints {
			return nil
		}
		if *asJSON {
			if _, err := fmt.Fprintf(stdout, "%s\n", c.Value); err != nil {
				return err
			}
		} else {
			fmt.Fprintln(stdout, humanLine(c.Value))
		}
		seen++
		if *count > 0 && seen >= *count {
			return kafka.ErrStop
		}
		return nil
	})
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// humanLine renders one entry as a single readable line.
func humanLine(b []byte) string {
	var sc audit.SignedCheckpoint
	if json.Unmarshal(b, &sc) == nil && sc.Checkpoint.ChainID != "" {
		c := sc.Checkpoint
		return fmt.Sprintf("%s  checkpoint #%d chain %s signs seq %d (%s…) key %s", fmtTime(c.Time), c.Number,
			c.ChainID, c.Seq, c.RecordHash[:min(12, len(c.RecordHash))], c.KeyID)
	}
	var r audit.Record
	if err := json.Unmarshal(b, &r); err != nil || r.ClassUID != audit.ClassUID {
		return "unreadable entry: " + strings.TrimSpace(string(b[:min(len(b), 120)]))
	}
	return fmt.Sprintf("%s  %s", fmtTime(r.Time), summary(&r))
}

func fmtTime(ms int64) string { return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z") }

// summary is the body of a record's line: who, what, outcome and why.
func summary(r *audit.Record) string {
	w := r.Unmapped.Warden
	var b strings.Builder
	fmt.Fprintf(&b, "%-10s %s", w.Stage, r.Metadata.CorrelationUID)
	if in := r.Unmapped.Integrity; in != nil {
		fmt.Fprintf(&b, " [%s:%d]", in.ChainID, in.Seq)
	}
	who := w.Agent
	if w.OnBehalfOf != "" {
		who += " for " + w.OnBehalfOf
	}
	if who != "" {
		fmt.Fprintf(&b, " %s", who)
	}
	fmt.Fprintf(&b, " %s %s%s → %s", r.HTTPRequest.HTTPMethod, r.HTTPRequest.URL.Hostname, r.HTTPRequest.URL.Path, w.Disposition)
	if d := w.Decision; d != nil && d.Rule != "" {
		fmt.Fprintf(&b, " (rule %s", d.Rule)
		if d.Policy != "" {
			fmt.Fprintf(&b, ", policy %s", d.Policy)
		}
		if d.Shadow {
			b.WriteString(", shadow")
		}
		b.WriteString(")")
	}
	if w.Response != nil {
		fmt.Fprintf(&b, " upstream %d", w.Response.Status)
	}
	if r.Duration > 0 {
		fmt.Fprintf(&b, " in %dms", r.Duration)
	}
	if len(w.Redactions) > 0 {
		fmt.Fprintf(&b, " redacted %s", countsText(w.Redactions))
	}
	for _, t := range w.ToolCalls {
		fmt.Fprintf(&b, " %s:%q", t.Kind, clip(firstNonEmpty(t.Text, t.Name), 80))
	}
	if w.ApprovalID != "" {
		fmt.Fprintf(&b, " approval %s", w.ApprovalID)
	}
	for _, c := range w.Credentials {
		fmt.Fprintf(&b, " cred %s", c.Role)
	}
	if w.ErrorCode != "" {
		fmt.Fprintf(&b, " error %s", w.ErrorCode)
	}
	if w.Truncated != nil {
		b.WriteString(" [truncated for Kafka]")
	}
	return b.String()
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
