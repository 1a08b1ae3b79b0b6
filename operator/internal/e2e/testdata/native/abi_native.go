//go:build !wasip1

// This file replaces plugins/sdk/abi_host.go (go build -overlay) to compile a contract as a native Go
// chaincode: the SDK's host functions are served from the Fabric shim in-process, with the engine's semantics
// (keys under "ns/<contract>/", a per-call write buffer that reads see, writes flushed only on success, events
// combined into one chaincode event). The benchmark builds plugins/consent this way to compare the same
// contract code running natively and as WebAssembly on wasmcc. Test infrastructure, not product code.

package sdk

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	pb "github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/keepalive"

	"github.com/medledger/medledger/runtime/ledger/fabricstub"
)

// nativeWrite is a buffered write (or delete) of one key.
type nativeWrite struct {
	coll, key string
	value     []byte
	deleted   bool
}

// native is the call in progress; the SDK's registry is global, so calls run one at a time.
var native struct {
	mu       sync.Mutex
	stub     shim.ChaincodeStubInterface
	ns       string
	fn       string
	args     []byte
	caller   []byte
	ts       int64
	register []byte
	result   []byte
	writes   map[string]*nativeWrite
	order    []string
	events   []fabricstub.Event
}

func setRegister(b []byte) int64 {
	native.register = b
	return int64(len(b))
}

// fail ends the call as a host failure (the SDK turns the panic into the call's error).
func fail(op string, err error) { panic(NewError(Internal, op+": "+err.Error())) }

func abiInputFunction() int64 { return setRegister([]byte(native.fn)) }
func abiInputArgs() int64     { return setRegister(native.args) }
func abiRegisterRead(dst unsafe.Pointer) {
	copy(unsafe.Slice((*byte)(dst), len(native.register)), native.register)
}

func bufKey(coll, key string) string { return coll + "\x00" + key }

func get(coll, key string) int64 {
	k := native.ns + key
	if w, ok := native.writes[bufKey(coll, k)]; ok {
		if w.deleted {
			return -1
		}
		return setRegister(w.value)
	}
	var v []byte
	var err error
	if coll == "" {
		v, err = native.stub.GetState(k)
	} else {
		v, err = native.stub.GetPrivateData(coll, k)
	}
	if err != nil {
		fail("get", err)
	}
	if len(v) == 0 {
		return -1
	}
	return setRegister(v)
}

func put(coll, key string, value []byte, deleted bool) {
	k := native.ns + key
	bk := bufKey(coll, k)
	if _, ok := native.writes[bk]; !ok {
		native.order = append(native.order, bk)
	}
	native.writes[bk] = &nativeWrite{coll: coll, key: k, value: append([]byte(nil), value...), deleted: deleted || len(value) == 0}
}

func abiStateGet(key string) int64         { return get("", key) }
func abiStatePut(key, val string)          { put("", key, []byte(val), false) }
func abiStateDelete(key string)            { put("", key, nil, true) }
func abiPrivateGet(coll, key string) int64 { return get(coll, key) }
func abiPrivatePut(coll, key, val string)  { put(coll, key, []byte(val), false) }
func abiPrivateDelete(coll, key string)    { put(coll, key, nil, true) }
func abiEventEmit(name, payload string) {
	native.events = append(native.events, fabricstub.Event{Name: strings.Clone(name), Payload: []byte(payload)})
}
func abiCaller() int64         { return setRegister(native.caller) }
func abiTxID() int64           { return setRegister([]byte(native.stub.GetTxID())) }
func abiTxTimestamp() int64    { return native.ts }
func abiLog(uint32, string)    {}
func abiResultSet(data string) { native.result = []byte(data) }

// abiStateRange serves one page of ABI.md §4 from the ledger merged with the write buffer.
func abiStateRange(start, end, bookmark string, pageSize uint32) int64 {
	if pageSize == 0 || pageSize > 100 {
		pageSize = 100
	}
	lo := native.ns + start
	if bookmark != "" {
		lo = native.ns + bookmark
	}
	hi := native.ns + end
	if end == "" {
		hi = native.ns[:len(native.ns)-1] + string(native.ns[len(native.ns)-1]+1)
	}
	entries := map[string][]byte{}
	if lo < hi {
		it, err := native.stub.GetStateByRange(lo, hi)
		if err != nil {
			fail("range", err)
		}
		for it.HasNext() {
			kv, err := it.Next()
			if err != nil {
				fail("range", err)
			}
			entries[kv.Key] = kv.Value
		}
		it.Close()
	}
	for _, w := range native.writes {
		if w.coll == "" && w.key >= lo && w.key < hi {
			if w.deleted {
				delete(entries, w.key)
			} else {
				entries[w.key] = w.value
			}
		}
	}
	keys := make([]string, 0, len(entries))
	for k := range entries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	next := ""
	if len(keys) > int(pageSize) {
		next = strings.TrimPrefix(keys[pageSize], native.ns)
		keys = keys[:pageSize]
	}
	out := binary.LittleEndian.AppendUint32(nil, uint32(len(keys)))
	for _, k := range keys {
		key := strings.TrimPrefix(k, native.ns)
		out = binary.LittleEndian.AppendUint32(out, uint32(len(key)))
		out = append(out, key...)
		out = binary.LittleEndian.AppendUint32(out, uint32(len(entries[k])))
		out = append(out, entries[k]...)
	}
	out = binary.LittleEndian.AppendUint32(out, uint32(len(next)))
	return setRegister(append(out, next...))
}

// nativeChaincode runs the registered contract functions; args[0] names the function, args[1] is its JSON.
type nativeChaincode struct{ contract string }

func (nativeChaincode) Init(shim.ChaincodeStubInterface) *pb.Response { return shim.Success(nil) }

func (c nativeChaincode) Invoke(stub shim.ChaincodeStubInterface) *pb.Response {
	args := stub.GetArgs()
	if len(args) == 0 {
		return shim.Error("no function")
	}
	creator, err := fabricstub.Caller(stub)
	if err != nil {
		return shim.Error(err.Error())
	}
	ts, err := fabricstub.TxTime(stub)
	if err != nil {
		return shim.Error(err.Error())
	}
	caller, _ := json.Marshal(creator.Identity)
	native.mu.Lock()
	defer native.mu.Unlock()
	native.stub, native.ns, native.fn, native.caller, native.ts = stub, "ns/"+c.contract+"/", string(args[0]), caller, ts.UnixNano()
	native.args = nil
	if len(args) > 1 {
		native.args = args[1]
	}
	native.writes, native.order, native.events, native.result = map[string]*nativeWrite{}, nil, nil, nil
	if status := defaultRegistry.invoke(); status != 0 {
		return &pb.Response{Status: 400, Message: string(native.result)}
	}
	for _, bk := range native.order {
		w := native.writes[bk]
		switch {
		case w.coll == "" && w.deleted:
			err = stub.DelState(w.key)
		case w.coll == "":
			err = stub.PutState(w.key, w.value)
		case w.deleted:
			err = stub.DelPrivateData(w.coll, w.key)
		default:
			err = stub.PutPrivateData(w.coll, w.key, w.value)
		}
		if err != nil {
			return shim.Error(err.Error())
		}
	}
	if err := fabricstub.SetEvents(stub, c.contract, native.events); err != nil {
		return shim.Error(err.Error())
	}
	return shim.Success(native.result)
}

// nativeTLS returns the server's TLS settings from CHAINCODE_TLS_CERT, CHAINCODE_TLS_KEY and
// CHAINCODE_CLIENT_CA_CERT (mutual TLS), or nil when no certificate is set.
func nativeTLS() (*tls.Config, error) {
	certFile, keyFile, caFile := os.Getenv("CHAINCODE_TLS_CERT"), os.Getenv("CHAINCODE_TLS_KEY"), os.Getenv("CHAINCODE_CLIENT_CA_CERT")
	if certFile == "" {
		return nil, nil
	}
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	if caFile != "" {
		ca, err := os.ReadFile(caFile)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(ca) {
			return nil, errors.New("client CA: no PEM certificate")
		}
		cfg.ClientCAs, cfg.ClientAuth = pool, tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

// ServeNative serves the contract registered in this binary as a native chaincode-as-a-service at
// CHAINCODE_SERVER_ADDRESS under CHAINCODE_ID, over TLS when CHAINCODE_TLS_CERT is set, until SIGTERM.
func ServeNative(contract string) {
	addr, ccid := os.Getenv("CHAINCODE_SERVER_ADDRESS"), os.Getenv("CHAINCODE_ID")
	if addr == "" || ccid == "" {
		fmt.Fprintln(os.Stderr, "CHAINCODE_SERVER_ADDRESS and CHAINCODE_ID must be set")
		os.Exit(2)
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tlsCfg, err := nativeTLS()
	if err != nil {
		fmt.Fprintln(os.Stderr, "TLS:", err)
		os.Exit(1)
	}
	opts := []grpc.ServerOption{
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: time.Minute, PermitWithoutStream: true}),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: time.Minute, Timeout: 20 * time.Second}),
		grpc.MaxRecvMsgSize(100 << 20), grpc.MaxSendMsgSize(100 << 20),
	}
	if tlsCfg != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(tlsCfg)))
	}
	srv := grpc.NewServer(opts...)
	pb.RegisterChaincodeServer(srv, &shim.ChaincodeServer{CCID: ccid, CC: nativeChaincode{contract: contract}})
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		srv.Stop()
	}()
	if err := srv.Serve(lis); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
