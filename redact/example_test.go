package redact_test

import (
	"fmt"

	"github.com/warden-gw/warden/redact"
)

func ExampleEngine_Redact() {
	eng, err := redact.New(redact.Config{})
	if err != nil {
		panic(err)
	}
	out, findings := eng.Redact([]byte("DATABASE_URL=postgres://app:Xk2pLm9QwZ@db:5432/orders owner=ops@example.com\n"), redact.Options{})
	fmt.Print(string(out))
	for _, f := range findings {
		fmt.Println(f.Rule, f.Class, f.Start, f.End)
	}
	// Output:
	// DATABASE_URL=postgres://app:[REDACTED:url-password]@db:5432/orders owner=[REDACTED:email]
	// url-password secret 28 38
	// email email 60 75
}

func ExampleEngine_NewStream() {
	eng, err := redact.New(redact.Config{})
	if err != nil {
		panic(err)
	}
	s := eng.NewStream(redact.KindText, redact.StreamOptions{Options: redact.Options{Disable: redact.PII}})
	// A secret split across chunks is held back, never emitted in part.
	for _, chunk := range []string{"key: sk-ant-api03-", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "AA end\n"} {
		out, _ := s.Write([]byte(chunk))
		fmt.Printf("%q\n", out)
	}
	out, _ := s.Close()
	fmt.Printf("%q\n", out)
	byClass, _ := s.Counts()
	fmt.Println(byClass)
	// Output:
	// "key: "
	// ""
	// "[REDACTED:anthropic-apikey] end\n"
	// ""
	// map[secret:1]
}
