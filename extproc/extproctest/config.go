package extproctest

import (
	"fmt"
	"regexp"
	"time"

	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	"google.golang.org/protobuf/proto"
)

// Defaults taken from Envoy's filter config and HTTP connection manager.
const (
	defaultMessageTimeout = 200 * time.Millisecond
	defaultStatusOnError  = 500
	// DefaultBufferLimit is Envoy's default per_connection_buffer_limit_bytes.
	DefaultBufferLimit = 1 << 20
	defaultMaxHeaders  = 100 // max_headers_count
	defaultMaxHeaderKB = 60  // max_request_headers_kb
	deferredClose      = 5 * time.Second
	filterName         = "envoy.filters.http.ext_proc"
)

// mode is one direction's share of a ProcessingMode.
type mode struct {
	sendHeaders  bool
	body         extprocfilterv3.ProcessingMode_BodySendMode
	sendTrailers bool
}

// dropsContentLength is ProcessorState::shouldRemoveContentLength
// (processor_state.h): STREAMED, BUFFERED_PARTIAL, FULL_DUPLEX_STREAMED, and
// BUFFERED with the headers not sent, cannot promise a correct content-length
// once the body may be mutated.
func (m mode) dropsContentLength() bool {
	switch m.body {
	case extprocfilterv3.ProcessingMode_STREAMED, extprocfilterv3.ProcessingMode_BUFFERED_PARTIAL,
		extprocfilterv3.ProcessingMode_FULL_DUPLEX_STREAMED:
		return true
	case extprocfilterv3.ProcessingMode_BUFFERED:
		return !m.sendHeaders
	}
	return false
}

func requestMode(pm *extprocfilterv3.ProcessingMode) mode {
	return mode{
		sendHeaders:  pm.GetRequestHeaderMode() != extprocfilterv3.ProcessingMode_SKIP,
		body:         pm.GetRequestBodyMode(),
		sendTrailers: pm.GetRequestTrailerMode() == extprocfilterv3.ProcessingMode_SEND,
	}
}

func responseMode(pm *extprocfilterv3.ProcessingMode) mode {
	return mode{
		sendHeaders:  pm.GetResponseHeaderMode() != extprocfilterv3.ProcessingMode_SKIP,
		body:         pm.GetResponseBodyMode(),
		sendTrailers: pm.GetResponseTrailerMode() == extprocfilterv3.ProcessingMode_SEND,
	}
}

// filterConfig is the compiled form of the filter proto.
type filterConfig struct {
	proto             *extprocfilterv3.ExternalProcessor
	reqMode, respMode mode
	messageTimeout    time.Duration
	maxMessageTimeout time.Duration
	statusOnError     int
	checker           *checker
	forwardNamespaces []string
	typedNamespaces   []string
}

func compileConfig(p *extprocfilterv3.ExternalProcessor) (*filterConfig, error) {
	if p == nil {
		return nil, fmt.Errorf("ext_proc filter config is nil: pass the ExternalProcessor proto from the Envoy config")
	}
	if err := p.ValidateAll(); err != nil {
		return nil, fmt.Errorf("ext_proc filter config is invalid (Envoy would reject it too): %w", err)
	}
	pm := p.GetProcessingMode()
	c := &filterConfig{
		proto:          proto.Clone(p).(*extprocfilterv3.ExternalProcessor),
		reqMode:        requestMode(pm),
		respMode:       responseMode(pm),
		messageTimeout: defaultMessageTimeout,
		statusOnError:  defaultStatusOnError,
	}
	if d := p.GetMessageTimeout(); d != nil {
		c.messageTimeout = d.AsDuration()
	}
	if d := p.GetMaxMessageTimeout(); d != nil {
		c.maxMessageTimeout = d.AsDuration()
	}
	if s := p.GetStatusOnError(); s != nil && s.GetCode() != 0 {
		c.statusOnError = int(s.GetCode())
	}
	// Envoy's config.cc refuses FULL_DUPLEX_STREAMED without trailer mode SEND.
	full := extprocfilterv3.ProcessingMode_FULL_DUPLEX_STREAMED
	if (c.reqMode.body == full && !c.reqMode.sendTrailers) ||
		(c.respMode.body == full && !c.respMode.sendTrailers) {
		return nil, fmt.Errorf("FULL_DUPLEX_STREAMED body mode needs the matching trailer mode set to SEND, as Envoy requires")
	}
	if c.reqMode.body == extprocfilterv3.ProcessingMode_GRPC || c.respMode.body == extprocfilterv3.ProcessingMode_GRPC {
		return nil, fmt.Errorf("body mode GRPC is not emulated: use STREAMED or FULL_DUPLEX_STREAMED")
	}
	chk, err := newChecker(p.GetMutationRules())
	if err != nil {
		return nil, err
	}
	c.checker = chk
	if mo := p.GetMetadataOptions().GetForwardingNamespaces(); mo != nil {
		c.forwardNamespaces = mo.GetUntyped()
		c.typedNamespaces = mo.GetTyped()
	}
	return c, nil
}

// fullMatch compiles an RE2 expression the way Envoy matches it: the whole
// header name must match.
func fullMatch(expr string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(`^(?:` + expr + `)$`)
	if err != nil {
		return nil, fmt.Errorf("mutation_rules regex %q does not compile: %w", expr, err)
	}
	return re, nil
}
