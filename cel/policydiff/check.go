package policydiff

import (
	"strconv"

	"github.com/warden-gw/warden/cel/policy"
	"github.com/warden-gw/warden/cel/policycli"
	"github.com/warden-gw/warden/exchange"
)

// AddCheckLine takes one JSON line in the `warden check` input format and decides it with the
// base set (the old side) and the candidate (the new side), inspection included, exactly as
// `warden check` does. Such lines carry the whole request, so nothing is out of reach of the
// replay. lineNo names the line in the report. It returns the line's parse error, if any.
func (d *Differ) AddCheckLine(base *policy.Set, lineNo int, line []byte) error {
	xOld, err := policycli.ParseInput(line)
	if err != nil {
		d.res.Skipped[SkipUnreadable]++
		return err
	}
	xNew, _ := policycli.ParseInput(line) // the same bytes parse the same way
	withResp := xOld.Response.Status != 0
	policycli.Decide(d.ctx, base, xOld, withResp)
	policycli.Decide(d.ctx, d.ps, xNew, withResp)
	old, nw := verdictOf(xOld.Final()), verdictOf(xNew.Final())
	note := ""
	if !withResp && d.ps.HasPhase(exchange.PhaseResponse) {
		note = "the line has no response: response rules not replayed"
		d.res.ResponseNotReplayed++
	}
	d.tally(checkRecord(xOld, lineNo), old, nw, note)
	return nil
}

// checkRecord describes a check line for the report the way a record would.
func checkRecord(x *exchange.Exchange, lineNo int) *recorded {
	r := &recorded{}
	r.Metadata.CorrelationUID = "line " + strconv.Itoa(lineNo)
	r.HTTPRequest.Method = x.Request.Method
	host, port := x.Request.Authority, 0
	if h, p, ok := splitPort(host); ok {
		host, port = h, p
	}
	r.HTTPRequest.URL.Hostname, r.HTTPRequest.URL.Port = host, int64(port)
	path := x.Request.Path
	for i := 0; i < len(path); i++ {
		if path[i] == '?' {
			path = path[:i]
			break
		}
	}
	r.HTTPRequest.URL.Path = path
	r.Unmapped.Warden.Session = x.Identity.Session
	return r
}

func splitPort(authority string) (string, int, bool) {
	for i := len(authority) - 1; i >= 0; i-- {
		switch c := authority[i]; {
		case c == ':':
			p, err := strconv.Atoi(authority[i+1:])
			if err != nil || authority[i+1:] == "" {
				return "", 0, false
			}
			return authority[:i], p, true
		case c < '0' || c > '9':
			return "", 0, false
		}
	}
	return "", 0, false
}
