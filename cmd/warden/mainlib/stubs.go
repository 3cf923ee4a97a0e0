package mainlib

import (
	"context"
	"errors"
	"io"
)

var errNotYet = errors.New("not available in this build yet")

func runRedact(context.Context, []string, io.Reader, io.Writer, io.Writer) error { return errNotYet }
func runAudit(context.Context, []string, io.Reader, io.Writer, io.Writer) error  { return errNotYet }
