package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/extproc"
	"github.com/warden-gw/warden/redact"
)

// RedactConfig is the `redact:` section: redaction is on in both directions by default, and
// routes may switch a direction or the PII classes off.
type RedactConfig struct {
	// Request and Response switch redaction per direction (default true).
	Request  *bool `yaml:"request"`
	Response *bool `yaml:"response"`
	// PII also redacts e-mail addresses, phone numbers, payment cards, IBANs and US SSNs
	// (default true). Secrets are always redacted where redaction is on.
	PII *bool `yaml:"pii"`
	// HMACKeyFile switches replacements to `[REDACTED:<rule>:<tag>]`, tag = HMAC-SHA256 of the
	// value under this key, so an auditor holding the key can check a known value.
	HMACKeyFile string `yaml:"hmac_key_file"`
	// Routes override the defaults for matching requests; the first match wins.
	Routes []RedactRoute `yaml:"routes"`
}

// RedactRoute matches requests by host (exact, or "*.example.com") and path prefix.
type RedactRoute struct {
	Host       string `yaml:"host"`
	PathPrefix string `yaml:"path_prefix"`
	Request    *bool  `yaml:"request"`
	Response   *bool  `yaml:"response"`
	PII        *bool  `yaml:"pii"`
}

func (r RedactRoute) matches(x *exchange.Exchange) bool {
	return exchange.HostMatches(r.Host, x.Request.Authority) && exchange.PathHasPrefix(x.Request.Path, r.PathPrefix)
}

func orTrue(b *bool) bool { return b == nil || *b }

// Redactor is the redaction stage: it applies package redact to bodies — JSON bodies value by
// value (escapes decoded, the body stays valid JSON), SSE and NDJSON as streams of events,
// anything else as text — with the per-route settings of the `redact:` section.
type Redactor struct {
	eng *redact.Engine
	cfg RedactConfig
}

var _ extproc.Redactor = (*Redactor)(nil)

// NewRedactor builds the stage; it reads the HMAC key file when one is configured.
func NewRedactor(cfg RedactConfig) (*Redactor, error) {
	var rc redact.Config
	if cfg.HMACKeyFile != "" {
		k, err := os.ReadFile(cfg.HMACKeyFile)
		if err != nil {
			return nil, fmt.Errorf("redact.hmac_key_file: %w", err)
		}
		if len(k) < 16 {
			return nil, fmt.Errorf("redact.hmac_key_file %s: the key must be at least 16 bytes", cfg.HMACKeyFile)
		}
		rc.HMACKey = k
	}
	eng, err := redact.New(rc)
	if err != nil {
		return nil, fmt.Errorf("redact: %w", err)
	}
	return &Redactor{eng: eng, cfg: cfg}, nil
}

// settings returns whether the phase is redacted for x, and the options to use.
func (r *Redactor) settings(x *exchange.Exchange, opts extproc.RedactOptions) (bool, redact.Options) {
	on := orTrue(r.cfg.Request)
	if opts.Phase == exchange.PhaseResponse {
		on = orTrue(r.cfg.Response)
	}
	pii := orTrue(r.cfg.PII)
	for _, rt := range r.cfg.Routes {
		if !rt.matches(x) {
			continue
		}
		if opts.Phase == exchange.PhaseResponse && rt.Response != nil {
			on = *rt.Response
		}
		if opts.Phase == exchange.PhaseRequest && rt.Request != nil {
			on = *rt.Request
		}
		if rt.PII != nil {
			pii = *rt.PII
		}
		break
	}
	ro := redact.Options{}
	if !pii {
		ro.Disable = redact.PII
	}
	for _, e := range opts.Exact {
		ro.Exact = append(ro.Exact, []byte(e))
	}
	return on, ro
}

// Redact implements extproc.Redactor.
func (r *Redactor) Redact(x *exchange.Exchange, body []byte, opts extproc.RedactOptions) ([]byte, map[string]int, error) {
	on, ro := r.settings(x, opts)
	if !on && len(ro.Exact) == 0 {
		return body, nil, nil
	}
	if !on {
		ro.Disable = redact.Secret | redact.PII // only the injected credentials
	}
	kind := redact.KindOf(opts.ContentType)
	switch {
	case kind == redact.KindSSE || kind == redact.KindNDJSON || kind == redact.KindJSON && isJSONArray(body):
		// A stream of events, even when buffered whole: text split across events (a Gemini
		// JSON array, an Ollama NDJSON body) is joined before it is scanned.
		s := r.eng.NewStream(kind, redact.StreamOptions{Options: ro, MaxEvent: len(body) + 1})
		out, err := s.Write(body)
		if err != nil {
			return nil, nil, err
		}
		tail, err := s.Close()
		if err != nil {
			return nil, nil, err
		}
		byClass, _ := s.Counts()
		return append(out, tail...), byClass, nil
	case kind == redact.KindJSON:
		out, fs, err := r.redactJSON(x, body, ro, opts.Phase)
		if err == nil {
			return out, countClasses(fs), nil
		}
		if !errors.Is(err, redact.ErrInvalidJSON) {
			return nil, nil, err
		}
		// Not valid JSON after all: scan it as text, which still finds every secret.
	}
	out, fs := r.eng.Redact(body, ro)
	return out, countClasses(fs), nil
}

// redactJSON redacts a JSON body, from the inspection stage's reading of it when that stage
// read exactly these bytes (exchange.Request.JSON, Response.JSON), else from the bytes.
func (r *Redactor) redactJSON(x *exchange.Exchange, body []byte, ro redact.Options, phase exchange.Phase) ([]byte, []redact.Finding, error) {
	parsed := x.Request.JSON
	if phase == exchange.PhaseResponse {
		parsed = x.Response.JSON
	}
	if parsed.Of(body) {
		return r.eng.RedactParsedJSON(parsed, ro)
	}
	return r.eng.RedactJSON(body, ro)
}

// NewStream implements extproc.Redactor.
func (r *Redactor) NewStream(x *exchange.Exchange, opts extproc.RedactOptions) extproc.BodyStream {
	on, ro := r.settings(x, opts)
	if !on {
		ro.Disable = redact.Secret | redact.PII
	}
	return &redactStream{s: r.eng.NewStream(redact.KindOf(opts.ContentType), redact.StreamOptions{Options: ro})}
}

// isJSONArray reports whether a JSON body is an array (after white space and a byte order mark).
func isJSONArray(body []byte) bool {
	b := bytes.TrimLeft(bytes.TrimPrefix(body, []byte("\xEF\xBB\xBF")), " \t\r\n")
	return len(b) > 0 && b[0] == '['
}

// Text redacts secrets and personal data in a string, for an audit field or an approval shown
// to approvers (View.Redact).
func (r *Redactor) Text(s string) string {
	out, _ := r.eng.Redact([]byte(s), redact.Options{})
	return string(out)
}

// Secrets redacts secrets (not personal data) in a string: every string of an audit record and
// of an approval passes it.
func (r *Redactor) Secrets(s string) string { return r.eng.Text(s) }

type redactStream struct{ s *redact.Stream }

func (r *redactStream) Write(p []byte) ([]byte, error) { return r.s.Write(p) }
func (r *redactStream) Close() ([]byte, error)         { return r.s.Close() }

// Counts returns the findings per class and, as "limit.<name>", each bound the stream reached
// (redact.Stream.Limits), so the record says when a stream was scanned with less than full
// context.
func (r *redactStream) Counts() map[string]int {
	byClass, _ := r.s.Counts()
	for k, v := range r.s.Limits() {
		if byClass == nil {
			byClass = map[string]int{}
		}
		byClass["limit."+k] = v
	}
	return byClass
}

func countClasses(fs []redact.Finding) map[string]int {
	if len(fs) == 0 {
		return nil
	}
	m := make(map[string]int, 2)
	for _, f := range fs {
		m[f.Class.String()]++
	}
	return m
}

// DecodeBody removes a content-encoding for the ext_proc server (extproc.Options.Decode),
// mapping the size bound to extproc's sentinel.
func DecodeBody(enc string, body []byte, limit int64) ([]byte, error) {
	out, err := redact.Decode(enc, body, limit)
	if errors.Is(err, redact.ErrTooLarge) {
		return nil, fmt.Errorf("%w: %w", extproc.ErrBodyTooLarge, err)
	}
	return out, err
}

// RegisterRedactBounds exports redact.BoundsReached as warden_redact_bounds_reached_total{bound}:
// a scan done with less than full context (a look-through window that stopped growing, a
// base64 or hex run too long to decode) is counted where operators look, never silent.
func RegisterRedactBounds(reg prometheus.Registerer) error {
	if reg == nil {
		return nil
	}
	for name := range redact.BoundsReached() {
		c := prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "warden_redact_bounds_reached_total",
			Help:        "Times a bound of the redaction engine was reached (the scan went on with less context).",
			ConstLabels: prometheus.Labels{"bound": name},
		}, func() float64 { return float64(redact.BoundsReached()[name]) })
		if err := reg.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				return fmt.Errorf("register redaction bound metric %s: %w", name, err)
			}
		}
	}
	return nil
}
