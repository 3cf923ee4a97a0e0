package shparse

import (
	"strings"
	"testing"
)

// TestPathologicalInputsBounded feeds inputs built to blow up naive analysers (quadratic walks,
// exponential brace expansion, deep nesting) and checks that Analyze returns within its limits.
func TestPathologicalInputsBounded(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		wantErr  bool // a limit must be reported in ParseError
		maxCmds  int
		destruct bool
	}{
		{"long pipeline", strings.Repeat("ls | ", 12000) + "ls", true, maxCommands, false},
		{"long and-list", strings.Repeat("ls && ", 10000) + "ls", true, maxCommands, false},
		{"nested command substitution", strings.Repeat("$(", 10000) + "ls" + strings.Repeat(")", 10000), true, maxCommands, false},
		{"nested parentheses", strings.Repeat("(", 20000) + "ls" + strings.Repeat(")", 20000), false, maxCommands, false},
		{"brace bomb", "echo " + strings.Repeat("{a,b}", 5000), false, 1, false},
		{"numeric brace bomb", "echo {1..100000}{1..100000}", false, 1, false},
		{"variable doubling", strings.Repeat("X=$X$X;", 30) + "$X", false, 1, false},
		{"alias loop", "alias a='b'; alias b='a'; a", false, 10, false},
		{"deep bash -c", strings.Repeat("bash -c ", 8000) + "ls", false, maxCommands, false},
		{"deep eval", "eval " + strings.Repeat("eval ", 20) + "rm -rf /", false, maxCommands, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Analyze(tt.src)
			if tt.wantErr && r.ParseError == "" {
				t.Errorf("no limit reported; %d commands", len(r.Commands))
			}
			if len(r.Commands) > tt.maxCmds {
				t.Errorf("%d commands, want at most %d", len(r.Commands), tt.maxCmds)
			}
			for _, c := range r.Commands {
				if strings.Contains(tt.name, "brace") && len(c.Argv) > maxBraceWords+1 {
					t.Errorf("command with %d words: brace expansion not bounded", len(c.Argv))
				}
			}
			if r.Destructive != tt.destruct {
				t.Errorf("destructive = %v (%q), want %v", r.Destructive, r.Reasons, tt.destruct)
			}
		})
	}
}
