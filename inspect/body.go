package inspect

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/warden-gw/warden/exchange"
)

// Bounds on the body forms inspection reads. Past any of them the facts say so
// (inspection.truncated): nothing is dropped silently.
const (
	maxFormBody      = 1 << 20 // form-encoded and multipart bodies read for fields
	maxMultipartPart = 1 << 20 // one multipart field
	maxMultipartN    = 256     // multipart fields
	maxDuplicates    = 256     // shadowed values of repeated JSON keys
)

// bom is the UTF-8 byte order mark some clients put before a JSON or form body.
var bom = []byte("\xef\xbb\xbf")

// bodyKind is how a request body was read.
type bodyKind int

const (
	bodyNone bodyKind = iota
	bodyJSON
	bodyForm      // application/x-www-form-urlencoded
	bodyMultipart // multipart/form-data
	bodySQL       // application/sql
	bodyText      // text/plain, a shell script type, or no content type: read by endpoint
	bodyYAML      // YAML, XML or newline-delimited JSON: walked as a JSON body is, never exposed as one (BodyJSON)
	bodyOther
)

// requestBody is a request body decoded once.
type requestBody struct {
	kind bodyKind
	json any        // bodyJSON
	dups []any      // bodyJSON: values shadowed by a repeated key, each as {key: value}
	form url.Values // bodyForm, bodyMultipart
	text string     // bodySQL, bodyText
	// binaryParts counts multipart parts left unread because they are not text (an upload);
	// analyze reports them on an executing endpoint, which may run them.
	binaryParts int
}

// mediaType returns the lower-case media type of a content-type header ("" when absent).
func mediaType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt, _, _ = strings.Cut(ct, ";")
	}
	return strings.ToLower(strings.TrimSpace(mt))
}

// readBody decodes a request body by its content type (and, for JSON, by its first byte),
// noting on f what could not be read completely. parsed, when not nil, is the body already read
// as JSON by the pipeline (used when it was read from exactly these bytes).
func (f *Facts) readBody(body []byte, contentType string, parsed *exchange.JSONBody) requestBody {
	body = bytes.TrimPrefix(body, bom)
	if len(body) == 0 {
		return requestBody{}
	}
	mt := mediaType(contentType)
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) > 0 && (t[0] == '{' || t[0] == '[') &&
		!strings.Contains(mt, "json") && !strings.HasPrefix(mt, "multipart/") {
		// JSON under another content type (a server that sniffs, or ignores the header): JSON
		// is the reading that carries structure, so it wins when it decodes.
		if v, dups, ok := decodeBodyJSON(body, parsed); ok {
			return f.jsonRead(v, dups)
		}
	}
	switch {
	case strings.HasPrefix(mt, "multipart/form-data"):
		return f.readMultipart(body, contentType)
	case mt == "application/x-www-form-urlencoded":
		if len(body) > maxFormBody {
			f.truncate("form body is larger than the " + itoa(maxFormBody) + "-byte inspection limit")
			return requestBody{kind: bodyOther}
		}
		// Pairs that parse are kept even when others do not: servers differ in how strictly
		// they parse, and one bad escape must not hide the rest.
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			// The error is not quoted: it may echo body bytes, and reasons reach the audit record.
			f.ambiguous("form body has malformed pairs")
		}
		return requestBody{kind: bodyForm, form: vals}
	case isYAMLType(mt):
		return f.readYAML(body)
	case isNDJSONType(mt):
		return f.readNDJSON(body)
	case isXMLType(mt):
		return f.readXML(body)
	case strings.Contains(mt, "json"):
		// (A body of another type that looks like JSON was tried above; one that did not decode
		// is read by its declared type: a shell script may begin with "{ " or "[ ".)
		v, dups, ok := decodeBodyJSON(body, parsed)
		if !ok {
			f.ambiguous("request body is declared JSON but does not parse")
			return requestBody{kind: bodyOther}
		}
		return f.jsonRead(v, dups)
	case mt == "application/sql" || mt == "text/sql" || mt == "application/x-sql":
		return requestBody{kind: bodySQL, text: string(body)}
	case mt == "" || mt == "text/plain" || mt == "text/x-shellscript" || mt == "application/x-sh" ||
		mt == "text/x-sh" || mt == "application/x-shellscript":
		switch {
		case len(body) > maxFormBody:
			f.truncate("text body is larger than the " + itoa(maxFormBody) + "-byte inspection limit")
		case !utf8.Valid(body):
			f.ambiguous("text body is not valid UTF-8")
		default:
			return requestBody{kind: bodyText, text: string(body)}
		}
	}
	return requestBody{kind: bodyOther}
}

func (f *Facts) jsonRead(v any, dups []any) requestBody {
	// A body that is one JSON string holding JSON (encoded twice, as some clients and
	// gateways do): the server that decodes it again runs the inner document, so that is the
	// body. Decoded at most maxJSONNest times; past that the body is truncated, not dropped.
	for n := 0; ; n++ {
		s, isStr := v.(string)
		if !isStr {
			break
		}
		t := strings.TrimSpace(s)
		if t == "" || (t[0] != '{' && t[0] != '[' && t[0] != '"') {
			break
		}
		if n >= maxJSONNest {
			f.truncate("JSON body encoded as a JSON string more than " + itoa(maxJSONNest) + " times")
			break
		}
		inner, innerDups, ok := decodeJSONAll([]byte(t))
		if !ok {
			break
		}
		v, dups = inner, append(dups, innerDups...)
	}
	if len(dups) > maxDuplicates {
		f.truncate("JSON body repeats keys more than " + itoa(maxDuplicates) + " times")
		dups = dups[:maxDuplicates]
	}
	return requestBody{kind: bodyJSON, json: v, dups: dups}
}

// readMultipart reads the fields of a multipart/form-data body; file parts that are text are
// fields too (an upload of a .sql or .sh file is what will run).
func (f *Facts) readMultipart(body []byte, contentType string) requestBody {
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil || params["boundary"] == "" {
		f.ambiguous("multipart body without a readable boundary")
		return requestBody{kind: bodyOther}
	}
	if len(body) > maxFormBody {
		f.truncate("multipart body is larger than the " + itoa(maxFormBody) + "-byte inspection limit")
		return requestBody{kind: bodyOther}
	}
	r := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	vals := url.Values{}
	binary := 0
	for n := 0; ; n++ {
		p, err := r.NextRawPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			f.ambiguous("multipart body does not parse")
			break
		}
		if n >= maxMultipartN {
			f.truncate("multipart body has more than " + itoa(maxMultipartN) + " parts")
			break
		}
		data, err := io.ReadAll(io.LimitReader(p, maxMultipartPart+1))
		if err != nil {
			f.ambiguous("a multipart part does not read")
			break
		}
		if len(data) > maxMultipartPart {
			f.truncate("a multipart part is larger than the inspection limit")
			continue
		}
		if !utf8.Valid(data) {
			binary++ // an upload: not text any command or statement is read from
			continue
		}
		name := p.FormName()
		if name == "" {
			name = "part"
		}
		vals[name] = append(vals[name], string(data))
	}
	return requestBody{kind: bodyMultipart, form: vals, binaryParts: binary}
}
