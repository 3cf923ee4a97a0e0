package redact_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/warden-gw/warden/redact"
	"github.com/warden-gw/warden/redact/redacttest"
)

func TestEveryRuleFindsItsRealisticSample(t *testing.T) {
	eng := engine(t)
	secretRules := 0
	for _, ri := range eng.Rules() {
		if ri.Class == redact.Secret {
			secretRules++
		}
	}
	if secretRules < 220 {
		t.Fatalf("only %d secret rules, want >= 220", secretRules)
	}
	for _, sm := range samples(t) {
		t.Run(sm.Rule, func(t *testing.T) {
			out, findings := eng.Redact([]byte(sm.Line), redact.Options{})
			if strings.Contains(string(out), sm.Secret) || len(findings) == 0 {
				t.Fatalf("%q -> %q", sm.Line, out)
			}
			enc, _ := json.Marshal(findings)
			if bytes.Contains(enc, []byte(sm.Secret)) {
				t.Fatal("a finding carries the secret")
			}
		})
	}
}

func TestPIIFormats(t *testing.T) {
	eng := engine(t)
	rnd := rand.New(rand.NewPCG(1, 2))
	card := redacttest.CardNumber(rnd, "5500", 16)
	spaced := card[:4] + " " + card[4:8] + " " + card[8:12] + " " + card[12:]
	iban := redacttest.IBANNumber(rnd)
	ibanSpaced := iban[:4] + " " + iban[4:8] + " " + iban[8:12] + " " + iban[12:16] + " " + iban[16:20] + " " + iban[20:]
	tests := []struct {
		line, value, rule string
	}{
		{"call me at +44 20 7946 0958 tomorrow", "+44 20 7946 0958", "phone-number"},
		{"office: (415) 555-0142.", "(415) 555-0142", "phone-number"},
		{"cell 415-555-0199, thanks", "415-555-0199", "phone-number"},
		{"card " + spaced + " exp 01/30", spaced, "credit-card"},
		{"amex 3782-822463-10005 ok", "3782-822463-10005", "credit-card"},
		{"IBAN: " + ibanSpaced + ".", ibanSpaced, "iban"},
		{"ssn=123-45-6789;", "123-45-6789", "us-ssn"},
		{"Reply to Jane.Doe+ops@mail.example.co.uk please", "Jane.Doe+ops@mail.example.co.uk", "email"},
	}
	for _, tt := range tests {
		t.Run(tt.rule+" "+tt.value, func(t *testing.T) {
			fs := eng.Scan([]byte(tt.line), redact.Options{})
			i := strings.Index(tt.line, tt.value)
			if len(fs) != 1 || fs[0].Rule != tt.rule || fs[0].Start != i || fs[0].End != i+len(tt.value) {
				t.Fatalf("findings %+v, want %s at [%d,%d)", fs, tt.rule, i, i+len(tt.value))
			}
		})
	}
}

func TestChecksumsRejectLookalikes(t *testing.T) {
	eng := engine(t)
	rnd := rand.New(rand.NewPCG(3, 4))
	gh := redacttest.GitHubToken(rnd, "ghp_")
	flip := byte('A')
	if gh[len(gh)-1] == 'A' {
		flip = 'B'
	}
	badGH := gh[:len(gh)-1] + string(flip)
	card := redacttest.CardNumber(rnd, "4", 16)
	badCard := card[:15] + string('0'+(card[15]-'0'+1)%10)
	iban := redacttest.IBANNumber(rnd)
	badIBAN := iban[:10] + string('0'+(iban[10]-'0'+1)%10) + iban[11:]
	tests := []struct{ name, good, bad string }{
		{"github crc32", "GH=" + gh, "GH=" + badGH},
		{"luhn", "card " + card + " ", "card " + badCard + " "},
		{"iban mod-97", "iban " + iban + " ", "iban " + badIBAN + " "},
		{"ssn never-issued area", "ssn 123-45-6789 ", "ssn 666-45-6789 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(eng.Scan([]byte(tt.good), redact.Options{})) != 1 {
				t.Fatalf("valid value not found: %s", tt.good)
			}
			if fs := eng.Scan([]byte(tt.bad), redact.Options{}); len(fs) != 0 {
				t.Fatalf("invalid value found: %s -> %+v", tt.bad, fs)
			}
		})
	}
}

func TestBenignSourceHasNoFindings(t *testing.T) {
	eng := engine(t)
	benign := []string{
		`key := strings.ToLower(name)`,
		`password := r.FormValue("password")`,
		`token = os.Getenv("GITHUB_TOKEN")`,
		`api_key: ${API_KEY}`,
		`secret_key = settings.SECRET_KEY`,
		`if tokenType == "Bearer" { return nil }`,
		`commit 3f786850e387550fdab836ed7e6dc881de23001b`,
		`id := "123e4567-e89b-12d3-a456-426614174000"`,
		`listen on 192.168.100.200:8080 since 2024-01-15`,
		`See https://pkg.go.dev/net/http#Client for the Authorization header.`,
		`passwordHash := sha256.Sum256(pw)`,
		`const maxTokens = 4096 // 1234567890`,
		`auth: {type: "oauth2", scopes: ["read", "write"]}`,
		`postgres://user:password@localhost:5432/app`,
	}
	for _, line := range benign {
		t.Run(line, func(t *testing.T) {
			if fs := eng.Scan([]byte(line), redact.Options{Disable: redact.Email}); len(fs) != 0 {
				t.Fatalf("false positive: %+v", fs)
			}
		})
	}
}

func TestReplacementKeepsLinesAndFormat(t *testing.T) {
	eng := engine(t)
	var pem redacttest.Sample
	for _, sm := range samples(t) {
		if sm.Rule == "private-key" {
			pem = sm
		}
	}
	in := []byte("a\n" + pem.Line + "b\n")
	out, fs := eng.Redact(in, redact.Options{})
	if bytes.Count(out, []byte("\n")) != bytes.Count(in, []byte("\n")) {
		t.Fatalf("newline count changed:\n%s", out)
	}
	if !bytes.Contains(out, []byte("[REDACTED:private-key]")) || len(fs) != 1 || fs[0].Tag != "" {
		t.Fatalf("out %q findings %+v", out, fs)
	}
}

func TestHMACTagMode(t *testing.T) {
	key := []byte("audit-key-for-tests")
	eng, err := redact.New(redact.Config{HMACKey: key})
	if err != nil {
		t.Fatal(err)
	}
	secret := "Sup3r-S3cret-Pa55"
	out, fs := eng.Redact([]byte("password: "+secret+"\n"), redact.Options{})
	m := hmac.New(sha256.New, key)
	m.Write([]byte(secret))
	want := hex.EncodeToString(m.Sum(nil))[:8]
	if string(out) != "password: [REDACTED:generic-password:"+want+"]\n" || len(fs) != 1 || fs[0].Tag != want {
		t.Fatalf("out %q findings %+v, want tag %s", out, fs, want)
	}
	if eng.Tag([]byte(secret)) != want || eng.Tag([]byte(secret+"x")) == want {
		t.Fatal("Tag does not let an auditor check a known value")
	}
}

func TestClassesSwitchable(t *testing.T) {
	eng := engine(t)
	line := []byte("mail ops@example.com key AKIAIOSFODNN7EXAMPL3 ")
	tests := []struct {
		disable redact.Class
		want    []string
	}{
		{0, []string{"email", "aws-access-token"}},
		{redact.PII, []string{"aws-access-token"}},
		{redact.Secret, []string{"email"}},
	}
	for _, tt := range tests {
		t.Run(tt.disable.String(), func(t *testing.T) {
			var got []string
			for _, f := range eng.Scan(line, redact.Options{Disable: tt.disable}) {
				got = append(got, f.Rule)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("got %v want %v", got, tt.want)
			}
		})
	}
	if c, err := redact.ParseClass("pii, secret"); err != nil || c != redact.PII|redact.Secret {
		t.Fatalf("ParseClass = %v %v", c, err)
	}
	if _, err := redact.ParseClass("passwords"); err == nil {
		t.Fatal("unknown class accepted")
	}
}

func TestExactValues(t *testing.T) {
	eng, err := redact.New(redact.Config{Exact: [][]byte{[]byte("engine-wide-Xy12")}})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := eng.Redact([]byte("a engine-wide-Xy12 b call-only-Qz34 c"), redact.Options{Exact: [][]byte{[]byte("call-only-Qz34"), []byte("ab")}})
	if string(out) != "a [REDACTED:exact-value] b [REDACTED:exact-value] c" {
		t.Fatalf("got %q", out)
	}
}
