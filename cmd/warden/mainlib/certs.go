package mainlib

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"

	"github.com/warden-gw/warden/internal/tlsconf"
)

// runCerts is `warden certs`: a throwaway CA and the certificates docker-compose and local
// set-ups need for mutual TLS between Envoy and warden (docs/tls.md).
func runCerts(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("warden certs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "directory to write ca/, warden/ and envoy/ into (required)")
	var names multiFlag
	fs.Var(&names, "server-name", "extra DNS name for warden's certificate (repeatable; warden and localhost are always in)")
	clientID := fs.String("client-id", tlsconf.DevClientID, "SPIFFE ID of Envoy's client certificate")
	force := fs.Bool("force", false, "replace certificates that already exist")
	keyMode := fs.String("key-mode", "0600", "file mode of the key files (0644 when the containers run as different users)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: warden certs --dir DIR [--server-name NAME] [--client-id ID] [--force]\n\n"+
			"Writes a development CA, warden's server certificate (DIR/warden/tls.crt, tls.key, ca.crt) and\n"+
			"Envoy's client certificate (DIR/envoy/...). Existing certificates are kept unless --force.\n"+
			"For production use your mesh's or cert-manager's CA (docs/tls.md).")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" || fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("%w: --dir is required and takes no arguments", ErrUsage)
	}
	mode, err := parseKeyMode(*keyMode)
	if err != nil {
		return err
	}
	files, err := tlsconf.WriteDevCerts(*dir, tlsconf.DevCertOptions{ServerNames: names, ClientID: *clientID, Force: *force, KeyMode: mode})
	if errors.Is(err, tlsconf.ErrExists) {
		fmt.Fprintf(stdout, "warden certs: %v; kept\n", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("certs: %w", err)
	}
	for _, f := range files {
		fmt.Fprintln(stdout, f)
	}
	return nil
}

func parseKeyMode(s string) (iofs.FileMode, error) {
	var m uint32
	if _, err := fmt.Sscanf(s, "%o", &m); err != nil || m > 0o777 || m&0o400 == 0 || m&0o022 != 0 {
		return 0, fmt.Errorf("%w: --key-mode %q: an octal mode the owner can read and nobody else can write, e.g. 0600", ErrUsage, s)
	}
	return iofs.FileMode(m), nil
}
