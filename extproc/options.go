package extproc

import (
	filterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	"google.golang.org/protobuf/proto"
)

// OptionsFromFilter derives the modes warden assumes from the ext_proc filter configuration
// Envoy runs with (the same YAML): body modes, whether mode_override is honoured, and the exact
// override message to send for SSE responses. Envoy accepts an override only if it equals an
// entry of allowed_override_modes field by field, so the entry is taken from the configuration,
// not built by hand.
func OptionsFromFilter(f *filterv3.ExternalProcessor, base Options) Options {
	o := base
	pm := f.GetProcessingMode()
	o.RequestBodyMode = pm.GetRequestBodyMode()
	o.ResponseBodyMode = pm.GetResponseBodyMode()
	o.AllowModeOverride = f.GetAllowModeOverride()
	o.MaxMessageTimeout = f.GetMaxMessageTimeout().AsDuration()
	o.MessageTimeout = DefaultMessageTimeout
	if t := f.GetMessageTimeout(); t != nil {
		o.MessageTimeout = t.AsDuration()
	}
	o.StreamedOverride = nil
	if !o.AllowModeOverride {
		return o
	}
	for _, m := range f.GetAllowedOverrideModes() {
		if m.GetResponseBodyMode() == filterv3.ProcessingMode_STREAMED {
			o.StreamedOverride = proto.Clone(m).(*filterv3.ProcessingMode)
			return o
		}
	}
	if len(f.GetAllowedOverrideModes()) > 0 {
		// Overrides are restricted and none streams the response: asking would be ignored.
		o.AllowModeOverride = false
		return o
	}
	o.StreamedOverride = &filterv3.ProcessingMode{
		RequestHeaderMode:   orSend(pm.GetRequestHeaderMode()),
		ResponseHeaderMode:  orSend(pm.GetResponseHeaderMode()),
		RequestBodyMode:     pm.GetRequestBodyMode(),
		ResponseBodyMode:    filterv3.ProcessingMode_STREAMED,
		RequestTrailerMode:  orSkip(pm.GetRequestTrailerMode()),
		ResponseTrailerMode: orSkip(pm.GetResponseTrailerMode()),
	}
	return o
}

func orSend(m filterv3.ProcessingMode_HeaderSendMode) filterv3.ProcessingMode_HeaderSendMode {
	if m == filterv3.ProcessingMode_DEFAULT {
		return filterv3.ProcessingMode_SEND
	}
	return m
}

func orSkip(m filterv3.ProcessingMode_HeaderSendMode) filterv3.ProcessingMode_HeaderSendMode {
	if m == filterv3.ProcessingMode_DEFAULT {
		return filterv3.ProcessingMode_SKIP
	}
	return m
}

// Options returns the options the server runs with.
func (s *Server) Options() Options { return s.opts }
