package extproc

import (
	"runtime"

	"google.golang.org/grpc"
)

// GRPCServerOptions are the gRPC server options the ext_proc service is built for; the caller
// adds its own (credentials, message sizes).
//
// Envoy opens one stream per HTTP request, so a gRPC server that starts a goroutine per stream
// starts one per request, and each new goroutine grows its stack (copying it, several times)
// the first time a request goes deep into inspection and policy: about a tenth of warden's CPU
// per exchange in the sequential profile of BenchmarkDataPlane. Stream workers run streams on
// goroutines that are kept and reused, whose stacks are already grown. A stream that finds
// every worker busy gets a goroutine of its own as before, so the number of workers bounds
// nothing and queues nothing; grpc-go replaces each worker after 65536 streams, which returns
// a stack grown by one unusual request.
func GRPCServerOptions() []grpc.ServerOption {
	return []grpc.ServerOption{grpc.NumStreamWorkers(streamWorkers())}
}

// streamWorkers is enough workers for the streams a gateway keeps in flight (at least 128:
// with fewer, most of 64 concurrent streams found every worker busy and started on a new
// goroutine, whose stack then grew ~14 µs of CPU per exchange in BenchmarkDataPlane's
// concurrent64 profile), without keeping thousands of idle stacks (at most 1024, however many
// CPUs). An idle worker's stack is still halved by each GC cycle that finds it mostly unused.
func streamWorkers() uint32 {
	return uint32(min(max(128, 8*runtime.GOMAXPROCS(0)), 1024))
}
