// Command warden is the ext_proc service that governs what AI agents do through Envoy. All of
// its work happens in package mainlib, so that tests run the same code in-process.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/warden-gw/warden/cmd/warden/mainlib"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := mainlib.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "warden:", err)
		os.Exit(mainlib.ExitCode(err))
	}
}
