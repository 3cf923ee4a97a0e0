// Package report builds the evidence report of `warden audit report`: from the audit records
// of a period (already verified by the caller) it gathers who and what acted, what was denied
// or held and by which rule, approvals with their approver and wait, what was masked, which
// credentials were leased, which policy versions were in force and which resources were
// touched, and writes it as one self-contained HTML page with inline SVG charts. Each section
// names the SOC 2 criteria it is evidence for.
package report

import (
	"sort"
	"strings"
	"time"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/audit/verify"
)

// Verification is the outcome of verifying the trail, as the report shows it.
type Verification struct {
	OK       bool
	Entries  int
	Chains   []string // one line per chain
	Problems []string
	Warnings []string
	Keys     string // which keys checked the signatures, "" when none
}

// Count is a label with a number, sorted by number in reports.
type Count struct {
	Label string
	N     int
}

// Actor is an identity, agent or session with its activity.
type Actor struct {
	Name        string
	Exchanges   int
	Denied      int
	Held        int
	First, Last time.Time
}

// Approval is one approval request and what became of it.
type Approval struct {
	ID        string
	Rule      string
	Action    string // METHOD host/path
	Requested time.Time
	Decided   time.Time // zero while pending
	Outcome   string    // approved, denied, expired, pending
	Approver  string
	Wait      time.Duration
}

// PolicyVersion is one policy version seen deciding in the period.
type PolicyVersion struct {
	Policy, Version string
	First, Last     time.Time
	Decisions       int
}

// Report is what the page shows.
type Report struct {
	Generated, From, To time.Time
	Verification        Verification
	Exchanges           int
	Identities, Agents  []Actor
	Sessions            []Actor
	Denied, Held        []Count // by policy/rule
	Approvals           []Approval
	Redactions          []Count // by class
	Leases              []Count // by credential role
	LeaseIDs            int
	SessionsEnded       int
	Policies            []PolicyVersion
	Resources           []Count // type: name
	Hourly              []Count // exchanges per hour, labelled by hour
}

// Build gathers the report from the entries of a trail. Records outside [from, to) are left
// out (zero bounds are open); entries that are not records (checkpoints) are skipped.
// Duplicates (the topic may hold one twice) are counted once.
func Build(entries []audit.Entry, from, to time.Time, v Verification, now time.Time) *Report {
	b := newBuilder()
	for r := range verify.Records(entries) {
		t := time.UnixMilli(r.Time).UTC()
		if (!from.IsZero() && t.Before(from)) || (!to.IsZero() && !t.Before(to)) {
			continue
		}
		b.add(r, t)
	}
	rep := b.finish()
	rep.Generated, rep.From, rep.To, rep.Verification = now.UTC(), from, to, v
	return rep
}

type builder struct {
	rep                  Report
	ids, agents, sess    map[string]*Actor
	denied, held, redact map[string]int
	leases, resources    map[string]int
	hourly               map[time.Time]int
	leaseIDs             map[string]bool
	approvals            map[string]*Approval
	policies             map[[2]string]*PolicyVersion
}

func newBuilder() *builder {
	return &builder{
		ids: map[string]*Actor{}, agents: map[string]*Actor{}, sess: map[string]*Actor{},
		denied: map[string]int{}, held: map[string]int{}, redact: map[string]int{},
		leases: map[string]int{}, resources: map[string]int{}, hourly: map[time.Time]int{},
		leaseIDs: map[string]bool{}, approvals: map[string]*Approval{}, policies: map[[2]string]*PolicyVersion{},
	}
}

func (b *builder) add(r *audit.Record, t time.Time) {
	w := &r.Unmapped.Warden
	if kind := eventKind(r); kind != "" {
		b.event(r, kind, t)
		return
	}
	for _, c := range w.Credentials {
		if c.LeaseID != "" && !b.leaseIDs[c.LeaseID] {
			b.leaseIDs[c.LeaseID] = true
			b.leases[c.Role]++
		}
	}
	for class, n := range w.Redactions {
		b.redact[class] += n
	}
	for _, d := range w.Decisions {
		b.policy(d, t)
	}
	if w.Stage != audit.StageRequest {
		return
	}
	b.rep.Exchanges++
	b.hourly[t.Truncate(time.Hour)]++
	who := "anonymous"
	if u := r.Actor.User; u != nil && u.Name != "" {
		who = u.Name
	}
	touch(b.ids, who, w.Disposition, t)
	touch(b.agents, orDash(w.Agent), w.Disposition, t)
	if w.Session != "" {
		touch(b.sess, w.Session, w.Disposition, t)
	}
	if d := w.Decision; d != nil && d.Rule != "" {
		switch w.Disposition {
		case "denied":
			b.denied[d.Policy+"/"+d.Rule]++
		case "approval_required":
			b.held[d.Policy+"/"+d.Rule]++
		}
	}
	for _, res := range r.Resources {
		b.resources[res.Type+": "+res.Name]++
	}
}

func touch(m map[string]*Actor, name, disp string, t time.Time) {
	a := m[name]
	if a == nil {
		a = &Actor{Name: name, First: t}
		m[name] = a
	}
	a.Exchanges++
	switch disp {
	case "denied":
		a.Denied++
	case "approval_required":
		a.Held++
	}
	if t.Before(a.First) {
		a.First = t
	}
	if t.After(a.Last) {
		a.Last = t
	}
}

func (b *builder) policy(d audit.Decision, t time.Time) {
	if d.Policy == "" {
		return
	}
	k := [2]string{d.Policy, d.PolicyVersion}
	p := b.policies[k]
	if p == nil {
		p = &PolicyVersion{Policy: d.Policy, Version: d.PolicyVersion, First: t}
		b.policies[k] = p
	}
	p.Decisions++
	if t.Before(p.First) {
		p.First = t
	}
	if t.After(p.Last) {
		p.Last = t
	}
}

// eventKind returns the kind of a record that is not an HTTP exchange: an event record
// (unmapped.warden.event), or an approval step or session end written as an exchange record
// with the kind as its error code (how warden recorded them before event records).
func eventKind(r *audit.Record) audit.EventKind {
	w := &r.Unmapped.Warden
	if w.Event != "" || w.Stage == audit.StageEvent {
		return audit.EventKind(orDash(w.Event))
	}
	if k := audit.EventKind(w.ErrorCode); k.Valid() && (strings.HasPrefix(w.ErrorCode, "approval.") || k == audit.EventSessionEnded) {
		return k
	}
	return ""
}

// event reads the approval and session events. The approver is the record's subject.
func (b *builder) event(r *audit.Record, kind audit.EventKind, t time.Time) {
	w := &r.Unmapped.Warden
	if kind == audit.EventSessionEnded {
		b.rep.SessionsEnded++
		return
	}
	id := r.Metadata.CorrelationUID
	var outcome string
	switch kind {
	case audit.EventApprovalRequested:
	case audit.EventApprovalApproved:
		outcome = "approved"
	case audit.EventApprovalDenied:
		outcome = "denied"
	case audit.EventApprovalExpired:
		outcome = "expired"
	default:
		return
	}
	a := b.approvals[id]
	if a == nil {
		a = &Approval{ID: id, Outcome: "pending"}
		b.approvals[id] = a
	}
	if d := w.Decision; d != nil && d.Rule != "" && a.Rule == "" {
		a.Rule = d.Policy + "/" + d.Rule
	}
	if kind == audit.EventApprovalRequested {
		a.Requested = t
		if r.HTTPRequest.HTTPMethod != "" {
			a.Action = r.HTTPRequest.HTTPMethod + " " + r.HTTPRequest.URL.Hostname + r.HTTPRequest.URL.Path
		}
		return
	}
	a.Outcome, a.Decided = outcome, t
	if outcome != "expired" {
		a.Approver = w.Subject
	}
}

func (b *builder) finish() *Report {
	rep := &b.rep
	rep.Identities, rep.Agents, rep.Sessions = actors(b.ids), actors(b.agents), actors(b.sess)
	rep.Denied, rep.Held, rep.Redactions = counts(b.denied), counts(b.held), counts(b.redact)
	rep.Leases, rep.Resources = counts(b.leases), counts(b.resources)
	rep.LeaseIDs = len(b.leaseIDs)
	for _, a := range b.approvals {
		if !a.Requested.IsZero() && !a.Decided.IsZero() {
			a.Wait = a.Decided.Sub(a.Requested)
		}
		rep.Approvals = append(rep.Approvals, *a)
	}
	sort.Slice(rep.Approvals, func(i, j int) bool { return rep.Approvals[i].Requested.Before(rep.Approvals[j].Requested) })
	for _, p := range b.policies {
		rep.Policies = append(rep.Policies, *p)
	}
	sort.Slice(rep.Policies, func(i, j int) bool {
		if rep.Policies[i].Policy != rep.Policies[j].Policy {
			return rep.Policies[i].Policy < rep.Policies[j].Policy
		}
		return rep.Policies[i].First.Before(rep.Policies[j].First)
	})
	hours := make([]time.Time, 0, len(b.hourly))
	for h := range b.hourly {
		hours = append(hours, h)
	}
	sort.Slice(hours, func(i, j int) bool { return hours[i].Before(hours[j]) })
	for _, h := range hours {
		rep.Hourly = append(rep.Hourly, Count{Label: h.Format("01-02 15h"), N: b.hourly[h]})
	}
	return rep
}

func actors(m map[string]*Actor) []Actor {
	out := make([]Actor, 0, len(m))
	for _, a := range m {
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Exchanges != out[j].Exchanges {
			return out[i].Exchanges > out[j].Exchanges
		}
		return out[i].Name < out[j].Name
	})
	return out
}

func counts(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{Label: k, N: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].N != out[j].N {
			return out[i].N > out[j].N
		}
		return out[i].Label < out[j].Label
	})
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
