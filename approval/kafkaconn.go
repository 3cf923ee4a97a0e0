package approval

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
)

// KafkaTLS configures TLS to the brokers.
type KafkaTLS struct {
	CAFile     string `yaml:"ca_file"`   // PEM CA bundle; empty: system roots
	CertFile   string `yaml:"cert_file"` // client certificate for mTLS
	KeyFile    string `yaml:"key_file"`
	ServerName string `yaml:"server_name"` // overrides the name checked in the broker's certificate
}

// KafkaSASL configures SASL authentication. Only PLAIN is supported (over TLS).
type KafkaSASL struct {
	Mechanism    string `yaml:"mechanism"` // PLAIN
	Username     string `yaml:"username"`
	PasswordFile string `yaml:"password_file"` // the password is read from a file, never from YAML
}

// connection is what readers, the writer and the metadata client share.
type connection struct {
	tls  *tls.Config
	sasl sasl.Mechanism
}

func (c KafkaConfig) connection() (connection, error) {
	var conn connection
	if t := c.TLS; t != nil {
		tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.ServerName}
		if t.CAFile != "" {
			pem, err := os.ReadFile(t.CAFile)
			if err != nil {
				return conn, fmt.Errorf("approval.kafka.tls.ca_file: %w", err)
			}
			tc.RootCAs = x509.NewCertPool()
			if !tc.RootCAs.AppendCertsFromPEM(pem) {
				return conn, fmt.Errorf("approval.kafka.tls.ca_file %s holds no PEM certificate", t.CAFile)
			}
		}
		if t.CertFile != "" || t.KeyFile != "" {
			cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
			if err != nil {
				return conn, fmt.Errorf("approval.kafka.tls cert_file/key_file: %w", err)
			}
			tc.Certificates = []tls.Certificate{cert}
		}
		conn.tls = tc
	}
	if s := c.SASL; s != nil {
		if !strings.EqualFold(s.Mechanism, "PLAIN") {
			return conn, fmt.Errorf("approval.kafka.sasl.mechanism %q is not supported: use PLAIN (over TLS)", s.Mechanism)
		}
		if s.Username == "" || s.PasswordFile == "" {
			return conn, errors.New("approval.kafka.sasl: set username and password_file")
		}
		pw, err := os.ReadFile(s.PasswordFile)
		if err != nil {
			return conn, fmt.Errorf("approval.kafka.sasl.password_file: %w", err)
		}
		conn.sasl = plain.Mechanism{Username: s.Username, Password: strings.TrimRight(string(pw), "\r\n")}
	}
	return conn, nil
}

func (c connection) transport(clientID string) *kafkago.Transport {
	return &kafkago.Transport{ClientID: clientID, TLS: c.tls, SASL: c.sasl, DialTimeout: 5 * time.Second}
}

func (c connection) dialer(clientID string) *kafkago.Dialer {
	return &kafkago.Dialer{ClientID: clientID, TLS: c.tls, SASLMechanism: c.sasl, Timeout: 5 * time.Second}
}
