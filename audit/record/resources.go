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
func resourcesOf(in *DecisionInput) []Resource {
	if in == nil {
		return nil
	}
	actions, _ := in.Facts["actions"].([]any)
	var out []Resource
	seen := map[Resource]bool{}
	add := func(typ, name string) {
		name = strings.TrimSpace(name)
		r := Resource{Name: name, Type: typ}
		if name == "" || seen[r] || len(out) >= maxResources {
			return
		}
		seen[r] = true
		out = append(out, r)
	}
	for _, a := range actions {
		m, _ := a.(map[string]any)
		kind, _ := m["kind"].(string)
		sub, _ := m[kind].(map[string]any)
		switch kind {
		case "sql":
			stmts, _ := sub["statements"].([]any)
			for _, s := range stmts {
				sm, _ := s.(map[string]any)
				tables, _ := sm["tables"].([]any)
				for _, t := range tables {
					name, _ := t.(string)
					add("table", name)
				}
			}
		case "k8s":
			res, _ := sub["resource"].(string)
			if res == "" {
				continue
			}
			name := str(sub, "name")
			if ns := str(sub, "namespace"); ns != "" {
				name = ns + "/" + name
			}
			if name == "" || strings.HasSuffix(name, "/") {
				name += "*"
			}
			add("kubernetes/"+res, name)
		case "aws":
			// Inspection names the service and region of an AWS call, not yet its resource
			// (an S3 bucket): the record says which service in which region was touched.
			if svc := str(sub, "service"); svc != "" {
				add("aws/"+svc, orStar(str(sub, "region")))
			}
		case "github":
			if o, r := str(sub, "owner"), str(sub, "repo"); o != "" || r != "" {
				add("github/repository", o+"/"+r)
			}
		case "rest":
			if p := str(sub, "provider"); p != "" {
				add(p+"/"+orStar(str(sub, "service")), orStar(str(sub, "resource")))
			}
		}
	}
	return out
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func orStar(s string) string {
	if s == "" {
		return "*"
	}
	return s
}

// writeResources encodes the resources canonically.
func writeResources(w *jsonWriter, rs []Resource) {
	if len(rs) == 0 {
		return
	}
	w.key("resources")
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
