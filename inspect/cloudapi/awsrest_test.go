package cloudapi

import (
	"fmt"
	"testing"

	"github.com/warden-gw/warden/exchange"
)

const route53Body = `<?xml version="1.0" encoding="UTF-8"?><ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Changes><Change><Action>%s</Action><ResourceRecordSet><Name>acme.com.</Name><Type>A</Type></ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`

// TestRoute53ChangeBatch: a REST-XML change batch that deletes a record is a destroy call; one
// that upserts is not.
func TestRoute53ChangeBatch(t *testing.T) {
	for action, want := range map[string]bool{"DELETE": true, "UPSERT": false, "CREATE": false} {
		r := &exchange.Request{
			Method: "POST", Authority: "route53.amazonaws.com", Path: "/2013-04-01/hostedzone/Z1/rrset/",
			Headers: exchange.Headers{{Key: "content-type", Value: "application/xml"}},
			Body:    []byte(fmt.Sprintf(route53Body, action)),
		}
		c, ok := AWS(r)
		if !ok || c.Action != "ChangeResourceRecordSets" || c.Destructive != want {
			t.Errorf("%s: got ok=%v %+v, want ChangeResourceRecordSets destructive=%v", action, ok, c, want)
		}
	}
}

// FuzzXMLRequest: any body is read without panicking; an action is named only from XML.
func FuzzXMLRequest(f *testing.F) {
	f.Add([]byte(fmt.Sprintf(route53Body, "DELETE")))
	f.Add([]byte(`<a><Action>DELETE`))
	f.Add([]byte(`{"Action": "DELETE"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		action, _, ok := xmlRequest(body)
		if ok && action == "" {
			t.Fatal("ok without an action")
		}
	})
}
