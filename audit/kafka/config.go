// Package kafka ships the audit spool to a Kafka topic with segmentio/kafka-go and reads it back
// for the audit CLIs. Every message carries CloudEvents binary-mode ce_* headers; the shipper
// advances its persisted spool position only after the broker acknowledged with acks=all.
package kafka

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/warden-gw/warden/internal/kafkaconn"
)

// Config is the `audit.kafka` section of warden's configuration.
type Config struct {
	// Brokers, client_id (default warden-audit), tls and sasl: the same keys as approval.kafka.
	kafkaconn.Settings `yaml:",inline"`
	Topic              string `yaml:"topic"`
	// BatchSize and BatchBytes bound one produce request; BatchTimeout is how long a partial
	// batch waits for more messages.
	BatchSize    int           `yaml:"batch_size"`
	BatchBytes   int64         `yaml:"batch_bytes"`
	BatchTimeout time.Duration `yaml:"batch_timeout"`
	// MaxInFlight is how many batches may be outstanding at once (default 8); each is split by
	// partition and sent with one produce call per partition, one call at a time per partition,
	// so a session (key) stays ordered. Memory held: about (MaxInFlight + 4) × BatchBytes.
	MaxInFlight int `yaml:"max_in_flight"`
	// Compression of produced batches: none (default), gzip, snappy, lz4 or zstd. Consumers
	// decompress transparently; audit JSON compresses several times over.
	Compression string `yaml:"compression"`
	// MaxMessageBytes must not exceed the topic's max.message.bytes; larger records are shrunk
	// (see audit.ShrinkForKafka), never dropped.
	MaxMessageBytes int `yaml:"max_message_bytes"`
	// Source is the CloudEvents ce_source; default "urn:warden:audit:<chain id>".
	Source string `yaml:"source"`
	// RetryMin and RetryMax bound the backoff between failed produce attempts.
	RetryMin time.Duration `yaml:"retry_min"`
	RetryMax time.Duration `yaml:"retry_max"`
	// WriteTimeout bounds one produce attempt.
	WriteTimeout time.Duration `yaml:"write_timeout"`
}

// Enabled reports whether Kafka shipping is configured.
func (c *Config) Enabled() bool { return c != nil && len(c.Brokers) > 0 }

// WithDefaults fills unset fields.
func (c Config) WithDefaults() Config {
	if c.Topic == "" {
		c.Topic = "warden.audit"
	}
	if c.ClientID == "" {
		c.ClientID = "warden-audit"
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 1000
	}
	if c.MaxInFlight <= 0 {
		c.MaxInFlight = 8
	}
	if c.MaxMessageBytes <= 0 {
		c.MaxMessageBytes = 1000000
	}
	if c.BatchBytes < int64(c.MaxMessageBytes) {
		c.BatchBytes = int64(c.MaxMessageBytes)
	}
	if c.BatchTimeout <= 0 {
		c.BatchTimeout = 5 * time.Millisecond
	}
	if c.RetryMin <= 0 {
		c.RetryMin = 100 * time.Millisecond
	}
	if c.RetryMax <= 0 {
		c.RetryMax = 10 * time.Second
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 10 * time.Second
	}
	return c
}

// connect resolves the connection settings (certificates, SASL password).
func (c Config) connect(defaultClientID string) (kafkaconn.Conn, error) {
	return c.Connect("audit.kafka", defaultClientID)
}

// Validate reports configuration mistakes.
func (c Config) Validate() error {
	if len(c.Brokers) == 0 {
		return errors.New("audit.kafka.brokers is empty: list at least one host:port or remove the kafka section")
	}
	if c.SASL != nil && !slices.Contains(kafkaconn.Mechanisms, strings.ToUpper(c.SASL.Mechanism)) {
		return fmt.Errorf("audit.kafka.sasl.mechanism %q is not supported: use one of %s", c.SASL.Mechanism, strings.Join(kafkaconn.Mechanisms, ", "))
	}
	if _, err := c.codec(); err != nil {
		return err
	}
	if c.MaxMessageBytes < 4096 {
		return fmt.Errorf("audit.kafka.max_message_bytes %d is too small: use at least 4096", c.MaxMessageBytes)
	}
	return nil
}

// codec maps Compression to kafka-go's codec (0: none).
func (c Config) codec() (kafkago.Compression, error) {
	switch strings.ToLower(c.Compression) {
	case "", "none":
		return 0, nil
	case "gzip":
		return kafkago.Gzip, nil
	case "snappy":
		return kafkago.Snappy, nil
	case "lz4":
		return kafkago.Lz4, nil
	case "zstd":
		return kafkago.Zstd, nil
	}
	return 0, fmt.Errorf("audit.kafka.compression %q: use none, gzip, snappy, lz4 or zstd", c.Compression)
}
