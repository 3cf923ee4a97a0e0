package redact

import "bytes"

// PagerDuty integration keys as they travel escaped (pagerduty-integration-key in
// rules_paired.go reads the plain assignment): the Events API's `routing_key` (v2) and
// `service_key` (v1) are 32-character keys that let anyone who holds them
// open incidents on the service. The names are shared with keys that are not
// credentials (a message broker's routing key), so the rule needs PagerDuty
// named near the key — Alertmanager's `pagerduty_configs`, a
// `events.pagerduty.com` URL — and the key's shape. The value is read through
// one level of JSON escaping (`\"routing_key\": \"V\"` in a log line).
// A PagerDuty `incident_key` or `dedup_key` only groups events and stays.

const (
	pagerDutyKeyMaxLen  = 64
	pagerDutyNameWindow = 400 // bytes either side where PagerDuty must be named
)

func pagerDutyRules() []*rule {
	return []*rule{
		custom("pagerduty-key-near-name", Secret, pagerDutyKeyMaxLen, matchPagerDutyKey,
			"routing_key", "routingkey", "routing-key", "service_key", "servicekey", "integration_key"),
	}
}

// matchPagerDutyKey reads the 32-character key after the name at b[ks:ke]
// when PagerDuty is named within pagerDutyNameWindow bytes.
func matchPagerDutyKey(_ *rule, b []byte, ks, ke int) (int, int, int) {
	if ks > 0 && isWordByte(b[ks-1]) && b[ks-1] != '_' || ke < len(b) && isWordByte(b[ke]) {
		return -1, -1, -1
	}
	i := ke
	for k := 0; i < len(b) && k < 8 && bytes.IndexByte([]byte(` \"':=`+"\t"), b[i]) >= 0; k++ {
		i++
	}
	if i+33 > len(b) {
		return -1, -1, pendIfNear(b, ks, pagerDutyKeyMaxLen)
	}
	e := i
	for e < len(b) && e-i <= 32 && (isLetter(b[e]) || b[e] >= '0' && b[e] <= '9') {
		e++
	}
	if e-i != 32 || isPlaceholder(b[i:e]) || shannon(b[i:e]) < 3 {
		return -1, -1, -1
	}
	lo, hi := max(0, ks-pagerDutyNameWindow), min(len(b), e+pagerDutyNameWindow)
	if !bytes.Contains(bytes.ToLower(b[lo:hi]), []byte("pagerduty")) {
		return -1, -1, -1
	}
	return i, e, -1
}
