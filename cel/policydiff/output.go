package policydiff

import (
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/warden-gw/warden/audit/record"
)

// skipText explains each skip reason to an operator.
var skipText = map[Skip]string{
	SkipNoInput:    "the record does not say what the decision was made from (written by an older warden, or not inspected)",
	SkipNotDecided: "no policy decided it (refused before the policy ran: identity, an undecodable body, an error)",
	SkipNewerInput: "written by a newer warden in a format this one does not read",
	SkipUnreadable: "not a readable record",
	SkipNoRequest:  "a completion record whose request record is not in the input",
}

// omittedText is what records never carry, for the reports.
func omittedText() string { return strings.Join(record.OmittedFields, ", ") }

func versions(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "@" + m[k]
	}
	return strings.Join(parts, ", ")
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format("2006-01-02T15:04:05.000Z")
}

// WriteText prints the diff for a terminal: the summary, the counts per transition, what could
// not be replayed, then every changed exchange.
func WriteText(w io.Writer, r *Result, paths []string) {
	fmt.Fprintf(w, "policy diff: %d exchanges re-decided with %s (%s)\n", r.Exchanges, strings.Join(paths, ", "), versions(r.Policies))
	fmt.Fprintf(w, "  changed:   %d\n  unchanged: %d\n", len(r.Changed), r.Unchanged)
	for _, s := range sortedSkips(r.Skipped) {
		fmt.Fprintf(w, "  not re-decided: %d: %s\n", r.Skipped[s], skipText[s])
	}
	if r.ResponseNotReplayed > 0 {
		fmt.Fprintf(w, "  response rules not replayed for %d exchanges (see the notes below)\n", r.ResponseNotReplayed)
	}
	if r.TextCut > 0 {
		fmt.Fprintf(w, "  %d exchanges had a statement or command longer than the record keeps: rules see it cut\n", r.TextCut)
	}
	if len(r.NotReplayable) > 0 {
		fmt.Fprintf(w, "\nrules that read what records do not carry (%s); on replay they see empty values:\n", omittedText())
		for _, g := range r.NotReplayable {
			fmt.Fprintf(w, "  %s/%s (%s phase) reads %s\n", g.Policy, g.Rule, g.Phase, strings.Join(g.Fields, ", "))
		}
	}
	fmt.Fprintln(w, "\ndecisions (old -> new):")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, t := range r.Transitions {
		mark := " "
		if t.Changed {
			mark = "*"
		}
		fmt.Fprintf(tw, "  %s %d\t%s\t->\t%s\n", mark, t.Count, t.Old, t.New)
	}
	_ = tw.Flush()
	if len(r.Changed) == 0 {
		fmt.Fprintln(w, "\nno exchange is decided differently")
		return
	}
	fmt.Fprintf(w, "\nchanged exchanges (%d):\n", len(r.Changed))
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  time\tsession\trequest id\trequest\told\tnew\tnote")
	for _, c := range r.Changed {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s %s%s\t%s\t%s\t%s\n", fmtTime(c.Time), orDash(c.Session), c.RequestID,
			c.Method, c.Host, c.Path, c.Old.Label(), c.New.Label(), orDash(c.Note))
	}
	_ = tw.Flush()
}

func sortedSkips(m map[Skip]int) []Skip {
	out := make([]Skip, 0, len(m))
	for s, n := range m {
		if n > 0 {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// page is the data of the HTML page.
type page struct {
	R        *Result
	Paths    string
	Versions string
	Omitted  string
	Skips    []skipRow
}

type skipRow struct {
	Count int
	Why   string
}

// WriteHTML writes the diff as one self-contained page: inline CSS, no scripts, no external
// resources. Every value is escaped by html/template.
func WriteHTML(w io.Writer, r *Result, paths []string) error {
	p := page{R: r, Paths: strings.Join(paths, ", "), Versions: versions(r.Policies), Omitted: omittedText()}
	for _, s := range sortedSkips(r.Skipped) {
		p.Skips = append(p.Skips, skipRow{Count: r.Skipped[s], Why: skipText[s]})
	}
	return pageTmpl.Execute(w, p)
}

var pageTmpl = template.Must(template.New("diff").Funcs(template.FuncMap{"time": fmtTime, "dash": orDash}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>warden policy diff</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3}.chg{background:#fff4e0}.n{text-align:right}.note{color:#666;font-size:.9em}
code{font-size:.95em}
</style></head><body>
<h1>warden policy diff</h1>
<p>Candidate: <code>{{.Paths}}</code> ({{.Versions}})</p>
<ul>
<li>{{.R.Exchanges}} exchanges re-decided: <b>{{len .R.Changed}} changed</b>, {{.R.Unchanged}} unchanged</li>
{{range .Skips}}<li>not re-decided: {{.Count}}: {{.Why}}</li>{{end}}
{{if .R.ResponseNotReplayed}}<li>response rules not replayed for {{.R.ResponseNotReplayed}} exchanges</li>{{end}}
{{if .R.TextCut}}<li>{{.R.TextCut}} exchanges had a text longer than the record keeps</li>{{end}}
</ul>
{{if .R.NotReplayable}}<h2>Rules that read what records do not carry</h2>
<p>Records never carry {{.Omitted}}. On replay these rules see empty values there.</p>
<table><tr><th>policy/rule</th><th>phase</th><th>reads</th></tr>
{{range .R.NotReplayable}}<tr><td>{{.Policy}}/{{.Rule}}</td><td>{{.Phase}}</td><td>{{range $i, $f := .Fields}}{{if $i}}, {{end}}<code>{{$f}}</code>{{end}}</td></tr>{{end}}
</table>{{end}}
<h2>Decisions, old &rarr; new</h2>
<table><tr><th>count</th><th>old</th><th>new</th></tr>
{{range .R.Transitions}}<tr{{if .Changed}} class="chg"{{end}}><td class="n">{{.Count}}</td><td>{{.Old}}</td><td>{{.New}}</td></tr>{{end}}
</table>
<h2>Changed exchanges ({{len .R.Changed}})</h2>
{{if .R.Changed}}<table><tr><th>time</th><th>session</th><th>request</th><th>old</th><th>new</th></tr>
{{range .R.Changed}}<tr><td>{{time .Time}}</td><td>{{dash .Session}}</td><td><code>{{.Method}} {{.Host}}{{.Path}}</code><br><span class="note">{{.RequestID}}</span></td><td>{{.Old.Label}}<br><span class="note">{{.Old.Reason}}</span></td><td>{{.New.Label}}<br><span class="note">{{.New.Reason}}</span>{{if .Note}}<br><span class="note">note: {{.Note}}</span>{{end}}</td></tr>
{{end}}</table>{{else}}<p>No exchange is decided differently.</p>{{end}}
</body></html>
`))
