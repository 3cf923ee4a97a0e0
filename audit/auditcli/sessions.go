package auditcli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/audit/verify"
)

// sessionRow summarises one session for `warden audit sessions`.
type sessionRow struct {
	ID          string `json:"session"`
	First       int64  `json:"first_ms"`
	Last        int64  `json:"last_ms"`
	Exchanges   int    `json:"exchanges"`
	Denied      int    `json:"denied"`
	Held        int    `json:"approval_required"`
	Agent       string `json:"agent,omitempty"`
	Actor       string `json:"on_behalf_of,omitempty"`
	LastRequest string `json:"last_request"`
}

// runSessions is `warden audit sessions`: the sessions in the trail, most recently active first,
// each with the id to give `warden audit replay --session`.
func runSessions(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("sessions", stderr)
	var src source
	src.register(fs)
	n := fs.Int("n", 20, "show the N most recent sessions (0: all)")
	asJSON := fs.Bool("json", false, "one JSON line per session")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := src.check(); err != nil {
		return err
	}
	entries, err := src.load(ctx, stdin)
	if err != nil {
		return err
	}
	rows := sessionRows(entries)
	if len(rows) == 0 {
		return fmt.Errorf("%w with a session", audit.ErrNoEntries)
	}
	shown := rows
	if *n > 0 && len(rows) > *n {
		shown = rows[:*n]
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		for _, r := range shown {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
	} else {
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "session\tlast activity\texchanges\tdenied\theld\tagent\tlast request")
		for _, r := range shown {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\t%s\n", r.ID, fmtTime(r.Last), r.Exchanges, r.Denied, r.Held, orDash(r.Agent), r.LastRequest)
		}
		_ = tw.Flush()
	}
	if len(shown) < len(rows) {
		fmt.Fprintf(stderr, "%d more sessions not shown (-n 0 shows all)\n", len(rows)-len(shown))
	}
	return nil
}

// sessionRows groups the request records by session, most recently active first. Duplicates
// (the topic may hold a record twice) are counted once.
func sessionRows(entries []audit.Entry) []*sessionRow {
	by := map[string]*sessionRow{}
	for r := range verify.Records(entries) {
		w := r.Unmapped.Warden
		if w.Stage != audit.StageRequest || w.Session == "" || w.Marker != nil || w.Event != "" ||
			strings.HasPrefix(w.ErrorCode, "approval.") || w.ErrorCode == "session.ended" {
			continue // not an exchange: an event, an approval step, a session's end
		}
		s := by[w.Session]
		if s == nil {
			s = &sessionRow{ID: w.Session, First: r.Time}
			by[w.Session] = s
		}
		s.Exchanges++
		switch w.Disposition {
		case "denied":
			s.Denied++
		case "approval_required":
			s.Held++
		}
		if r.Time < s.First {
			s.First = r.Time
		}
		if r.Time >= s.Last {
			s.Last = r.Time
			s.LastRequest = r.HTTPRequest.HTTPMethod + " " + r.HTTPRequest.URL.Hostname + r.HTTPRequest.URL.Path
			s.Agent, s.Actor = w.Agent, w.OnBehalfOf
		}
	}
	rows := make([]*sessionRow, 0, len(by))
	for _, s := range by {
		rows = append(rows, s)
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Last != rows[j].Last {
			return rows[i].Last > rows[j].Last
		}
		return rows[i].ID < rows[j].ID
	})
	return rows
}
