package policy

import (
	"net/url"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"

	"github.com/warden-gw/warden/inspect"
	"github.com/warden-gw/warden/inspect/shparse"
	"github.com/warden-gw/warden/inspect/sqlparse"
)

// The functions warden adds to CEL. Each is backed by the same parser the inspection stage
// uses, so a rule that parses a field itself sees exactly what `actions` would show.
const (
	fnSQL   = "sql"   // sql(string) -> map: sqlparse.Result.Map()
	fnShell = "shell" // shell(string) or shell(list(string)) argv -> map: shparse.Result.Map()
	fnK8s   = "k8s"   // k8s(method, path) -> map: k8sapi.Request.Map() (inspect.KubernetesPath: decoded, mounted prefixes), {} if none
	fnGlob  = "glob"  // glob(string, pattern) -> bool: '*' matches any run, '?' one character
)

func library() []cel.EnvOption {
	dyn := cel.DynType
	str := cel.StringType
	return []cel.EnvOption{
		cel.Function(fnSQL,
			cel.Overload("sql_string", []*cel.Type{str}, dyn,
				cel.UnaryBinding(func(v ref.Val) ref.Val {
					return mapVal(sqlparse.Analyze(string(v.(types.String))).Map())
				}))),
		cel.Function(fnShell,
			cel.Overload("shell_string", []*cel.Type{str}, dyn,
				cel.UnaryBinding(func(v ref.Val) ref.Val {
					return mapVal(shparse.Analyze(string(v.(types.String))).Map())
				})),
			cel.Overload("shell_list", []*cel.Type{cel.ListType(dyn)}, dyn,
				cel.UnaryBinding(shellArgv))),
		cel.Function(fnK8s,
			cel.Overload("k8s_string_string", []*cel.Type{str, str}, dyn,
				cel.BinaryBinding(func(m, p ref.Val) ref.Val {
					r, ok := inspect.KubernetesPath(string(m.(types.String)), string(p.(types.String)))
					if !ok {
						return mapVal(map[string]any{})
					}
					return mapVal(r.Map())
				}))),
		cel.Function(fnGlob,
			cel.Overload("glob_string_string", []*cel.Type{str, str}, cel.BoolType,
				cel.BinaryBinding(func(s, p ref.Val) ref.Val {
					return types.Bool(Glob(string(s.(types.String)), string(p.(types.String))))
				}))),
	}
}

// shellArgv analyses a list of strings as an argv (exec without a shell).
func shellArgv(v ref.Val) ref.Val {
	l, ok := v.(traits.Lister)
	if !ok {
		return types.NewErr("shell: argument is not a list")
	}
	n := int(l.Size().(types.Int))
	argv := make([]string, 0, n)
	for i := 0; i < n; i++ {
		s, ok := l.Get(types.Int(i)).(types.String)
		if !ok {
			return types.NewErr("shell: argv element %d is not a string", i)
		}
		argv = append(argv, string(s))
	}
	return mapVal(shparse.AnalyzeArgv(argv).Map())
}

func mapVal(m map[string]any) ref.Val {
	return types.DefaultTypeAdapter.NativeToValue(m)
}

// Glob reports whether s matches pattern, where '*' matches any run of characters (slashes
// included) and '?' exactly one; every other character matches itself. It runs in
// O(len(s)*len(pattern)) at worst, never exponentially.
func Glob(s, pattern string) bool {
	var si, pi int
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(pattern) && (pattern[pi] == '?' || pattern[pi] == s[si]):
			si++
			pi++
		case pi < len(pattern) && pattern[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(pattern) && pattern[pi] == '*' {
		pi++
	}
	return pi == len(pattern)
}

// actualCost charges warden's functions at run time in proportion to the text they parse.
type actualCost struct{}

func (actualCost) CallCost(function, _ string, args []ref.Val, _ ref.Val) *uint64 {
	switch function {
	case fnSQL, fnShell, fnK8s, fnGlob:
	default:
		return nil // before n is declared: n escapes, so declaring it allocates
	}
	var n uint64
	for _, a := range args {
		switch v := a.(type) {
		case types.String:
			n += uint64(len(v))
		case traits.Sizer:
			if sz, ok := v.Size().(types.Int); ok && sz > 0 {
				n += uint64(sz) * 16
			}
		}
	}
	if function == fnK8s || function == fnGlob {
		n /= 10
	}
	n++
	return &n
}

// queryValues converts url.Values to the CEL shape map(string, list(string)).
func queryValues(v url.Values) map[string]any {
	out := make(map[string]any, len(v))
	for k, vals := range v {
		l := make([]any, len(vals))
		for i, s := range vals {
			l[i] = s
		}
		out[k] = l
	}
	return out
}

// hostPort splits an authority into a lower-case host and a port ("" when absent).
func hostPort(authority string) (string, string) {
	h := strings.ToLower(authority)
	if strings.HasPrefix(h, "[") {
		if i := strings.Index(h, "]"); i >= 0 {
			host, rest := h[:i+1], h[i+1:]
			return host, strings.TrimPrefix(rest, ":")
		}
		return h, ""
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		return h[:i], h[i+1:]
	}
	return h, ""
}
