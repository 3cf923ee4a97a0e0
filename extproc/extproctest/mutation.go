package extproctest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	mutationrulesv3 "github.com/envoyproxy/go-control-plane/envoy/config/common/mutation_rules/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
)

// checkOp and checkResult mirror mutation_rules.h.
type checkOp int

const (
	opSet checkOp = iota
	opAppend
	opRemove
)

type checkResult int

const (
	checkOK checkResult = iota
	checkIgnore
	checkFail
)

// mutationError is a rejected mutation. Its text is Envoy's own status
// message, which becomes the local reply's details.
type mutationError struct{ msg string }

func (e *mutationError) Error() string { return e.msg }

func mutErr(format string, args ...any) error {
	return &mutationError{msg: fmt.Sprintf(format, args...)}
}

// checker mirrors Envoy's MutationRules::Checker (mutation_rules.cc).
type checker struct {
	allowRouting, allowEnvoy, disallowSystem, disallowAll, disallowIsError bool
	allowExpr, disallowExpr                                                *regexp.Regexp
}

func newChecker(r *mutationrulesv3.HeaderMutationRules) (*checker, error) {
	c := &checker{
		allowRouting:    r.GetAllowAllRouting().GetValue(),
		allowEnvoy:      r.GetAllowEnvoy().GetValue(),
		disallowSystem:  r.GetDisallowSystem().GetValue(),
		disallowAll:     r.GetDisallowAll().GetValue(),
		disallowIsError: r.GetDisallowIsError().GetValue(),
	}
	var err error
	if e := r.GetAllowExpression(); e != nil {
		if c.allowExpr, err = fullMatch(e.GetRegex()); err != nil {
			return nil, err
		}
	}
	if e := r.GetDisallowExpression(); e != nil {
		if c.disallowExpr, err = fullMatch(e.GetRegex()); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *checker) check(op checkOp, name, value string) checkResult {
	if c.allowed(op, name) && (op == opRemove || validValue(name, value)) {
		return checkOK
	}
	if c.disallowIsError {
		return checkFail
	}
	return checkIgnore
}

func (c *checker) allowed(op checkOp, name string) bool {
	if op == opRemove && (strings.HasPrefix(name, ":") || name == "host") {
		return false // never removable, whatever the rules say
	}
	if c.disallowExpr != nil && c.disallowExpr.MatchString(name) {
		return false
	}
	if c.allowExpr != nil && c.allowExpr.MatchString(name) {
		return true
	}
	if c.disallowAll {
		return false
	}
	if !c.allowRouting && (name == "host" || name == ":authority" || name == ":method" || name == ":scheme") {
		return false
	}
	if strings.HasPrefix(name, ":") && (op == opAppend || c.disallowSystem) {
		return false
	}
	if !c.allowEnvoy && strings.HasPrefix(name, "x-envoy") {
		return false
	}
	return true
}

// validValue mirrors MutationRules::Checker::isValidValue (mutation_rules.cc): ordinary
// headers must pass HeaderUtility::headerValueIsValid, host and :authority
// HeaderUtility::authorityIsValid (nghttp2_check_authority), :scheme
// Http::Utility::schemeIsValid (http or https, any case) and :status a number
// of at least 200.
func validValue(name, value string) bool {
	if !strings.HasPrefix(name, ":") && !headerValueValid(value) {
		return false
	}
	switch name {
	case ":scheme":
		return strings.EqualFold(value, "http") || strings.EqualFold(value, "https")
	case ":status":
		n, err := strconv.Atoi(value)
		return err == nil && n >= 200
	case "host", ":authority":
		return authorityValid(value)
	}
	return true
}

// authorityValid is nghttp2_check_authority, which HeaderUtility::authorityIsValid
// calls: every byte is an RFC 3986 unreserved or sub-delims character, ':',
// '@', '[', ']' or '%'. Space, '/', '?', '#', control and non-ASCII bytes are
// refused; an empty value passes.
func authorityValid(v string) bool {
	for i := 0; i < len(v); i++ {
		b := v[i]
		switch {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9':
		case strings.IndexByte("-._~!$&'()*+,;=:@[]%", b) >= 0:
		default:
			return false
		}
	}
	return true
}

// headerNameValid follows the HTTP/2 rules Envoy applies: an optional leading
// ':' then RFC 9110 token characters.
func headerNameValid(name string) bool {
	n := strings.TrimPrefix(name, ":")
	if n == "" {
		return false
	}
	for i := 0; i < len(n); i++ {
		if !isTokenChar(n[i]) {
			return false
		}
	}
	return true
}

func isTokenChar(b byte) bool {
	if b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", b) >= 0
}

// headerValueValid is HeaderUtility::headerValueIsValid (header_utility.cc),
// which calls nghttp2_check_header_value (oghttp2's IsValidHeaderValue with
// obs-text allowed in later versions): tab, visible ASCII, space and bytes
// 0x80-0xFF pass; every other control character (0x00-0x08, 0x0A-0x1F) and
// DEL (0x7F) is refused, not only NUL, CR and LF.
func headerValueValid(v string) bool {
	for i := 0; i < len(v); i++ {
		if b := v[i]; (b < 0x20 && b != '\t') || b == 0x7f {
			return false
		}
	}
	return true
}

// applyHeaderMutation mirrors MutationUtils::applyHeaderMutations: removals
// first, then sets; an invalid or (with disallow_is_error) forbidden mutation
// fails the whole message; limits are checked before and after. dropLength is
// ProcessorState::shouldRemoveContentLength() for the direction's current body
// mode, which processHeaderMutation passes as remove_content_length: a
// content-length set is then skipped silently (a removal still applies).
func applyHeaderMutation(m *extprocv3.HeaderMutation, h *Headers, replacing, dropLength bool, c *checker) error {
	if m == nil {
		return nil
	}
	if len(m.GetRemoveHeaders()) > defaultMaxHeaders || len(m.GetSetHeaders()) > defaultMaxHeaders {
		return mutErr("Header mutation remove header count %d or set header count %d exceed the HCM header countlimit %d",
			len(m.GetRemoveHeaders()), len(m.GetSetHeaders()), defaultMaxHeaders)
	}
	for _, name := range m.GetRemoveHeaders() {
		if !headerNameValid(name) {
			return mutErr("Invalid character in remove_headers mutation.")
		}
		name = strings.ToLower(name)
		switch c.check(opRemove, name, "") {
		case checkOK:
			h.Del(name)
		case checkFail:
			return mutErr("Invalid attempt to remove %s", name)
		case checkIgnore:
		}
	}
	for _, sh := range m.GetSetHeaders() {
		if dropLength && strings.EqualFold(sh.GetHeader().GetKey(), "content-length") {
			continue
		}
		if err := applySetHeader(sh, h, replacing, c); err != nil {
			return err
		}
	}
	if len(*h) > defaultMaxHeaders || h.byteSize() > defaultMaxHeaderKB*1024 {
		return mutErr("Header mutation causes end result header count %d or header size %d bytes, exceeding the count limit %d or the size limit %d kilobytes",
			len(*h), h.byteSize(), defaultMaxHeaders, defaultMaxHeaderKB)
	}
	return nil
}

// applySetHeader is one set_headers entry of MutationUtils::applyHeaderMutations.
// Envoy reads only the deprecated `append` BoolValue (default false: overwrite);
// append_action is not consulted by ext_proc's mutation code.
func applySetHeader(sh *corev3.HeaderValueOption, h *Headers, replacing bool, c *checker) error {
	hv := sh.GetHeader()
	if hv == nil {
		return nil
	}
	if hv.GetValue() != "" && len(hv.GetRawValue()) > 0 {
		return mutErr("Only one of value or raw_value in the HeaderValue message should be set.")
	}
	// Envoy reads raw_value only (runtime send_header_raw_value, on by default).
	value := string(hv.GetRawValue())
	if !headerNameValid(hv.GetKey()) || !headerValueValid(value) {
		return mutErr("Invalid character in set_headers mutation.")
	}
	name := strings.ToLower(hv.GetKey())
	_, exists := h.Get(name)
	appendMode := sh.GetAppend().GetValue() //nolint:staticcheck // the field Envoy's ext_proc reads
	op := opSet
	if appendMode && exists {
		op = opAppend
	}
	res := c.check(op, name, value)
	if replacing && name == ":method" {
		res = checkOK // CONTINUE_AND_REPLACE may change :method, for compatibility
	}
	switch res {
	case checkOK:
		if appendMode {
			h.Add(name, value)
		} else {
			h.Set(name, value)
		}
	case checkFail:
		return mutErr("Invalid attempt to modify %s", name)
	case checkIgnore:
	}
	return nil
}

// applyBodyMutation mirrors MutationUtils::applyBodyMutations.
func applyBodyMutation(m *extprocv3.BodyMutation, body []byte) []byte {
	switch mm := m.GetMutation().(type) {
	case *extprocv3.BodyMutation_Body:
		return append([]byte(nil), mm.Body...)
	case *extprocv3.BodyMutation_ClearBody:
		if mm.ClearBody {
			return nil
		}
	}
	return body
}
