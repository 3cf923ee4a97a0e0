package approval

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// WebhookConfig posts a Slack-compatible message ({"text", "blocks"}) for each new request. The
// URL often embeds a token (Slack incoming webhooks do), so it is never logged.
type WebhookConfig struct {
	URL     string        `yaml:"url"`
	Timeout time.Duration `yaml:"timeout"` // default 5s
	// AdminURL, when set, is shown to approvers as where the admin API is.
	AdminURL string `yaml:"admin_url"`
}

func (w WebhookConfig) validate() error {
	if w.URL == "" {
		return nil
	}
	u, err := url.Parse(w.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("approval.webhook.url: not an http(s) URL")
	}
	return nil
}

// slackMessage is the payload Slack incoming webhooks (and compatible receivers) accept.
type slackMessage struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

type slackBlock struct {
	Type     string      `json:"type"`
	Text     *slackText  `json:"text,omitempty"`
	Fields   []slackText `json:"fields,omitempty"`
	Elements []slackText `json:"elements,omitempty"`
}

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// slackEscape escapes the three characters Slack's mrkdwn treats as control characters.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// message renders an approval request for approvers.
func (w WebhookConfig) message(a Approval) slackMessage {
	who := a.Requester.Agent
	if who == "" {
		who = a.Requester.Subject
	}
	if who == "" {
		who = "an anonymous caller"
	}
	if a.Requester.OnBehalfOf != "" {
		who += " on behalf of " + a.Requester.OnBehalfOf
	}
	action := fmt.Sprintf("%s %s%s", a.Action.Method, a.Action.Host, a.Action.Path)
	text := fmt.Sprintf("Approval needed: %s wants %s (rule %s)", who, action, a.Action.Rule)
	fields := []slackText{
		{Type: "mrkdwn", Text: "*Who*\n" + slackEscape(who)},
		{Type: "mrkdwn", Text: "*Action*\n`" + slackEscape(action) + "`"},
		{Type: "mrkdwn", Text: "*Rule*\n" + slackEscape(a.Action.Policy+"/"+a.Action.Rule)},
		{Type: "mrkdwn", Text: "*Expires*\n" + a.Expires.UTC().Format(time.RFC3339)},
	}
	blocks := []slackBlock{
		{Type: "section", Text: &slackText{Type: "mrkdwn", Text: "*Approval needed* `" + a.ID + "`"}},
		{Type: "section", Fields: fields},
	}
	if a.Action.Reason != "" {
		blocks = append(blocks, slackBlock{Type: "section", Text: &slackText{Type: "mrkdwn", Text: "*Reason*\n" + slackEscape(a.Action.Reason)}})
	}
	if len(a.Action.ToolCalls) > 0 {
		blocks = append(blocks, slackBlock{Type: "section", Text: &slackText{
			Type: "mrkdwn",
			Text: "*Tool calls*\n```" + slackEscape(clip(strings.Join(a.Action.ToolCalls, "\n"), 2800)) + "```",
		}})
	}
	how := fmt.Sprintf("`warden approve %s` or `warden deny %s`", a.ID, a.ID)
	if w.AdminURL != "" {
		how += " (admin API " + slackEscape(w.AdminURL) + ")"
	}
	blocks = append(blocks, slackBlock{Type: "context", Elements: []slackText{{Type: "mrkdwn", Text: how}}})
	return slackMessage{Text: slackEscape(text), Blocks: blocks}
}

// notify posts the request to the webhook in the background; failures are logged, not fatal:
// approvers can still list pending requests.
func (s *Service) notify(a Approval) {
	if s.cfg.Webhook.URL == "" {
		return
	}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		if err := s.post(a); err != nil {
			s.log.Warn("approval webhook failed", "id", a.ID, "err", err)
		}
	}()
}

func (s *Service) post(a Approval) error {
	body, err := json.Marshal(s.cfg.Webhook.message(a))
	if err != nil {
		return err
	}
	var last error
	for attempt := 0; attempt < 2; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), s.client.Timeout+time.Second)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.Webhook.URL, bytes.NewReader(body))
		if err != nil {
			cancel()
			return errors.New("build webhook request (check approval.webhook.url)")
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := s.client.Do(req)
		cancel()
		if err != nil {
			// *url.Error quotes the URL, which may hold a token: report only the cause.
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			last = fmt.Errorf("post to webhook: %w", err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode/100 == 2 {
			return nil
		}
		last = fmt.Errorf("webhook answered %d", resp.StatusCode)
		if resp.StatusCode/100 == 4 && resp.StatusCode != http.StatusTooManyRequests {
			break
		}
	}
	return last
}
