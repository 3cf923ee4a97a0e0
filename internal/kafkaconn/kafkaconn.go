// Package kafkaconn is how warden connects to Kafka, for every use it has of it (the audit
// shipper and CLIs, the shared approval store): the brokers, TLS (optionally mutual), SASL
// (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) and reading a topic's partition ranges. One setup, so
// that what one user of Kafka supports the others do too.
package kafkaconn

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
	"github.com/segmentio/kafka-go/sasl/scram"
)

// Settings are the connection part of a Kafka section of warden's configuration; a section
// embeds them inline (`yaml:",inline"`) beside its own settings (topic, timeouts).
type Settings struct {
	Brokers  []string `yaml:"brokers"`
	ClientID string   `yaml:"client_id"`
	TLS      *TLS     `yaml:"tls"`
	SASL     *SASL    `yaml:"sasl"`
}

// TLS configures TLS to the brokers.
type TLS struct {
	CAFile     string `yaml:"ca_file"`     // PEM CA bundle; empty: the system roots
	CertFile   string `yaml:"cert_file"`   // client certificate, for mutual TLS
	KeyFile    string `yaml:"key_file"`    // its key
	ServerName string `yaml:"server_name"` // overrides the name checked in the broker's certificate
}

// SASL configures SASL authentication. The password is read from a file, never from YAML.
type SASL struct {
	Mechanism    string `yaml:"mechanism"` // PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512
	Username     string `yaml:"username"`
	PasswordFile string `yaml:"password_file"`
}

// Mechanisms lists the SASL mechanisms warden supports, as configured.
var Mechanisms = []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}

// ErrTopicNotFound is returned by Partitions when the brokers do not know the topic.
var ErrTopicNotFound = errors.New("topic not found")

// Conn is a resolved connection: certificates loaded, password read. Safe to share.
type Conn struct {
	Brokers  []string
	ClientID string
	tls      *tls.Config
	sasl     sasl.Mechanism
}

// dialTimeout bounds one TCP+TLS+SASL connection attempt.
const dialTimeout = 5 * time.Second

// Connect resolves s. section names the configuration section in errors ("audit.kafka");
// clientID is used when s sets none.
func (s Settings) Connect(section, clientID string) (Conn, error) {
	c := Conn{Brokers: s.Brokers, ClientID: s.ClientID}
	if c.ClientID == "" {
		c.ClientID = clientID
	}
	if len(s.Brokers) == 0 {
		return c, fmt.Errorf("%s.brokers is empty: list at least one host:port", section)
	}
	if t := s.TLS; t != nil {
		tc, err := t.config(section)
		if err != nil {
			return c, err
		}
		c.tls = tc
	}
	if s.SASL != nil {
		m, err := s.SASL.mechanism(section)
		if err != nil {
			return c, err
		}
		c.sasl = m
	}
	return c, nil
}

func (t TLS) config(section string) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.ServerName}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("%s.tls.ca_file: %w", section, err)
		}
		tc.RootCAs = x509.NewCertPool()
		if !tc.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s.tls.ca_file %s holds no PEM certificate", section, t.CAFile)
		}
	}
	if t.CertFile != "" || t.KeyFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("%s.tls cert_file/key_file: %w", section, err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

func (s SASL) mechanism(section string) (sasl.Mechanism, error) {
	if s.Username == "" || s.PasswordFile == "" {
		return nil, fmt.Errorf("%s.sasl: set username and password_file", section)
	}
	pw, err := os.ReadFile(s.PasswordFile)
	if err != nil {
		return nil, fmt.Errorf("%s.sasl.password_file: %w", section, err)
	}
	password := strings.TrimRight(string(pw), "\r\n")
	switch strings.ToUpper(s.Mechanism) {
	case "PLAIN":
		return plain.Mechanism{Username: s.Username, Password: password}, nil
	case "SCRAM-SHA-256", "SCRAM-SHA-512":
		algo := scram.SHA256
		if strings.EqualFold(s.Mechanism, "SCRAM-SHA-512") {
			algo = scram.SHA512
		}
		m, err := scram.Mechanism(algo, s.Username, password)
		if err != nil {
			return nil, fmt.Errorf("%s.sasl: %w", section, err)
		}
		return m, nil
	}
	return nil, fmt.Errorf("%s.sasl.mechanism %q is not supported: use one of %s", section, s.Mechanism, strings.Join(Mechanisms, ", "))
}

// Transport is for kafka-go's Writer and Client.
func (c Conn) Transport() *kafkago.Transport {
	return &kafkago.Transport{ClientID: c.ClientID, TLS: c.tls, SASL: c.sasl, DialTimeout: dialTimeout}
}

// Dialer is for kafka-go's Reader.
func (c Conn) Dialer() *kafkago.Dialer {
	return &kafkago.Dialer{ClientID: c.ClientID, TLS: c.tls, SASLMechanism: c.sasl, Timeout: dialTimeout}
}

// Client is a metadata/offsets client whose requests each take at most timeout.
func (c Conn) Client(timeout time.Duration) *kafkago.Client {
	return &kafkago.Client{Addr: kafkago.TCP(c.Brokers...), Transport: c.Transport(), Timeout: timeout}
}

// PartitionRange is one partition's offsets: [First, Last) holds its messages.
type PartitionRange struct {
	ID          int
	First, Last int64
}

// Partitions reads the topic's partitions and their first and next offsets, sorted by
// partition. A topic the brokers do not know gives an error wrapping ErrTopicNotFound.
func (c Conn) Partitions(ctx context.Context, cl *kafkago.Client, topic string) ([]PartitionRange, error) {
	md, err := cl.Metadata(ctx, &kafkago.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return nil, fmt.Errorf("read metadata of topic %s from %v: %w", topic, c.Brokers, err)
	}
	if len(md.Topics) != 1 || md.Topics[0].Error != nil || len(md.Topics[0].Partitions) == 0 {
		return nil, fmt.Errorf("%w: %s on %v", ErrTopicNotFound, topic, c.Brokers)
	}
	var reqs []kafkago.OffsetRequest
	for _, p := range md.Topics[0].Partitions {
		reqs = append(reqs, kafkago.FirstOffsetOf(p.ID), kafkago.LastOffsetOf(p.ID))
	}
	lo, err := cl.ListOffsets(ctx, &kafkago.ListOffsetsRequest{Topics: map[string][]kafkago.OffsetRequest{topic: reqs}})
	if err != nil {
		return nil, fmt.Errorf("list offsets of topic %s: %w", topic, err)
	}
	var out []PartitionRange
	for _, po := range lo.Topics[topic] {
		if po.Error != nil {
			return nil, fmt.Errorf("list offsets of %s/%d: %w", topic, po.Partition, po.Error)
		}
		out = append(out, PartitionRange{ID: po.Partition, First: po.FirstOffset, Last: po.LastOffset})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}
