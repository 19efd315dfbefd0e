// loadgen: a gRPC (or, with -url, HTTP) load generator that calls a CentrifugoProxy method the way Centrifugo does —
// grpc-go (the same library and version Centrifugo v6.9.1 uses), one HTTP/2 connection (or -connections C, like C
// Centrifugo nodes or proxy kinds), N calls in flight, pre-serialized request bytes — and reports throughput and
// latency percentiles as JSON.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding"
)

// rawCodec sends and receives message bytes as they are: the request is serialized once, up front, so the
// generator spends no time encoding.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return *(v.(*[]byte)), nil }
func (rawCodec) Unmarshal(data []byte, v any) error {
	*(v.(*[]byte)) = append((*(v.(*[]byte)))[:0], data...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

var _ encoding.Codec = rawCodec{}

type result struct {
	Calls       int64   `json:"calls"`
	Errors      int64   `json:"errors"`
	FirstError  string  `json:"first_error,omitempty"`
	Seconds     float64 `json:"seconds"`
	Rps         float64 `json:"rps"`
	P50Micros   float64 `json:"p50_us"`
	P90Micros   float64 `json:"p90_us"`
	P99Micros   float64 `json:"p99_us"`
	MaxMicros   float64 `json:"max_us"`
	Concurrency int     `json:"concurrency"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:10001", "server address")
	method := flag.String("method", "/centrifugal.centrifugo.proxy.CentrifugoProxy/Connect", "full method")
	payloadFile := flag.String("payload", "", "file with the serialized request")
	concurrency := flag.Int("concurrency", 100, "calls in flight")
	duration := flag.Duration("duration", 3*time.Second, "measured duration")
	warmup := flag.Duration("warmup", time.Second, "unmeasured warm-up before it")
	timeout := flag.Duration("timeout", 5*time.Second, "per-call deadline")
	url := flag.String("url", "", "HTTP mode: POST the (JSON) payload to this URL, as Centrifugo's HTTP proxy does")
	connections := flag.Int("connections", 1, "gRPC client connections; the calls in flight are spread over them")
	flag.Parse()

	payload, err := os.ReadFile(*payloadFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "read payload:", err)
		os.Exit(2)
	}
	// call(w, ctx) makes one call for in-flight slot w.
	var call func(w int, ctx context.Context) error
	if *url != "" {
		httpCall := httpCaller(*url, payload)
		call = func(_ int, ctx context.Context) error { return httpCall(ctx) }
	} else {
		conns := make([]*grpc.ClientConn, *connections)
		for i := range conns {
			conn, err := grpc.NewClient(*addr,
				grpc.WithTransportCredentials(insecure.NewCredentials()),
				grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{})))
			if err != nil {
				fmt.Fprintln(os.Stderr, "dial:", err)
				os.Exit(2)
			}
			defer conn.Close()
			conns[i] = conn
		}
		call = func(w int, ctx context.Context) error {
			req := payload
			var resp []byte
			return conns[w%len(conns)].Invoke(ctx, *method, &req, &resp)
		}
	}

	var measuring atomic.Bool
	var stop atomic.Bool
	var calls, errors atomic.Int64
	var firstError atomic.Value
	latencies := make([][]time.Duration, *concurrency)
	var wg sync.WaitGroup
	for w := 0; w < *concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			local := make([]time.Duration, 0, 1<<14)
			for !stop.Load() {
				ctx, cancel := context.WithTimeout(context.Background(), *timeout)
				started := time.Now()
				err := call(w, ctx)
				elapsed := time.Since(started)
				cancel()
				if !measuring.Load() {
					continue
				}
				if err != nil {
					errors.Add(1)
					firstError.CompareAndSwap(nil, err.Error())
					continue
				}
				calls.Add(1)
				local = append(local, elapsed)
			}
			latencies[w] = local
		}(w)
	}
	time.Sleep(*warmup)
	measuring.Store(true)
	started := time.Now()
	time.Sleep(*duration)
	measuring.Store(false)
	seconds := time.Since(started).Seconds()
	stop.Store(true)
	wg.Wait()

	all := make([]time.Duration, 0, calls.Load())
	for _, l := range latencies {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		i := int(p * float64(len(all)-1))
		return float64(all[i].Nanoseconds()) / 1000
	}
	out := result{
		Calls: calls.Load(), Errors: errors.Load(), Seconds: seconds,
		Rps:       float64(calls.Load()) / seconds,
		P50Micros: pct(0.50), P90Micros: pct(0.90), P99Micros: pct(0.99), MaxMicros: pct(1),
		Concurrency: *concurrency,
	}
	if e, ok := firstError.Load().(string); ok {
		out.FirstError = e
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
