package shparse

import "testing"

func TestANSICEscapes(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"hex", `\x72\x6d`, "rm"},
		{"hex one digit", `\x9`, "\t"},
		{"hex without digits stays", `\xg`, `\xg`},
		{"octal", `\162\155`, "rm"},
		{"octal keeps low 8 bits", `\777`, "\xff"},
		{"octal stops after three digits", `\1011`, "A1"},
		{"unicode", `\u00e9`, "é"},
		{"long unicode", `\U0001F600`, "\U0001F600"},
		{"surrogate dropped", `a\ud800b`, "ab"},
		{"beyond unicode dropped", `a\UFFFFFFFFb`, "ab"},
		{"control", `\cA`, "\x01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ansiC(tt.in); got != tt.want {
				t.Errorf("ansiC(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
