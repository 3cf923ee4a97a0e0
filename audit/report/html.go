package report

import (
	"fmt"
	"html"
	"html/template"
	"io"
	"strings"
	"time"
)

// maxBars bounds a chart; the table beside it lists every row.
const maxBars = 15

// barChart draws counts as horizontal bars in inline SVG (no script, no external resource).
// Labels are escaped here: the SVG is inserted as trusted HTML.
func barChart(title string, cs []Count) template.HTML {
	if len(cs) == 0 {
		return ""
	}
	rows := cs
	if len(rows) > maxBars {
		rows = rows[:maxBars]
	}
	max := 1
	for _, c := range rows {
		if c.N > max {
			max = c.N
		}
	}
	const labelW, barW, rowH = 260, 360, 22
	h := rowH*len(rows) + 30
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="%d" height="%d" viewBox="0 0 %d %d">`, labelW+barW+70, h, labelW+barW+70, h)
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(title))
	fmt.Fprintf(&b, `<text x="0" y="14" font-size="13" font-weight="bold">%s</text>`, html.EscapeString(title))
	for i, c := range rows {
		y := 24 + i*rowH
		w := c.N * barW / max
		if w < 1 {
			w = 1
		}
		label := c.Label
		if len(label) > 40 {
			label = label[:37] + "..."
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" text-anchor="end">%s</text>`, labelW-6, y+14, html.EscapeString(label))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="#4a7bd0"></rect>`, labelW, y+2, w, rowH-6)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12">%d</text>`, labelW+w+6, y+14, c.N)
	}
	if len(cs) > len(rows) {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" fill="#666">%d more in the table</text>`, labelW, h-2, len(cs)-len(rows))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // every value above is escaped or a number
}

func actorCounts(as []Actor) []Count {
	out := make([]Count, len(as))
	for i, a := range as {
		out[i] = Count{Label: a.Name, N: a.Exchanges}
	}
	return out
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

func period(from, to time.Time) string {
	f, t := "the beginning of the trail", "its end"
	if !from.IsZero() {
		f = from.UTC().Format(time.RFC3339)
	}
	if !to.IsZero() {
		t = to.UTC().Format(time.RFC3339)
	}
	return f + " to " + t
}

// WriteHTML writes the report as one self-contained page: inline CSS and SVG, no scripts, no
// external resources; every value is escaped by html/template.
func WriteHTML(w io.Writer, r *Report) error {
	return pageTmpl.Execute(w, r)
}

var pageTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"chart": barChart, "actors": actorCounts, "time": fmtTime, "period": period,
	"wait": func(d time.Duration) string {
		if d == 0 {
			return "-"
		}
		return d.Round(time.Second).String()
	},
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>warden audit evidence report</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:72em}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
th{background:#f3f3f3}.n{text-align:right}.crit{color:#555;font-size:.9em;margin-top:-.6em}
.ok{background:#e6f4e6;border:1px solid #7b7;padding:.6em}.bad{background:#fbe4e4;border:1px solid #c55;padding:.6em}
section{margin-bottom:2em}
</style></head><body>
<h1>warden audit evidence report</h1>
<p>Period: {{period .From .To}}. Generated {{time .Generated}}. {{.Exchanges}} exchanges.</p>

<section id="verification"><h2>Verification of the audit trail</h2>
<p class="crit">SOC 2: CC7.2 (monitoring of system components), CC7.3 (evaluation of security events): the records this report is built from are complete and unaltered.</p>
{{with .Verification}}{{if .OK}}<div class="ok"><b>Verified</b>: {{.Entries}} entries; hash chains and signed checkpoints intact.</div>{{else}}<div class="bad"><b>Verification FAILED</b>: {{.Entries}} entries. The findings below are not evidence until the problems are explained.</div>{{end}}
{{if .Keys}}<p>Signatures checked with {{.Keys}}.</p>{{end}}
<ul>{{range .Chains}}<li>{{.}}</li>{{end}}</ul>
{{if .Problems}}<h3>Problems</h3><ul>{{range .Problems}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .Warnings}}<h3>Warnings</h3><ul>{{range .Warnings}}<li>{{.}}</li>{{end}}</ul>{{end}}{{end}}
</section>

<section id="actors"><h2>Who and what acted: identities, agents, sessions</h2>
<p class="crit">SOC 2: CC6.1 (logical access), CC6.2, CC6.3 (access is attributed to identified users and systems).</p>
{{chart "Exchanges by identity" (actors .Identities)}}
<table><tr><th>identity</th><th>exchanges</th><th>denied</th><th>held</th><th>first</th><th>last</th></tr>
{{range .Identities}}<tr><td>{{.Name}}</td><td class="n">{{.Exchanges}}</td><td class="n">{{.Denied}}</td><td class="n">{{.Held}}</td><td>{{time .First}}</td><td>{{time .Last}}</td></tr>{{end}}</table>
{{chart "Exchanges by agent" (actors .Agents)}}
<table><tr><th>agent</th><th>exchanges</th><th>denied</th><th>held</th><th>first</th><th>last</th></tr>
{{range .Agents}}<tr><td>{{.Name}}</td><td class="n">{{.Exchanges}}</td><td class="n">{{.Denied}}</td><td class="n">{{.Held}}</td><td>{{time .First}}</td><td>{{time .Last}}</td></tr>{{end}}</table>
<h3>Sessions ({{len .Sessions}}; {{.SessionsEnded}} ended in the period)</h3>
<table><tr><th>session</th><th>exchanges</th><th>denied</th><th>held</th><th>first</th><th>last</th></tr>
{{range .Sessions}}<tr><td><code>{{.Name}}</code></td><td class="n">{{.Exchanges}}</td><td class="n">{{.Denied}}</td><td class="n">{{.Held}}</td><td>{{time .First}}</td><td>{{time .Last}}</td></tr>{{end}}</table>
{{chart "Exchanges per hour (UTC)" .Hourly}}
</section>

<section id="denied"><h2>Denied and held actions by rule</h2>
<p class="crit">SOC 2: CC6.1 (logical access security), CC6.8 (prevention of unauthorized software and actions), CC7.2 (monitoring).</p>
{{if .Denied}}{{chart "Denied by rule" .Denied}}{{else}}<p>No action was denied.</p>{{end}}
{{if .Held}}{{chart "Held for approval by rule" .Held}}{{else}}<p>No action was held for approval.</p>{{end}}
<table><tr><th>rule</th><th>denied</th></tr>{{range .Denied}}<tr><td>{{.Label}}</td><td class="n">{{.N}}</td></tr>{{end}}</table>
<table><tr><th>rule</th><th>held</th></tr>{{range .Held}}<tr><td>{{.Label}}</td><td class="n">{{.N}}</td></tr>{{end}}</table>
</section>

<section id="approvals"><h2>Approvals</h2>
<p class="crit">SOC 2: CC6.3 (authorization of access), CC8.1 (changes are authorized before they are made).</p>
{{if .Approvals}}<table><tr><th>approval</th><th>rule</th><th>action</th><th>requested</th><th>outcome</th><th>approver</th><th>wait</th></tr>
{{range .Approvals}}<tr><td><code>{{.ID}}</code></td><td>{{.Rule}}</td><td>{{.Action}}</td><td>{{time .Requested}}</td><td>{{.Outcome}}</td><td>{{.Approver}}</td><td>{{wait .Wait}}</td></tr>{{end}}</table>{{else}}<p>No approval was requested in the period.</p>{{end}}
</section>

<section id="masking"><h2>Secrets and personal data masked, by class</h2>
<p class="crit">SOC 2: CC6.7 (transmission of data is restricted and protected), C1.1 (confidential information is protected). Counts only: a record never holds the values.</p>
{{if .Redactions}}{{chart "Findings masked by class" .Redactions}}
<table><tr><th>class</th><th>masked</th></tr>{{range .Redactions}}<tr><td>{{.Label}}</td><td class="n">{{.N}}</td></tr>{{end}}</table>{{else}}<p>Nothing was masked.</p>{{end}}
</section>

<section id="credentials"><h2>Credential leases</h2>
<p class="crit">SOC 2: CC6.1, CC6.2, CC6.3 (credentials are issued for a purpose and removed when no longer needed).</p>
<p>{{.LeaseIDs}} leases issued (by role below); {{.SessionsEnded}} sessions ended in the period, and a session's leases are revoked when it ends (docs/credentials.md). Lease ids are in the records, never secrets.</p>
{{if .Leases}}<table><tr><th>role</th><th>leases</th></tr>{{range .Leases}}<tr><td>{{.Label}}</td><td class="n">{{.N}}</td></tr>{{end}}</table>{{end}}
</section>

<section id="policies"><h2>Policy versions in force</h2>
<p class="crit">SOC 2: CC8.1 (change management): every decision names the policy version that made it.</p>
{{if .Policies}}<table><tr><th>policy</th><th>version</th><th>first decision</th><th>last decision</th><th>decisions</th></tr>
{{range .Policies}}<tr><td>{{.Policy}}</td><td><code>{{.Version}}</code></td><td>{{time .First}}</td><td>{{time .Last}}</td><td class="n">{{.Decisions}}</td></tr>{{end}}</table>{{else}}<p>No decision named a policy in the period.</p>{{end}}
</section>

<section id="resources"><h2>Resources touched</h2>
<p class="crit">SOC 2: CC6.1 (access to data), C1.1 (confidential information): what data the actions named (OCSF resources[]).</p>
{{if .Resources}}{{chart "Exchanges by resource" .Resources}}
<table><tr><th>resource</th><th>exchanges</th></tr>{{range .Resources}}<tr><td>{{.Label}}</td><td class="n">{{.N}}</td></tr>{{end}}</table>{{else}}<p>No action named a resource.</p>{{end}}
</section>
</body></html>
`))
