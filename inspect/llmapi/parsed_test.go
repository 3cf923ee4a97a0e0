package llmapi

import (
	"reflect"
	"testing"

	"github.com/warden-gw/warden/exchange"
)

// checkParsedResponse fails when ParseParsedResponse reads a body and its calls differ from
// ParseResponse's, or ParseResponse reports an error for it.
func checkParsedResponse(t *testing.T, body []byte) bool {
	t.Helper()
	j, parsed := exchange.ParseJSON(body)
	if !parsed {
		return false
	}
	got, ok := ParseParsedResponse(APIChatCompletions, j)
	if !ok {
		return false
	}
	want, err := ParseResponse(APIChatCompletions, body)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("ParseParsedResponse = %#v\nParseResponse = %#v, %v\nbody %s", got, want, err, body)
	}
	return true
}

var parsedResponseSeeds = []string{
	`{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi","tool_calls":[{"id":"call_1","type":"function","function":{"name":"run_sql","arguments":"{\"query\":\"DROP TABLE t\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":5}}`,
	`{"choices":[{"index":0,"message":{"content":"plain"}},{"index":1,"message":null,"delta":{"tool_calls":[{"index":0}]}}]}`,
	`{"model":"llama3","message":{"role":"assistant","tool_calls":[{"function":{"name":"shell","arguments":{"cmd":"rm -rf /"}}}]}}`,
	`{"choices":[{"message":{"function_call":{"name":"f","arguments":"{}"},"tool_calls":[{"type":"custom","custom":{"name":"c","input":"x\ud800\u00e9"}}]}}]}`,
	"{\"choices\":[{\"message\":{\"tool_calls\":[{\"id\":\"a\xffb\",\"function\":{\"arguments\":null}}]}}]}",
	`{"Choices":[]}`, `{"choices":[],"choices":[]}`, `{"choices":[{"index":1.5}]}`, `{"choices":"x"}`,
	`{"choices":null,"message":null}`, `{"choices":[null]}`, `{"choices":[{"message":{"function_call":{}}}]}`,
	"{\"\u212aey\":1,\"choices\":[]}", `{"choices":[{"index":99999999999999999999}]}`,
}

func TestParsedResponseMatchesParseResponse(t *testing.T) {
	read := 0
	for _, s := range parsedResponseSeeds {
		if checkParsedResponse(t, []byte(s)) {
			read++
		}
	}
	if read < 5 {
		t.Fatalf("only %d of the seeds were read from the parsed body", read)
	}
}

// FuzzParsedResponse holds the tool calls read from the pipeline's shared reading of a
// response to ParseResponse's on the same bytes.
func FuzzParsedResponse(f *testing.F) {
	for _, s := range parsedResponseSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkParsedResponse(t, body) })
}
