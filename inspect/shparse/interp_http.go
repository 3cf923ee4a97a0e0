package shparse

import (
	"strconv"
	"strings"
)

// HTTP requests sent from interpreter code: requests.delete(url), httpx.put(url, ...),
// requests.request("DELETE", url), axios.delete(url), fetch(url, {method: "DELETE"}). Like the
// requests of curl, they are recorded in Result.HTTP for inspect to judge as the request itself;
// a write whose URL is computed at run time cannot be judged and is flagged.

// httpClients are the receivers whose get/post/put/patch/delete methods send HTTP requests. The
// value says the name is an HTTP library's own (requests, axios); the others (client, session,
// api) are common variable names that other clients use too (a Redis client's delete(key)), so
// only a call with a literal http(s) URL counts for them.
var httpClients = map[string]bool{
	"requests": true, "httpx": true, "urllib3": true, "aiohttp": true, "axios": true, "got": true,
	"superagent": true, "ky": true, "$http": true,
	"session": false, "sess": false, "s": false, "client": false, "http": false, "api": false, "request": false,
}

// httpVerbs are the method names that send a request with that HTTP method.
var httpVerbs = map[string]string{
	"delete": "DELETE", "put": "PUT", "patch": "PATCH", "post": "POST",
	"del": "DELETE",
}

// codeHTTP recognises an HTTP call at toks[i] and records it. It returns the index after the
// call and whether it was one.
func (a *analyzer) codeHTTP(lang string, toks []codeTok, i int, via string) (int, bool) {
	if lang != "python" && lang != "node" {
		return i, false
	}
	name := toks[i].val
	method, urlArg := "", 0
	library, receiver := false, false
	if i >= 2 && toks[i-1].kind == tokPunct && toks[i-1].val == "." && toks[i-2].kind == tokIdent {
		library, receiver = httpClients[strings.ToLower(toks[i-2].val)]
	}
	switch {
	case receiver && httpVerbs[strings.ToLower(name)] != "":
		method = httpVerbs[strings.ToLower(name)]
	case receiver && name == "request":
		method, urlArg = "?", 1 // requests.request("DELETE", url)
	case name == "fetch" && lang == "node":
		method, library = "?", true
	default:
		return i, false
	}
	args, next, ok := callArgs(lang, toks, i+1)
	if !ok || len(args) <= urlArg {
		return i, false
	}
	if method == "?" {
		method = callMethod(args, urlArg)
		if method == "?" {
			if library {
				a.flag(via + ": " + name + "() sends an HTTP request whose method is computed at run time")
			}
			return next, true
		}
		if method == "" && urlArg == 0 && len(args) > 1 {
			// fetch(url, opts) whose options name no method where they are passed: they were
			// built elsewhere (`const opts = {method: 'DELETE'}`), so a write method the code
			// names anywhere may be theirs.
			method = methodInCode(toks)
		}
		if method == "" {
			return next, true // GET and other reads send nothing that destroys
		}
	}
	if method != "DELETE" && method != "PUT" && method != "PATCH" && method != "POST" {
		return next, true
	}
	u := args[urlArg]
	target, known := u.text, u.literal && strings.Contains(u.text, "://")
	if known && strings.Contains(target, dynMarker) {
		target, known = runtimeURL(target)
	}
	if !known {
		if method == "DELETE" && library && (!u.literal || strings.Contains(u.text, dynMarker)) {
			a.flag(via + ": " + name + "() sends an HTTP DELETE to a URL computed at run time")
		}
		return next, true
	}
	r := HTTPRequest{Tool: via, Method: method, URL: target}
	if len(a.res.HTTP) >= maxHTTPRequests {
		a.flag(via + ": more than " + strconv.Itoa(maxHTTPRequests) + " HTTP requests in one program cannot all be judged")
		return next, true
	}
	a.res.HTTP = append(a.res.HTTP, r)
	return next, true
}

// callMethod finds the HTTP method of requests.request("DELETE", url) (the argument before the
// URL) or fetch(url, {method: "DELETE"}) (a string literal among the options). "" means a read
// (or no method given, which is GET), "?" a method computed at run time.
func callMethod(args []codeArg, urlArg int) string {
	if urlArg > 0 {
		if !args[0].literal || strings.Contains(args[0].text, dynMarker) {
			return "?"
		}
		return strings.ToUpper(strings.TrimSpace(args[0].text))
	}
	for _, x := range args[urlArg+1:] {
		for _, t := range x.toks {
			if t.kind != tokStr {
				continue
			}
			switch m := strings.ToUpper(t.val); m {
			case "DELETE", "PUT", "PATCH", "POST":
				return m
			}
		}
	}
	return ""
}

// methodInCode returns the most destructive write method a string literal in the code names
// (DELETE before PUT, PATCH and POST), or "".
func methodInCode(toks []codeTok) string {
	best := ""
	for _, t := range toks {
		if t.kind != tokStr {
			continue
		}
		switch m := strings.ToUpper(t.val); m {
		case "DELETE":
			return m
		case "PUT", "PATCH", "POST":
			if best == "" {
				best = m
			}
		}
	}
	return best
}

// runtimePlaceholder stands for a path segment (or part of one) computed at run time in a URL
// judged by its shape.
const runtimePlaceholder = "RUNTIME_VALUE"

// runtimeURL returns a URL whose scheme, host and the segments that name what it addresses are
// literal, and only later parts are computed at run time (f"https://api.github.com/repos/{org}/{r}",
// `https://api.corp/v1/items/${id}`), with those parts as runtimePlaceholder: its shape says what
// it deletes. A URL whose host, or whose first path segment past the API prefix (api, v1, ...),
// is computed at run time is not known.
func runtimeURL(u string) (string, bool) {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok || strings.Contains(scheme, dynMarker) {
		return "", false
	}
	host, path, _ := strings.Cut(rest, "/")
	path, _, _ = strings.Cut(path, "?") // a query computed at run time does not change the path
	if host == "" || strings.Contains(host, dynMarker) {
		return "", false
	}
	named := false
	for _, seg := range strings.Split(path, "/") {
		if strings.Contains(seg, dynMarker) {
			break
		}
		named = named || seg != "" && !apiPrefixSegment(seg)
	}
	if !named {
		return "", false
	}
	return strings.ReplaceAll(u, dynMarker, runtimePlaceholder), true
}

// apiPrefixSegment reports whether a path segment is an API prefix or version (api, rest, v1,
// v2beta1), which says nothing about what the URL addresses.
func apiPrefixSegment(seg string) bool {
	s := strings.ToLower(seg)
	if s == "api" || s == "apis" || s == "rest" || s == "latest" {
		return true
	}
	return len(s) > 1 && s[0] == 'v' && s[1] >= '0' && s[1] <= '9'
}
