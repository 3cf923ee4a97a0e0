package redact

import "sync/atomic"

// Bounds: every limit the engine applies to untrusted input is counted when
// it is reached, so a scan done with less than full context is a fact an
// operator sees (a metric), never silent. Per stream, Stream.Limits says the
// same for the record.

var bounds struct {
	lookWindow  atomic.Uint64 // a look-through window grew maxWindowGrowth times and a match was still open
	lookLayers  atomic.Uint64 // an encoding maxLayers deep inside others was not decoded
	b64Block    atomic.Uint64 // a base64 run (or wrapped block) longer than maxB64Run (64 KiB) was not decoded (whole)
	hexRun      atomic.Uint64 // a hex run longer than maxHexRun either side of a hit was decoded in part
	unlearned   atomic.Uint64 // a streamed JSON value scanned on its own: maxShapes fields had text held
	pathSegment atomic.Uint64 // a URL path segment after a secret's name ran past maxKeyedValue bytes
	qpBody      atomic.Uint64 // a quoted-printable body longer than qpMaxBody (64 KiB) was decoded in part
	// reached counts every bound reached, whichever: a scan during which it moved is not
	// remembered as clean (cleanTexts), so that a repeat of it is scanned, and counted, again.
	reached atomic.Uint64
}

func countBound(c *atomic.Uint64) {
	c.Add(1)
	bounds.reached.Add(1)
}

// BoundsReached returns, since the process started, how often each bound of
// the engine was reached: "lookthrough_window" (an escaped match still open
// after its decoded window grew to 640 x 5 bytes either side; it is scanned
// as it stands), "lookthrough_layers" (an encoding found maxLayers (3)
// encodings deep, such as a value percent-encoded four times, not decoded),
// "base64_block_too_long" (a base64 run over 64 KiB, such as
// an image, not decoded; or a wrapped base64 block over 64 KiB, read line by
// line instead of whole) and "hex_run_too_long" (a hex run over 2 KiB either
// side of a keyword, decoded in part) and "stream_fields_unlearned" (a
// streamed JSON value scanned on its own because 1024 fields had text held
// at once; Stream.Limits gives the same per stream),
// "path_segment_too_long" (a URL path segment after a secret's name, such
// as /token/, longer than 4 KiB: redacted as far as it was read) and
// "qp_body_too_long" (a quoted-printable body over 64 KiB, decoded up to
// there). The server exports them as metrics.
func BoundsReached() map[string]uint64 {
	return map[string]uint64{
		"lookthrough_window":      bounds.lookWindow.Load(),
		"lookthrough_layers":      bounds.lookLayers.Load(),
		"base64_block_too_long":   bounds.b64Block.Load(),
		"hex_run_too_long":        bounds.hexRun.Load(),
		"stream_fields_unlearned": bounds.unlearned.Load(),
		"path_segment_too_long":   bounds.pathSegment.Load(),
		"qp_body_too_long":        bounds.qpBody.Load(),
	}
}
