package cloudapi

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// maxXMLTokens bounds the tokens read from a REST-XML body.
const maxXMLTokens = 20000

// xmlRequest reads the body of an AWS REST-XML call (Route 53, CloudFront, S3 control): the
// action its root element names ("ChangeResourceRecordSetsRequest" is
// ChangeResourceRecordSets) and whether any change in it is a deletion (an <Action> element
// whose text is DELETE, as in a Route 53 change batch). ok is false when the body is not XML.
func xmlRequest(body []byte) (action string, deletes, ok bool) {
	t := bytes.TrimSpace(body)
	if len(t) == 0 || t[0] != '<' || len(body) > maxFormBody {
		return "", false, false
	}
	dec := xml.NewDecoder(bytes.NewReader(t))
	dec.Strict = false
	inAction := false
	for n := 0; n < maxXMLTokens; n++ {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return action, deletes, action != ""
		}
		if err != nil {
			return action, deletes, action != ""
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if action == "" {
				action = strings.TrimSuffix(e.Name.Local, "Request")
			}
			inAction = e.Name.Local == "Action"
		case xml.CharData:
			if inAction && strings.EqualFold(strings.TrimSpace(string(e)), "DELETE") {
				deletes = true
			}
		case xml.EndElement:
			inAction = false
		}
	}
	// Past the token bound: a deletion may lie beyond it, so the call is taken to delete.
	return action, true, action != ""
}
