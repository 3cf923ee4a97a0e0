package mcpapi

import (
	"errors"
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, body string
		want       []Message
	}{
		{
			"tools/call", `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"execute_sql","arguments":{"query":"DROP TABLE users"}}}`,
			[]Message{{Method: "tools/call", ID: float64(7), Tool: "execute_sql", Arguments: map[string]any{"query": "DROP TABLE users"}}},
		},
		{
			"no arguments", `{"jsonrpc":"2.0","id":"a","method":"tools/call","params":{"name":"ping"}}`,
			[]Message{{Method: "tools/call", ID: "a", Tool: "ping"}},
		},
		{
			"other method", `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`,
			[]Message{{Method: "tools/list", ID: float64(1)}},
		},
		{
			"notification", `{"jsonrpc":"2.0","method":"notifications/initialized"}`,
			[]Message{{Method: "notifications/initialized"}},
		},
		{
			"response", `{"jsonrpc":"2.0","id":1,"result":{"content":[]}}`,
			[]Message{{ID: float64(1), Response: true}},
		},
		{
			"batch", `[{"jsonrpc":"2.0","id":1,"method":"tools/list"},{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"run_shell","arguments":{"command":"ls"}}}]`,
			[]Message{{Method: "tools/list", ID: float64(1)}, {Method: "tools/call", ID: float64(2), Tool: "run_shell", Arguments: map[string]any{"command": "ls"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestParseMalformed(t *testing.T) {
	for name, body := range map[string]string{
		"not json":          `{"jsonrpc":`,
		"wrong version":     `{"jsonrpc":"1.0","id":1,"method":"x"}`,
		"no version":        `{"id":1,"method":"tools/call","params":{"name":"x"}}`,
		"empty batch":       `[]`,
		"batch of numbers":  `[1,2]`,
		"bad member":        `[{"jsonrpc":"2.0","method":"x"},{"jsonrpc":"2.0"}]`,
		"call without name": `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"arguments":{}}}`,
		"args not object":   `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":"rm -rf /"}}`,
		"method not string": `{"jsonrpc":"2.0","id":1,"method":3}`,
		"object id":         `{"jsonrpc":"2.0","id":{},"method":"x"}`,
		"scalar":            `"tools/call"`,
	} {
		t.Run(name, func(t *testing.T) {
			if m, err := Parse([]byte(body)); !errors.Is(err, ErrNotJSONRPC) {
				t.Errorf("Parse(%s) = %v, %v; want ErrNotJSONRPC", body, m, err)
			}
		})
	}
}

func TestMapHasArguments(t *testing.T) {
	m := Message{Method: "tools/call", Tool: "x"}.Map()
	if args, ok := m["arguments"].(map[string]any); !ok || args == nil {
		t.Errorf("arguments = %#v, want an empty map", m["arguments"])
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"execute_sql","arguments":{"query":"DROP TABLE users"}}}`))
	f.Add([]byte(`[{"jsonrpc":"2.0","id":1,"method":"tools/list"},{"jsonrpc":"2.0","id":1,"result":{}}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		msgs, err := Parse(b)
		if err != nil {
			return
		}
		for _, m := range msgs {
			if m.Method == MethodToolsCall && m.Tool == "" {
				t.Fatal("tools/call accepted without a tool name")
			}
			_ = m.Map()
		}
	})
}
