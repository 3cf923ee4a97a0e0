package record

// MapStrings replaces every string of r — every string field, slice element, map key and
// value, through every pointer — with f of it, in place. It is how audit.Log passes a record
// through the redactor: the same walk redact.Fields does by reflection, written out because the
// reflection walk cost more than building the record. TestMapStringsReachesEveryString fills
// every string reflection can reach and fails when a field added later is not walked here.
func (r *Record) MapStrings(f func(string) string) {
	m := mapper(f)
	m.str(&r.ActivityName)
	r.Actor.mapStrings(m)
	r.API.mapStrings(m)
	m.str(&r.CategoryName)
	m.str(&r.ClassName)
	m.str(&r.Disposition)
	if e := r.DstEndpoint; e != nil {
		e.mapStrings(m)
	}
	r.HTTPRequest.mapStrings(m)
	if h := r.HTTPResponse; h != nil {
		m.str(&h.ContentType)
		m.headers(h.HTTPHeaders)
	}
	m.str(&r.Message)
	r.Metadata.mapStrings(m)
	m.str(&r.Severity)
	r.SrcEndpoint.mapStrings(m)
	m.str(&r.Status)
	m.str(&r.StatusCode)
	m.str(&r.StatusDetail)
	m.str(&r.TypeName)
	r.Unmapped.Warden.mapStrings(m)
	if in := r.Unmapped.Integrity; in != nil {
		m.str(&in.ChainID)
		m.str(&in.PrevHash)
		m.str(&in.ContentHash)
		m.str(&in.Hash)
	}
}

// mapper applies f to strings in place; empty strings are left alone (as redact.Fields does).
type mapper func(string) string

func (m mapper) str(s *string) {
	if *s != "" {
		*s = m(*s)
	}
}

func (m mapper) strs(ss []string) {
	for i := range ss {
		m.str(&ss[i])
	}
}

func (m mapper) headers(hs []HTTPHeader) {
	for i := range hs {
		m.str(&hs[i].Name)
		m.str(&hs[i].Value)
	}
}

// mapKeys returns mp with f applied to its keys (a new map only when a key changed).
func mapKeys[V any](m mapper, mp map[string]V) map[string]V {
	changed := false
	for k := range mp {
		if k != "" && m(k) != k {
			changed = true
			break
		}
	}
	if !changed {
		return mp
	}
	out := make(map[string]V, len(mp))
	for k, v := range mp {
		nk := k
		m.str(&nk)
		out[nk] = v
	}
	return out
}

func (a *Actor) mapStrings(m mapper) {
	m.str(&a.AppName)
	m.str(&a.AppUID)
	if s := a.Session; s != nil {
		m.str(&s.Issuer)
		m.str(&s.UID)
	}
	if u := a.User; u != nil {
		for i := range u.Groups {
			m.str(&u.Groups[i].Name)
		}
		m.str(&u.Name)
		m.str(&u.UID)
	}
}

func (a *API) mapStrings(m mapper) {
	m.str(&a.Operation)
	m.str(&a.Request.UID)
	if r := a.Response; r != nil {
		m.str(&r.Error)
		m.str(&r.Message)
	}
	if s := a.Service; s != nil {
		m.str(&s.Name)
	}
}

func (e *Endpoint) mapStrings(m mapper) {
	m.str(&e.Hostname)
	m.str(&e.IP)
	m.str(&e.Name)
}

func (h *HTTPRequest) mapStrings(m mapper) {
	m.headers(h.HTTPHeaders)
	m.str(&h.HTTPMethod)
	m.str(&h.UID)
	m.str(&h.URL.Hostname)
	m.str(&h.URL.Path)
	m.str(&h.URL.QueryString)
	m.str(&h.URL.Scheme)
	m.str(&h.URL.URLString)
	m.str(&h.UserAgent)
}

func (md *Metadata) mapStrings(m mapper) {
	m.str(&md.CorrelationUID)
	m.str(&md.LogName)
	m.str(&md.Product.Name)
	m.str(&md.Product.VendorName)
	m.str(&md.Product.Version)
	m.strs(md.Profiles)
	m.str(&md.UID)
	m.str(&md.Version)
}

func (wd *Warden) mapStrings(m mapper) {
	m.str(&wd.Agent)
	m.str(&wd.ApprovalID)
	m.str(&wd.AuthMethod)
	for i := range wd.Credentials {
		m.str(&wd.Credentials[i].LeaseID)
		m.str(&wd.Credentials[i].Role)
	}
	if d := wd.Decision; d != nil {
		d.mapStrings(m)
	}
	for i := range wd.Decisions {
		wd.Decisions[i].mapStrings(m)
	}
	m.str(&wd.Disposition)
	m.str(&wd.Error)
	m.str(&wd.ErrorCode)
	m.str(&wd.Event)
	m.str(&wd.Issuer)
	if mk := wd.Marker; mk != nil {
		m.str(&mk.Kind)
	}
	m.str(&wd.OnBehalfOf)
	wd.Redactions = mapKeys(m, wd.Redactions)
	m.str(&wd.Session)
	stage := string(wd.Stage)
	m.str(&stage)
	wd.Stage = Stage(stage)
	m.str(&wd.Subject)
	wd.TimingsMS = mapKeys(m, wd.TimingsMS)
	for i := range wd.ToolCalls {
		t := &wd.ToolCalls[i]
		m.str(&t.Kind)
		m.str(&t.Name)
		m.str(&t.Source)
		m.str(&t.Text)
	}
	if t := wd.Truncated; t != nil {
		m.strs(t.Removed)
	}
}

func (d *Decision) mapStrings(m mapper) {
	m.str(&d.Action)
	m.str(&d.ApprovalID)
	m.str(&d.Phase)
	m.str(&d.Policy)
	m.str(&d.PolicyVersion)
	m.str(&d.Reason)
	m.str(&d.Rule)
	for i := range d.Shadowed {
		d.Shadowed[i].mapStrings(m)
	}
}
