package redact_test

import (
	"testing"

	"github.com/warden-gw/warden/redact"
)

// TestStreamedProseAboutAKeyIsNotHeld: an event whose text mentions a key in a sentence ("Here
// is the key. ") cannot start a table's header, so it reaches the agent at once instead of
// waiting for the next event (the table-column rule used to hold every such event back).
func TestStreamedProseAboutAKeyIsNotHeld(t *testing.T) {
	releasedAtOnce(t, engine(t), []string{
		"Here is the key. ", "You asked for the API key. Rotate it. ", "That token. ", "and publishes an image when they pass. ",
		// No sentence's end yet, but the words around the keyword follow '!', '?' or ':', where
		// no header cell, SQL column list or HTML cell opens.
		"Done: the key is ", "OK! The key was ", "Done: the token expired ", "Right? The password changed ", "Yes: auth works ",
	})
}

// releasedAtOnce streams each text as one Chat Completions event and wants the whole event
// released by the write that brought it (nothing held back for the next event).
func releasedAtOnce(t *testing.T, eng *redact.Engine, texts []string) {
	t.Helper()
	for _, txt := range texts {
		s := eng.NewStream(redact.KindSSE, redact.StreamOptions{})
		ev := `data: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"` + txt + `"}}]}` + "\n\n"
		out, err := s.Write([]byte(ev))
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != ev {
			t.Errorf("%q: released %q, want the whole event at once", txt, out)
		}
	}
}
