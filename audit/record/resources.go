package record

import "strings"

// Resource is the OCSF resource_details object: something an action touched (a table, a
// Kubernetes object, a bucket, a repository), so that an auditor can ask what data an agent
// touched. Fields are declared sorted by JSON name (see Record).
type Resource struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// maxResources bounds the resources of one record (a statement naming more tables is rare; the
// decision input still carries every one).
const maxResources = 64

// resourcesOf lists the resources the inspected actions of an exchange name, from the facts of
// its decision input (nil without one): SQL tables, Kubernetes objects, AWS services (by
// region), GitHub repositories, other REST resources. Each appears once, at most maxResources.
// Live facts (Build) are read as their copy (inputOf) would be.
func resourcesOf(in *DecisionInput) []Resource {
	if in == nil {
		return nil
	}
	fr := factsReader{live: in.live != nil}
	actions := fr.list(in.facts()["actions"])
	var out []Resource
	var seen map[Resource]bool
	add := func(typ, name string) {
		name = strings.TrimSpace(name)
		r := Resource{Name: name, Type: typ}
		if name == "" || seen[r] || len(out) >= maxResources {
			return
		}
		if seen == nil {
			seen = map[Resource]bool{}
		}
		seen[r] = true
		out = append(out, r)
	}
	for _, a := range actions {
		m := fr.obj(a)
		kind := fr.str(m, "kind")
		sub := fr.obj(m[kind])
		switch kind {
		case "sql":
			for _, s := range fr.list(sub["statements"]) {
				for _, t := range fr.list(fr.obj(s)["tables"]) {
					add("table", fr.text(t))
				}
			}
		case "k8s":
			res := fr.str(sub, "resource")
			if res == "" {
				continue
			}
			name := fr.str(sub, "name")
			if ns := fr.str(sub, "namespace"); ns != "" {
				name = ns + "/" + name
			}
			if name == "" || strings.HasSuffix(name, "/") {
				name += "*"
			}
			add("kubernetes/"+res, name)
		case "aws":
			// Inspection names the service and region of an AWS call, not yet its resource
			// (an S3 bucket): the record says which service in which region was touched.
			if svc := fr.str(sub, "service"); svc != "" {
				add("aws/"+svc, orStar(fr.str(sub, "region")))
			}
		case "github":
			if o, r := fr.str(sub, "owner"), fr.str(sub, "repo"); o != "" || r != "" {
				add("github/repository", o+"/"+r)
			}
		case "rest":
			if p := fr.str(sub, "provider"); p != "" {
				add(p+"/"+orStar(fr.str(sub, "service")), orStar(fr.str(sub, "resource")))
			}
		}
	}
	return out
}

// factsReader reads the decision input's facts; live facts (the CEL variables themselves) are
// read as copier would have copied them: other list and map types converted, long strings cut.
type factsReader struct{ live bool }

func (fr factsReader) norm(v any) any {
	if !fr.live {
		return v
	}
	switch v.(type) {
	case nil, string, bool, int64, float64, []any, map[string]any:
		return v
	}
	c := copier{}
	return c.value(v)
}

func (fr factsReader) list(v any) []any {
	l, _ := fr.norm(v).([]any)
	return l
}

func (fr factsReader) obj(v any) map[string]any {
	m, _ := fr.norm(v).(map[string]any)
	return m
}

func (fr factsReader) text(v any) string {
	s, _ := v.(string)
	if fr.live && len(s) > maxInputText {
		s = capText(s, maxInputText)
	}
	return s
}

func (fr factsReader) str(m map[string]any, k string) string { return fr.text(m[k]) }

func orStar(s string) string {
	if s == "" {
		return "*"
	}
	return s
}

// writeResources encodes the resources canonically (the member's value).
func writeResources(w *jsonWriter, rs []Resource) {
	w.b = append(w.b, '[')
	for i, r := range rs {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.open()
		w.str("name", r.Name)
		w.str("type", r.Type)
		w.close()
	}
	w.b = append(w.b, ']')
}
