package inspect

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// maxXMLTokens bounds the tokens read from one XML body.
const maxXMLTokens = 50000

// isXMLType reports the media types that carry XML (SOAP, REST-XML APIs).
func isXMLType(mt string) bool {
	return mt == "application/xml" || mt == "text/xml" || strings.HasSuffix(mt, "+xml")
}

// xmlNode is an element being built: its children by name and its text.
type xmlNode struct {
	name     string
	children map[string]any
	text     strings.Builder
}

// readXML decodes an XML body into the values a JSON body gives (an element with children is
// an object of them, a repeated child a list, attributes "@name" keys, text a string), so that
// every string in it is judged as a JSON body's would be. A body that does not parse is
// ambiguous; past maxXMLTokens, the body bound or the depth bound it is truncated.
func (f *Facts) readXML(body []byte) requestBody {
	if len(body) > maxFormBody {
		f.truncate("XML body is larger than the " + itoa(maxFormBody) + "-byte inspection limit")
		return requestBody{kind: bodyOther}
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = false
	root := &xmlNode{children: map[string]any{}}
	stack := []*xmlNode{root}
	for n := 0; ; n++ {
		if n >= maxXMLTokens {
			f.truncate("XML body has more than " + itoa(maxXMLTokens) + " tokens")
			break
		}
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			f.ambiguous("request body is declared XML but does not parse")
			break
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if len(stack) > maxDepth {
				f.truncate("XML nested deeper than " + itoa(maxDepth) + " levels")
				return xmlResult(root)
			}
			el := &xmlNode{name: e.Name.Local, children: map[string]any{}}
			for _, a := range e.Attr {
				el.children["@"+a.Name.Local] = a.Value
			}
			stack = append(stack, el)
		case xml.CharData:
			stack[len(stack)-1].text.Write(e)
		case xml.EndElement:
			if len(stack) < 2 {
				continue
			}
			el := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			addXMLChild(stack[len(stack)-1], el.name, el.value())
		}
	}
	return xmlResult(root)
}

func xmlResult(root *xmlNode) requestBody {
	if len(root.children) == 0 {
		return requestBody{kind: bodyOther}
	}
	return requestBody{kind: bodyYAML, json: root.children}
}

// value is an element as a JSON value: its text when it has no children or attributes.
func (n *xmlNode) value() any {
	t := strings.TrimSpace(n.text.String())
	if len(n.children) == 0 {
		return t
	}
	if t != "" {
		n.children["#text"] = t
	}
	return n.children
}

func addXMLChild(parent *xmlNode, name string, v any) {
	switch old := parent.children[name].(type) {
	case nil:
		parent.children[name] = v
	case []any:
		parent.children[name] = append(old, v)
	default:
		parent.children[name] = []any{old, v}
	}
}
