package audit

import (
	"os"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// TestConfigFromDocs decodes the `audit:` example of docs/audit.md, so the documented YAML is
// what the code reads.
func TestConfigFromDocs(t *testing.T) {
	doc, err := os.ReadFile("../docs/audit.md")
	if err != nil {
		t.Fatal(err)
	}
	start := strings.Index(string(doc), "```yaml\naudit:")
	if start < 0 {
		t.Fatal("docs/audit.md has no yaml example for audit:")
	}
	body := string(doc[start+len("```yaml\n"):])
	body = body[:strings.Index(body, "```")]
	var v struct {
		Audit Config `yaml:"audit"`
	}
	dec := yaml.NewDecoder(strings.NewReader(body))
	dec.KnownFields(true)
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("documented config does not decode: %v", err)
	}
	c := v.Audit
	if c.Mode != DefaultMode || c.OnFull != OnFullFail || c.Checkpoint.Interval != 10*time.Second ||
		c.Checkpoint.Every != 1000 || c.Kafka == nil || len(c.Kafka.Brokers) != 2 || c.Kafka.RetryMax != 10*time.Second ||
		c.SegmentBytes != 64<<20 || c.MaxBytes != 1<<30 {
		t.Fatalf("decoded %+v", c)
	}
	if err := c.withDefaults().validate(); err != nil {
		t.Fatalf("documented config is invalid: %v", err)
	}
}
