package approval

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/warden-gw/warden/exchange"
)

// Authenticator verifies an approver's OIDC bearer token; identity.Verifier implements it.
type Authenticator interface {
	AuthenticateBearer(ctx context.Context, token string) (exchange.Identity, error)
}

// maxDecisionBody bounds the JSON body of approve/deny.
const maxDecisionBody = 8 << 10

// DecisionBody is the optional JSON body of POST /approvals/{id}/approve|deny.
type DecisionBody struct {
	Note string `json:"note"`
}

// apiError is the JSON body of every error answer.
type apiError struct {
	Error  string `json:"error"`
	Reason string `json:"reason"`
}

// Handler serves the approval API for warden's admin listener. Mount it at "/approvals" and
// "/approvals/":
//
//	GET  /approvals               pending requests
//	GET  /approvals/{id}          one request
//	POST /approvals/{id}/approve  {"note": "..."} (body optional)
//	POST /approvals/{id}/deny     {"note": "..."}
//
// Every call needs Authorization: Bearer <OIDC token> of a member of an approver group (or, under
// `warden dev`, the dev approver token). auth may be nil when only the dev approver is enabled.
func (s *Service) Handler(auth Authenticator) http.Handler {
	if s.cfg.DevApprover {
		auth = devAuthenticator{token: s.cfg.DevApproverToken, group: s.cfg.ApproverGroups[0], next: auth}
	}
	if auth == nil {
		auth = devAuthenticator{} // no token matches: every call is refused
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /approvals", s.authed(auth, func(w http.ResponseWriter, r *http.Request, _ exchange.Identity) {
		pending := s.Pending()
		if pending == nil {
			pending = []Approval{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"approvals": pending})
	}))
	mux.HandleFunc("GET /approvals/{id}", s.authed(auth, func(w http.ResponseWriter, r *http.Request, _ exchange.Identity) {
		a, ok := s.Get(r.PathValue("id"))
		if !ok {
			writeJSON(w, http.StatusNotFound, apiError{Error: "not_found", Reason: ErrNotFound.Error()})
			return
		}
		writeJSON(w, http.StatusOK, a)
	}))
	decide := func(approve bool) http.HandlerFunc {
		return s.authed(auth, func(w http.ResponseWriter, r *http.Request, who exchange.Identity) {
			var body DecisionBody
			raw, err := io.ReadAll(io.LimitReader(r.Body, maxDecisionBody+1))
			if err != nil || len(raw) > maxDecisionBody {
				writeJSON(w, http.StatusBadRequest, apiError{Error: "bad_request", Reason: "body unreadable or over 8 KiB"})
				return
			}
			if len(strings.TrimSpace(string(raw))) > 0 {
				if err := json.Unmarshal(raw, &body); err != nil {
					writeJSON(w, http.StatusBadRequest, apiError{Error: "bad_request", Reason: `body must be JSON like {"note": "why"}`})
					return
				}
			}
			id := r.PathValue("id")
			if err := s.Decide(r.Context(), id, who, approve, body.Note); err != nil {
				status, code := errorStatus(err)
				reason := err.Error()
				if status >= 500 {
					// Store and internal errors carry client internals (broker addresses); the
					// log has them, the answer says what happened.
					reason = "the decision was not recorded: " + code + "; retry later"
					if status == http.StatusInternalServerError {
						s.log.Error("approval decision failed", "id", clip(id, 128), "err", err)
					}
				}
				writeJSON(w, status, apiError{Error: code, Reason: reason})
				return
			}
			a, _ := s.Get(id)
			writeJSON(w, http.StatusOK, a)
		})
	}
	mux.HandleFunc("POST /approvals/{id}/approve", decide(true))
	mux.HandleFunc("POST /approvals/{id}/deny", decide(false))
	return mux
}

// authed authenticates the bearer token and checks approver group membership before h runs.
func (s *Service) authed(auth Authenticator, h func(http.ResponseWriter, *http.Request, exchange.Identity)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := bearerToken(r.Header.Get("Authorization"))
		if !ok {
			if r.Method == http.MethodPost {
				s.events(r.Context(), Event{
					Kind: EventRefused, Approval: Approval{ID: clip(r.PathValue("id"), 128)},
					Error: "unauthenticated: no bearer token",
				})
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="warden-approvals"`)
			writeJSON(w, http.StatusUnauthorized, apiError{Error: "unauthenticated", Reason: "send Authorization: Bearer <OIDC token>"})
			return
		}
		who, err := auth.AuthenticateBearer(r.Context(), tok)
		if err != nil {
			if r.Method == http.MethodPost { // an unauthenticated decision attempt is audited
				s.events(r.Context(), Event{
					Kind: EventRefused, Approval: Approval{ID: clip(r.PathValue("id"), 128)},
					Error: "unauthenticated: " + safeReason(err),
				})
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="warden-approvals", error="invalid_token"`)
			writeJSON(w, http.StatusUnauthorized, apiError{Error: "unauthenticated", Reason: "bearer token refused: " + safeReason(err)})
			return
		}
		if !slices.ContainsFunc(who.Groups, func(g string) bool { return slices.Contains(s.cfg.ApproverGroups, g) }) {
			if r.Method == http.MethodPost { // audit refused decision attempts, not reads
				_ = s.Decide(r.Context(), r.PathValue("id"), who, false, "")
			}
			writeJSON(w, http.StatusForbidden, apiError{Error: "forbidden", Reason: who.Subject + " is not in an approver group"})
			return
		}
		h(w, r, who)
	}
}

// safeReason returns the Reason of an error that has one (identity.Error), else a fixed text.
func safeReason(err error) string {
	var r interface{ SafeReason() string }
	if errors.As(err, &r) {
		return r.SafeReason()
	}
	return "invalid or expired token"
}

func bearerToken(v string) (string, bool) {
	const p = "bearer "
	if len(v) > len(p) && strings.EqualFold(v[:len(p)], p) {
		t := strings.TrimSpace(v[len(p):])
		return t, t != ""
	}
	return "", false
}

func errorStatus(err error) (int, string) {
	switch {
	case errors.Is(err, ErrNotFound):
		return http.StatusNotFound, "not_found"
	case errors.Is(err, ErrExpired):
		return http.StatusGone, "expired"
	case errors.Is(err, ErrAlreadyDecided):
		return http.StatusConflict, "already_decided"
	case errors.Is(err, ErrForbidden):
		return http.StatusForbidden, "forbidden"
	case errors.Is(err, ErrSelfApproval):
		return http.StatusForbidden, "self_approval"
	case errors.Is(err, ErrConflict):
		return http.StatusConflict, "conflict"
	case errors.Is(err, ErrStoreUnavailable), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, "store_unavailable"
	}
	return http.StatusInternalServerError, "internal"
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
