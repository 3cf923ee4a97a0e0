package auditcli

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/audit/verify"
)

// step is one exchange of a session: its request record and, if it went upstream, its completion.
type step struct {
	ID         string
	Request    *audit.Record
	Completion *audit.Record
}

func (s *step) First() *audit.Record {
	if s.Request != nil {
		return s.Request
	}
	return s.Completion
}

// Final is the record that best describes the outcome.
func (s *step) Final() *audit.Record {
	if s.Completion != nil {
		return s.Completion
	}
	return s.Request
}

func runReplay(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("replay", stderr)
	var src source
	src.register(fs)
	session := fs.String("session", "", "session id to replay (required)")
	htmlPath := fs.String("html", "", "also write a self-contained HTML page to this file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *session == "" {
		return fmt.Errorf("%w: --session is required", ErrUsage)
	}
	if err := src.check(); err != nil {
		return err
	}
	entries, err := src.load(ctx, stdin)
	if err != nil {
		return err
	}
	steps := sessionSteps(entries, *session)
	if len(steps) == 0 {
		return fmt.Errorf("%w for session %q", audit.ErrNoEntries, *session)
	}
	writeTimeline(stdout, *session, steps)
	if *htmlPath != "" {
		f, err := os.Create(*htmlPath)
		if err != nil {
			return fmt.Errorf("create %s: %w", *htmlPath, err)
		}
		err = writeHTML(f, *session, steps)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", *htmlPath, err)
		}
		fmt.Fprintf(stdout, "timeline written to %s\n", *htmlPath)
	}
	return nil
}

// sessionSteps joins the session's records by correlation id and orders them by time.
func sessionSteps(entries []audit.Entry, session string) []*step {
	byID := map[string]*step{}
	var steps []*step
	for r := range verify.Records(entries) {
		if r.Unmapped.Warden.Session != session && (r.Actor.Session == nil || r.Actor.Session.UID != session) {
			continue
		}
		id := r.Metadata.CorrelationUID
		s, ok := byID[id]
		if !ok {
			s = &step{ID: id}
			byID[id] = s
			steps = append(steps, s)
		}
		if r.Unmapped.Warden.Stage == audit.StageCompletion {
			s.Completion = r
		} else {
			s.Request = r
		}
	}
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].First().Time < steps[j].First().Time })
	return steps
}

func writeTimeline(w io.Writer, session string, steps []*step) {
	f := steps[0].First().Unmapped.Warden
	fmt.Fprintf(w, "session %s: %d exchange(s) from %s to %s\n", session, len(steps),
		fmtTime(steps[0].First().Time), fmtTime(steps[len(steps)-1].Final().Time))
	if f.Agent != "" || f.OnBehalfOf != "" {
		fmt.Fprintf(w, "agent %s acting for %s\n", orDash(f.Agent), orDash(f.OnBehalfOf))
	}
	for _, s := range steps {
		fmt.Fprintf(w, "\n%s\n", fmtTime(s.First().Time)+"  "+s.ID)
		if s.Request != nil {
			fmt.Fprintf(w, "  request     %s\n", detail(s.Request))
		}
		if s.Completion != nil {
			fmt.Fprintf(w, "  completion  %s\n", detail(s.Completion))
		}
	}
}

// detail describes one record for the timeline.
func detail(r *audit.Record) string {
	w := r.Unmapped.Warden
	parts := []string{fmt.Sprintf("%s %s%s → %s", r.HTTPRequest.HTTPMethod, r.HTTPRequest.URL.Hostname, r.HTTPRequest.URL.Path, w.Disposition)}
	for _, d := range w.Decisions {
		s := fmt.Sprintf("decision %s/%s by %s", d.Phase, d.Action, orDash(d.Rule))
		if d.Policy != "" {
			s += " (policy " + d.Policy
			if d.PolicyVersion != "" {
				s += "@" + clip(d.PolicyVersion, 12)
			}
			s += ")"
		}
		if d.Shadow {
			s += " [shadow]"
		}
		if d.Reason != "" {
			s += ": " + d.Reason
		}
		parts = append(parts, s)
	}
	if len(w.Redactions) > 0 {
		parts = append(parts, "redactions "+countsText(w.Redactions))
	}
	for _, t := range w.ToolCalls {
		parts = append(parts, fmt.Sprintf("%s call %s %q", t.Kind, t.Name, clip(t.Text, 200)))
	}
	if w.ApprovalID != "" {
		parts = append(parts, "approval "+w.ApprovalID)
	}
	for _, c := range w.Credentials {
		parts = append(parts, fmt.Sprintf("credential role %s lease %s ttl %ds", c.Role, orDash(c.LeaseID), c.TTLSec))
	}
	if w.Response != nil {
		parts = append(parts, fmt.Sprintf("upstream %d", w.Response.Status))
	}
	if r.Duration > 0 {
		parts = append(parts, fmt.Sprintf("%d ms", r.Duration))
	}
	if w.ErrorCode != "" {
		parts = append(parts, "error "+w.ErrorCode)
	}
	return strings.Join(parts, "; ")
}

func countsText(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%d", k, m[k])
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

var pageTmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"time": fmtTime, "detail": detail,
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>warden session {{.Session}}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.3em} table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.4em .6em;vertical-align:top;text-align:left}
.allowed{color:#176117}.denied{color:#a01010;font-weight:bold}.approval_required{color:#9a6200}
.error,.cancelled{color:#666}.mono{font-family:ui-monospace,monospace;font-size:12px}
</style></head><body>
<h1>Session {{.Session}}</h1>
<p>{{len .Steps}} exchange(s). Generated by <code>warden audit replay</code> from hash-chained audit records.</p>
<table><tr><th>time</th><th>request id</th><th>outcome</th><th>details</th><th>chain</th></tr>
{{range .Steps}}{{$f := .Final}}<tr>
<td class="mono">{{time .First.Time}}</td><td class="mono">{{.ID}}</td>
<td class="{{$f.Unmapped.Warden.Disposition}}">{{$f.Unmapped.Warden.Disposition}}</td>
<td>{{if .Request}}<div><b>request</b>: {{detail .Request}}</div>{{end}}{{if .Completion}}<div><b>completion</b>: {{detail .Completion}}</div>{{end}}</td>
<td class="mono">{{with $f.Unmapped.Integrity}}{{.ChainID}}:{{.Seq}}{{end}}</td>
</tr>{{end}}</table></body></html>
`))

func writeHTML(w io.Writer, session string, steps []*step) error {
	if err := pageTmpl.Execute(w, struct {
		Session string
		Steps   []*step
	}{session, steps}); err != nil {
		return fmt.Errorf("render timeline: %w", err)
	}
	return nil
}
