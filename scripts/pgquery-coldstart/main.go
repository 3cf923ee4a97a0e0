// Command pgquery-coldstart measures what the pure-Go PostgreSQL parser (libpg_query compiled to
// wasm, run by wazero) costs a warden process: the first parse (module compile), the next ones,
// and N first parses at once (each concurrent caller instantiates, and compiles, its own module),
// against pg_query_go (cgo), which warden links. It is its own module so that warden's go.mod
// does not carry the wasm parser it decided against.
//
//	cd scripts/pgquery-coldstart && go run . -n 3     # wasm
//	cd scripts/pgquery-coldstart && go run . -cgo     # cgo
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"time"

	pgcgo "github.com/pganalyze/pg_query_go/v6"
	pgwasm "github.com/wasilibs/go-pgquery"
)

const update = "UPDATE orders SET status = 'shipped', updated_at = now() WHERE id = 9 AND status = 'paid'"

func main() {
	n := flag.Int("n", 2, "concurrent first parses after the first one")
	loops := flag.Int("loops", 2000, "sequential parses to time after warm-up")

	cgo := flag.Bool("cgo", false, "measure pg_query_go (cgo) instead of the wasm build")
	flag.Parse()
	if *cgo {
		measureCgo(*loops)
		return
	}
	t0 := time.Now()
	if _, err := pgwasm.Parse(update); err != nil {
		fail(err)
	}
	fmt.Printf("first parse (compile + instantiate): %v\n", time.Since(t0))
	fmt.Printf("heap+other after first: %s\n", mem())

	t0 = time.Now()
	for range *loops {
		if _, err := pgwasm.Parse(update); err != nil {
			fail(err)
		}
	}
	fmt.Printf("warm parse of a small UPDATE: %v/op over %d\n", time.Since(t0)/time.Duration(*loops), *loops)

	big := strings.Repeat(update+";\n", 100)
	var wg sync.WaitGroup
	start := make(chan struct{})
	durs := make([]time.Duration, *n+1)
	for i := range *n + 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			t := time.Now()
			if _, err := pgwasm.Parse(big); err != nil {
				fail(err)
			}
			durs[i] = time.Since(t)
		}()
	}
	t0 = time.Now()
	close(start)
	wg.Wait()
	fmt.Printf("%d parses at once (pool had 1 instance): wall %v, each %v\n", *n+1, time.Since(t0), durs)
	fmt.Printf("memory after: %s (GOMAXPROCS=%d)\n", mem(), runtime.GOMAXPROCS(0))
}

func mem() string {
	runtime.GC()
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/total:bytes"}}
	metrics.Read(s)
	st, _ := os.ReadFile("/proc/self/status")
	rss := ""
	for _, l := range strings.Split(string(st), "\n") {
		if strings.HasPrefix(l, "VmRSS") || strings.HasPrefix(l, "VmHWM") {
			rss += " " + strings.Join(strings.Fields(l), " ")
		}
	}
	return fmt.Sprintf("live heap %.1f MiB, Go runtime total %.1f MiB,%s",
		float64(s[0].Value.Uint64())/(1<<20), float64(s[1].Value.Uint64())/(1<<20), rss)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func measureCgo(loops int) {
	t0 := time.Now()
	if _, err := pgcgo.Parse(update); err != nil {
		fail(err)
	}
	fmt.Printf("cgo first parse: %v\n%s\n", time.Since(t0), mem())
	t0 = time.Now()
	for range loops {
		if _, err := pgcgo.Parse(update); err != nil {
			fail(err)
		}
	}
	fmt.Printf("cgo warm parse of a small UPDATE: %v/op over %d\n%s\n", time.Since(t0)/time.Duration(loops), loops, mem())
}
