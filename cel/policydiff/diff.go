// Package policydiff re-decides recorded exchanges with a candidate policy set and reports what
// would change: `warden policy diff`. Its input is the audit trail (spool folder, evidence
// bundle or Kafka topic), whose records carry what each decision was made from
// (audit.DecisionInput), or JSON lines in the `warden check` format, which carry whole requests
// and are decided with a base policy set for the "old" side.
//
// A replay sees what the record carries and nothing more: bodies, header values outside the
// record's allowlist, JWT claims, the LLM prompt and sensitive query values are never recorded
// (record.OmittedFields). Candidate rules that read them are listed as not replayable.
package policydiff

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/maphash"
	"slices"
	"strings"
	"time"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/audit/record"
	"github.com/warden-gw/warden/cel/policy"
	"github.com/warden-gw/warden/exchange"
)

// Verdict is the decision that governs an exchange, on one side of the diff.
type Verdict struct {
	Action exchange.Action `json:"action"`
	Phase  exchange.Phase  `json:"phase,omitempty"`
	Policy string          `json:"policy,omitempty"`
	Rule   string          `json:"rule,omitempty"`
	Reason string          `json:"reason,omitempty"`
}

func verdictOf(d exchange.Decision) Verdict {
	return Verdict{Action: d.Action, Phase: d.Phase, Policy: d.Policy, Rule: d.Rule, Reason: d.Reason}
}

// Label is the verdict as the reports show it: "deny by sql/no-unbounded-delete", or
// "allow (no rule)" when no rule decided (a default action).
func (v Verdict) Label() string {
	if v.Rule == "" {
		return string(v.Action) + " (no rule)"
	}
	return string(v.Action) + " by " + v.Policy + "/" + v.Rule
}

// label is what Verdict.Label shows, as a comparable value: equal labels, equal verdicts in
// the report.
type label struct {
	action       exchange.Action
	policy, rule string
}

func labelOf(v Verdict) label {
	if v.Rule == "" {
		return label{action: v.Action}
	}
	return label{v.Action, v.Policy, v.Rule}
}

// transKey identifies a transition without building its labels' strings for every exchange.
type transKey [2]label

// Change is one exchange that the candidate decides differently (another action or another
// governing rule).
type Change struct {
	Time      time.Time `json:"time,omitzero"`
	RequestID string    `json:"request_id"`
	Session   string    `json:"session,omitempty"`
	Method    string    `json:"method"`
	Host      string    `json:"host"`
	Path      string    `json:"path"`
	Old       Verdict   `json:"old"`
	New       Verdict   `json:"new"`
	// Note says what the replay could not judge for this exchange (e.g. its response).
	Note string `json:"note,omitempty"`
}

// Transition counts the exchanges that went from one verdict to another.
type Transition struct {
	Old     string `json:"old"` // Verdict.Label
	New     string `json:"new"`
	Count   int    `json:"count"`
	Changed bool   `json:"changed"`
}

// Skip names why a record could not be re-decided.
type Skip string

// Reasons a record is not re-decided.
const (
	// SkipNoInput: the record does not say what the decision was made from (written before
	// decision inputs were recorded, or the exchange was not inspected).
	SkipNoInput Skip = "no_decision_input"
	// SkipNotDecided: no policy decided the exchange (refused before the policy ran: identity,
	// an undecodable body, an error).
	SkipNotDecided Skip = "not_decided_by_policy"
	// SkipNewerInput: the input was written by a newer warden in a format this one does not read.
	SkipNewerInput Skip = "newer_input_format"
	// SkipUnreadable: the entry is not a readable record, or its input does not decode.
	SkipUnreadable Skip = "unreadable"
	// SkipNoRequest: a completion record whose request record is not in the input (trimmed).
	SkipNoRequest Skip = "no_request_record"
)

// RuleGap is a candidate rule that reads what records do not carry: its result on replayed
// exchanges sees empty values there and may differ from what it would decide live.
type RuleGap struct {
	Policy string         `json:"policy"`
	Rule   string         `json:"rule"`
	Phase  exchange.Phase `json:"phase"`
	Fields []string       `json:"fields"`
}

// Result is the outcome of a diff.
type Result struct {
	// Policies maps each candidate policy to its version.
	Policies map[string]string `json:"policies"`
	// Exchanges is how many exchanges were re-decided.
	Exchanges int `json:"exchanges"`
	Unchanged int `json:"unchanged"`
	// Changed lists every exchange decided differently, in input order.
	Changed     []Change     `json:"changed"`
	Transitions []Transition `json:"transitions"`
	// Skipped counts the records that could not be re-decided, by reason.
	Skipped map[Skip]int `json:"skipped"`
	// NotReplayable lists the candidate rules that read fields records do not carry.
	NotReplayable []RuleGap `json:"not_replayable"`
	// TextCut counts exchanges whose recorded statement or command text was shortened.
	TextCut int `json:"text_cut"`
	// ResponseNotReplayed counts exchanges whose response rules could not be replayed.
	ResponseNotReplayed int `json:"response_not_replayed"`
}

// Options tune a Differ.
type Options struct {
	// Dedup drops records seen before (by chain and seq): the Kafka topic may hold one twice.
	Dedup bool
	// CacheEntries bounds the decision cache (default 1<<16; negative disables it).
	CacheEntries int
}

// Differ re-decides exchanges one record at a time. It is not safe for concurrent use.
type Differ struct {
	ctx  context.Context
	ps   *policy.Set
	opts Options

	pending map[string]*recorded // allowed requests waiting for their completion record
	order   []string             // request ids of pending, in arrival order
	seen    map[string]struct{}
	cache   map[[2]uint64]cached
	kh      keyHash
	facts   *factDecoder
	x       exchange.Exchange         // the exchange being re-decided, reused (Decide keeps nothing of it)
	oldDs   []exchange.Decision       // the recorded decisions of the exchange being finished, reused
	newDs   []exchange.Decision       // its new decisions, reused
	trans   map[[2]string]*Transition // by the labels shown
	byKey   map[transKey]*Transition  // the same, found without building the labels
	res     Result
}

type cached struct {
	d   exchange.Decision
	cut bool
}

// New returns a Differ that re-decides with the candidate set ps.
func New(ctx context.Context, ps *policy.Set, opts Options) *Differ {
	if opts.CacheEntries == 0 {
		opts.CacheEntries = 1 << 16
	}
	d := &Differ{
		ctx: ctx, ps: ps, opts: opts,
		pending: map[string]*recorded{}, seen: map[string]struct{}{},
		cache: map[[2]uint64]cached{}, kh: newKeyHash(),
		facts: newFactDecoder(ps.FactProjection()),
		trans: map[[2]string]*Transition{}, byKey: map[transKey]*Transition{},
	}
	d.res.Policies = ps.Versions()
	d.res.Skipped = map[Skip]int{}
	d.res.NotReplayable = gaps(ps)
	return d
}

// gaps lists the candidate rules that read fields no record carries.
func gaps(ps *policy.Set) []RuleGap {
	var out []RuleGap
	for _, phase := range []exchange.Phase{exchange.PhaseRequest, exchange.PhaseResponse} {
		for _, r := range ps.Rules(phase) {
			var fields []string
			for _, f := range r.Fields() {
				for _, o := range record.OmittedFields {
					if f == o || strings.HasPrefix(f, o+".") {
						fields = append(fields, f)
					}
				}
			}
			if len(fields) > 0 {
				out = append(out, RuleGap{Policy: r.Policy, Rule: r.Name(), Phase: phase, Fields: fields})
			}
		}
	}
	return out
}

// Add takes one audit entry (a record, or a checkpoint or manifest, which is ignored).
func (d *Differ) Add(entry []byte) {
	r, ok, err := parseRecord(entry)
	if err != nil {
		d.res.Skipped[SkipUnreadable]++
		return
	}
	if !ok {
		return
	}
	if d.opts.Dedup {
		if k := r.dedupKey(); k != "" {
			if _, dup := d.seen[k]; dup {
				return
			}
			d.seen[k] = struct{}{}
		}
	}
	id := r.Metadata.CorrelationUID
	switch r.Unmapped.Warden.Stage {
	case audit.StageRequest, audit.StageCompletion:
		if r.isEvent() {
			return
		}
	default:
		return // an event (approval, session end): not an exchange a policy decides
	}
	if r.Unmapped.Warden.Stage == audit.StageCompletion {
		req, ok := d.pending[id]
		if !ok {
			d.res.Skipped[SkipNoRequest]++
			return
		}
		delete(d.pending, id)
		d.finish(req, r)
		return
	}
	reqDs := r.recordedDecisions(exchange.PhaseRequest)
	if len(reqDs) == 0 {
		d.res.Skipped[SkipNotDecided]++
		return
	}
	if finalOf(reqDs).Blocks() {
		d.finish(r, nil) // refused: it never went upstream and has no completion record
		return
	}
	// The record outlives the entry (whose buffer a reader may reuse): keep its own input.
	r.Unmapped.Warden.Input = bytes.Clone(r.Unmapped.Warden.Input)
	d.pending[id] = r
	d.order = append(d.order, id)
	if len(d.order) > 4*len(d.pending)+1024 {
		d.compact()
	}
}

func (d *Differ) compact() {
	kept := d.order[:0]
	for _, id := range d.order {
		if _, ok := d.pending[id]; ok {
			kept = append(kept, id)
		}
	}
	d.order = kept
}

// Result finishes the exchanges still waiting for a completion record (in flight, cut off, or
// ended without one) with their request phase, and returns the diff.
func (d *Differ) Result() *Result {
	for _, id := range d.order {
		if r, ok := d.pending[id]; ok {
			delete(d.pending, id)
			d.finish(r, nil)
		}
	}
	d.order = nil
	d.res.Transitions = d.res.Transitions[:0]
	for _, t := range d.trans {
		d.res.Transitions = append(d.res.Transitions, *t)
	}
	slices.SortFunc(d.res.Transitions, func(a, b Transition) int {
		if a.Changed != b.Changed {
			if a.Changed {
				return -1
			}
			return 1
		}
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Old+a.New, b.Old+b.New)
	})
	return &d.res
}

// finish re-decides one exchange from its request record and, when it went upstream, its
// completion record.
func (d *Differ) finish(req, comp *recorded) {
	w := &req.Unmapped.Warden
	if len(w.Input) == 0 {
		d.res.Skipped[SkipNoInput]++
		return
	}
	oldDs := d.oldDs[:0]
	oldDs = req.appendDecisions(oldDs, exchange.PhaseRequest)
	if comp != nil {
		oldDs = comp.appendDecisions(oldDs, exchange.PhaseResponse)
	}
	defer func() { d.oldDs = oldDs[:0] }() // reused by the next exchange
	newReq, cut, skip := d.decide(req, exchange.PhaseRequest)
	if skip != "" {
		d.res.Skipped[skip]++
		return
	}
	newDs := append(d.newDs[:0], newReq)
	defer func() { d.newDs = newDs[:0] }()
	note := ""
	if !newReq.Blocks() && d.ps.HasPhase(exchange.PhaseResponse) {
		switch {
		case comp == nil && finalOf(oldDs).Blocks():
			note = "refused when recorded, so its response was never seen: response rules not replayed"
		case comp == nil:
			note = "no completion record (in flight, cancelled or cut off): response rules not replayed"
		case len(comp.Unmapped.Warden.Input) == 0:
			note = "the completion record has no decision input: response rules not replayed"
		default:
			dr, rcut, rskip := d.decide(comp, exchange.PhaseResponse)
			if rskip != "" {
				note = "the completion record cannot be replayed (" + string(rskip) + "): response rules not replayed"
			} else {
				newDs = append(newDs, dr)
				cut = cut || rcut
			}
		}
	}
	if note != "" {
		d.res.ResponseNotReplayed++
	}
	if cut {
		d.res.TextCut++
	}
	d.tally(req, verdictOf(finalOf(oldDs)), verdictOf(finalOf(newDs)), note)
}

// tally counts one re-decided exchange.
func (d *Differ) tally(req *recorded, old, nw Verdict, note string) {
	d.res.Exchanges++
	k := transKey{labelOf(old), labelOf(nw)}
	t := d.byKey[k]
	if t == nil {
		ol, nl := old.Label(), nw.Label()
		if t = d.trans[[2]string{ol, nl}]; t == nil {
			t = &Transition{Old: ol, New: nl, Changed: ol != nl}
			d.trans[[2]string{ol, nl}] = t
		}
		d.byKey[k] = t
	}
	t.Count++
	if !t.Changed {
		d.res.Unchanged++
		return
	}
	m, h, p := req.describe()
	c := Change{
		RequestID: req.Metadata.CorrelationUID, Session: req.Unmapped.Warden.Session,
		Method: m, Host: h, Path: p, Old: old, New: nw, Note: note,
	}
	if req.Time != 0 {
		c.Time = time.UnixMilli(req.Time).UTC()
	}
	d.res.Changed = append(d.res.Changed, c)
}

// decide re-decides one phase of a record, from the cache when identical input was decided
// before (a decision is a function of the input: policy.Decide reads nothing else).
func (d *Differ) decide(r *recorded, phase exchange.Phase) (exchange.Decision, bool, Skip) {
	var key [2]uint64
	if d.opts.CacheEntries > 0 {
		d.kh.reset()
		r.key(&d.kh, phase)
		key = d.kh.sum()
		if c, ok := d.cache[key]; ok {
			return c.d, c.cut, ""
		}
	}
	in, err := d.facts.input(r.Unmapped.Warden.Input)
	defer d.facts.release() // after Decide: nothing holds the facts any more
	switch {
	case err != nil:
		return exchange.Decision{}, false, SkipUnreadable
	case in.V > record.InputVersion:
		return exchange.Decision{}, false, SkipNewerInput
	case in.V < 1:
		return exchange.Decision{}, false, SkipNoInput
	}
	r.exchangeInto(&d.x, in)
	dec := d.ps.Decide(d.ctx, &d.x, phase)
	cut := in.TextCut
	if d.opts.CacheEntries > 0 {
		if len(d.cache) >= d.opts.CacheEntries {
			clear(d.cache) // a cache, not a record: forgetting costs time only
		}
		d.cache[key] = cached{d: dec, cut: cut}
	}
	return dec, cut, ""
}

// finalOf is exchange.Exchange.Final over ds: the last blocking decision, else the last one,
// else an implicit allow.
func finalOf(ds []exchange.Decision) exchange.Decision {
	x := exchange.Exchange{Decisions: ds}
	return x.Final()
}

// keyHash feeds length-prefixed fields to two independently seeded 64-bit hashes (128 bits:
// a collision among the inputs of a day of traffic is out of reach), so that ("ab","c") and
// ("a","bc") differ.
type keyHash struct {
	a, b maphash.Hash
	buf  [8]byte
}

func newKeyHash() keyHash {
	var k keyHash
	k.a.SetSeed(maphash.MakeSeed())
	k.b.SetSeed(maphash.MakeSeed())
	return k
}

func (k *keyHash) reset() { k.a.Reset(); k.b.Reset() }

func (k *keyHash) sum() [2]uint64 { return [2]uint64{k.a.Sum64(), k.b.Sum64()} }

func (k *keyHash) str(s string) {
	binary.LittleEndian.PutUint64(k.buf[:], uint64(len(s)))
	_, _ = k.a.Write(k.buf[:])
	_, _ = k.b.Write(k.buf[:])
	_, _ = k.a.WriteString(s)
	_, _ = k.b.WriteString(s)
}

func (k *keyHash) bytes(p []byte) {
	binary.LittleEndian.PutUint64(k.buf[:], uint64(len(p)))
	_, _ = k.a.Write(k.buf[:])
	_, _ = k.b.Write(k.buf[:])
	_, _ = k.a.Write(p)
	_, _ = k.b.Write(p)
}
