// goserver: the language ceiling for `npm run bench` — a grpc-go server answering CentrifugoProxy Connect, Subscribe
// and RPC with precomputed responses (read from files written by bench/run.ts), without decoding requests, like the
// node:http2 floor but in Go. It prints "ready PORT" once listening.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"

	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
)

type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return *(v.(*[]byte)), nil }
func (rawCodec) Unmarshal(data []byte, v any) error {
	*(v.(*[]byte)) = data
	return nil
}
func (rawCodec) Name() string { return "proto" }

var _ encoding.Codec = rawCodec{}

func unary(response []byte) grpc.MethodHandler {
	return func(_ any, ctx context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
		var request []byte
		if err := dec(&request); err != nil {
			return nil, err
		}
		out := response
		return &out, nil
	}
}

func main() {
	dir := flag.String("responses", ".", "directory with Connect.res, Subscribe.res, RPC.res")
	flag.Parse()
	read := func(name string) []byte {
		b, err := os.ReadFile(*dir + "/" + name + ".res")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		return b
	}
	service := grpc.ServiceDesc{
		ServiceName: "centrifugal.centrifugo.proxy.CentrifugoProxy",
		HandlerType: (*any)(nil),
		Methods: []grpc.MethodDesc{
			{MethodName: "Connect", Handler: unary(read("Connect"))},
			{MethodName: "Subscribe", Handler: unary(read("Subscribe"))},
			{MethodName: "RPC", Handler: unary(read("RPC"))},
		},
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	server := grpc.NewServer(grpc.ForceServerCodec(rawCodec{}))
	var impl any = struct{}{}
	server.RegisterService(&service, impl)
	fmt.Printf("ready %d\n", listener.Addr().(*net.TCPAddr).Port)
	go func() {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, os.Interrupt)
		<-stop
		server.Stop()
	}()
	_ = server.Serve(listener)
}
