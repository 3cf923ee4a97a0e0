package extproctest

import (
	"context"
	"errors"
	"io"
	"sync"
)

// Body yields an HTTP body as the chunks (DATA frames) Envoy would see.
//
// Next returns the next chunk. It returns io.EOF after the last chunk, or
// together with the last chunk when the source knows it is the last one (a
// body with a known length): Envoy then sees end_stream on that chunk, as it
// does for a content-length body. A chunked body that ends separately shows
// up in Envoy as a last, empty chunk with end_stream, and so it does here.
type Body interface {
	Next(ctx context.Context) ([]byte, error)
	// Trailers returns the trailers that follow the body; valid after Next
	// returned io.EOF.
	Trailers() Headers
}

// Chunks returns a Body that yields the given chunks, the last one with end
// of stream, then the given trailers (nil for none).
func Chunks(trailers Headers, chunks ...string) Body {
	return &sliceBody{chunks: chunks, trailers: trailers}
}

type sliceBody struct {
	chunks   []string
	trailers Headers
}

func (b *sliceBody) Next(ctx context.Context) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(b.chunks) == 0 {
		return nil, io.EOF
	}
	c := b.chunks[0]
	b.chunks = b.chunks[1:]
	if len(b.chunks) == 0 {
		return []byte(c), io.EOF
	}
	return []byte(c), nil
}

func (b *sliceBody) Trailers() Headers { return b.trailers }

// ReaderBody returns a Body that reads r in chunks of at most chunkSize
// bytes, each chunk released as soon as a Read returns it. length is the
// declared content length, or -1 when unknown (chunked): with a known length
// the last chunk carries end of stream.
func ReaderBody(r io.Reader, length int64, chunkSize int) Body {
	if chunkSize <= 0 {
		chunkSize = 16 << 10
	}
	return &readerBody{r: r, left: length, size: chunkSize}
}

type readerBody struct {
	r    io.Reader
	left int64
	size int
	done bool
}

func (b *readerBody) Next(ctx context.Context) ([]byte, error) {
	if b.done {
		return nil, io.EOF
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if b.left == 0 {
		b.done = true
		return nil, io.EOF
	}
	buf := make([]byte, b.size)
	n, err := b.r.Read(buf)
	if b.left > 0 {
		b.left -= int64(n)
		if b.left <= 0 && err == nil {
			err = io.EOF
		}
	}
	if errors.Is(err, io.EOF) {
		b.done = true
		return buf[:n], io.EOF
	}
	if err != nil {
		return nil, err
	}
	return buf[:n], nil
}

func (b *readerBody) Trailers() Headers { return nil }

// pipe is the Body an upstream reads: the emulator writes the chunks it
// releases, in order, and never blocks on a slow reader (Envoy buffers).
type pipe struct {
	mu       sync.Mutex
	ready    chan struct{} // closed and replaced whenever state changes
	chunks   [][]byte
	closed   bool
	err      error
	trailers Headers
}

func newPipe() *pipe { return &pipe{ready: make(chan struct{})} }

func (p *pipe) signal() {
	close(p.ready)
	p.ready = make(chan struct{})
}

func (p *pipe) write(b []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.chunks = append(p.chunks, b)
	p.signal()
}

func (p *pipe) close(trailers Headers, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed, p.trailers, p.err = true, trailers, err
	p.signal()
}

func (p *pipe) Next(ctx context.Context) ([]byte, error) {
	for {
		p.mu.Lock()
		if len(p.chunks) > 0 {
			c := p.chunks[0]
			p.chunks = p.chunks[1:]
			last := p.closed && len(p.chunks) == 0 && p.err == nil
			p.mu.Unlock()
			if last {
				return c, io.EOF
			}
			return c, nil
		}
		if p.closed {
			err := p.err
			p.mu.Unlock()
			if err != nil {
				return nil, err
			}
			return nil, io.EOF
		}
		ready := p.ready
		p.mu.Unlock()
		select {
		case <-ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (p *pipe) Trailers() Headers {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.trailers
}

// ReadAll drains a Body into one byte slice (nil Body reads as empty).
func ReadAll(ctx context.Context, b Body) ([]byte, error) {
	if b == nil {
		return nil, nil
	}
	var out []byte
	for {
		c, err := b.Next(ctx)
		out = append(out, c...)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}
