// Command guest exercises every part of the SDK for the SDK's own behaviour tests (sdk_engine_test.go). It
// lives in testdata so `go build ./...` and hack/build-plugins.sh leave it alone.
package main

import (
	"strconv"

	"github.com/medledger/medledger/plugins/sdk"
)

type kv struct {
	Key   string `json:"key"`
	Value string `json:"value,omitempty"`
	Coll  string `json:"coll,omitempty"`
}

type rangeArgs struct {
	Start    string `json:"start"`
	End      string `json:"end"`
	Prefix   string `json:"prefix"`
	PageSize int    `json:"pageSize"`
	Stop     int    `json:"stop"` // break after this many entries; 0 for none
	Bookmark string `json:"bookmark"`
}

type event struct {
	Name    string `json:"name"`
	Kind    string `json:"kind"` // bytes, string, nil, json, bad
	Payload string `json:"payload"`
}

type txInfo struct {
	Function string `json:"function"`
	TxID     string `json:"txId"`
	TxTime   string `json:"txTime"`
}

// calls counts invocations in this instance's memory; Snapshot isolation must reset it before every call.
var calls int

func init() {
	sdk.Register("put", func(ctx sdk.Context, a kv) (struct{}, error) {
		if a.Coll != "" {
			ctx.Private(a.Coll).Put(a.Key, []byte(a.Value))
		} else {
			ctx.PutState(a.Key, []byte(a.Value))
		}
		return struct{}{}, nil
	})
	sdk.Register("get", func(ctx sdk.Context, a kv) (*string, error) {
		var v []byte
		var ok bool
		if a.Coll != "" {
			v, ok = ctx.Private(a.Coll).Get(a.Key)
		} else {
			v, ok = ctx.GetState(a.Key)
		}
		if !ok {
			return nil, nil // JSON null: absent
		}
		s := string(v)
		return &s, nil
	})
	sdk.Register("del", func(ctx sdk.Context, a kv) (struct{}, error) {
		if a.Coll != "" {
			ctx.Private(a.Coll).Delete(a.Key)
		} else {
			ctx.DelState(a.Key)
		}
		return struct{}{}, nil
	})
	// putget writes then reads back in the same call: reads must see the call's own writes.
	sdk.Register("putget", func(ctx sdk.Context, a kv) (string, error) {
		ctx.PutState(a.Key, []byte(a.Value))
		v, _ := ctx.GetState(a.Key)
		ctx.DelState(a.Key + "-gone")
		_, gone := ctx.GetState(a.Key + "-gone")
		return string(v) + " " + strconv.FormatBool(gone), nil
	})
	sdk.Register("json", func(ctx sdk.Context, a map[string]any) (map[string]any, error) {
		coll := ctx.Private("secrets")
		if err := ctx.PutJSON("doc", a); err != nil {
			return nil, err
		}
		if err := coll.PutJSON("doc", a); err != nil {
			return nil, err
		}
		var public, private map[string]any
		if _, err := ctx.GetJSON("doc", &public); err != nil {
			return nil, err
		}
		if _, err := coll.GetJSON("doc", &private); err != nil {
			return nil, err
		}
		var none map[string]any
		found, err := ctx.GetJSON("absent", &none)
		return map[string]any{"public": public, "private": private, "absentFound": found, "absentErr": err != nil}, nil
	})
	sdk.Register("getjson", func(ctx sdk.Context, a kv) (map[string]any, error) {
		var v map[string]any
		_, err := ctx.GetJSON(a.Key, &v)
		return v, err
	})
	sdk.Register("putjsonbad", func(ctx sdk.Context, _ struct{}) (struct{}, error) {
		return struct{}{}, ctx.PutJSON("bad", func() {})
	})
	sdk.Register("range", func(ctx sdk.Context, a rangeArgs) ([]string, error) {
		keys := []string{}
		seq := ctx.Range(a.Start, a.End, sdk.PageSize(a.PageSize))
		if a.Prefix != "" {
			seq = ctx.RangePrefix(a.Prefix, sdk.PageSize(a.PageSize))
		}
		for k, v := range seq {
			keys = append(keys, k+"="+string(v))
			if len(keys) == a.Stop {
				break
			}
		}
		return keys, nil
	})
	sdk.Register("page", func(ctx sdk.Context, a rangeArgs) (sdk.Page, error) {
		return ctx.RangePage(a.Start, a.End, a.Bookmark, a.PageSize), nil
	})
	sdk.Register("emit", func(ctx sdk.Context, evs []event) (struct{}, error) {
		for _, e := range evs {
			var p any
			switch e.Kind {
			case "bytes":
				p = []byte(e.Payload)
			case "string":
				p = e.Payload
			case "json":
				p = map[string]string{"v": e.Payload}
			case "bad":
				p = make(chan int)
			}
			if err := ctx.Emit(e.Name, p); err != nil {
				return struct{}{}, err
			}
		}
		return struct{}{}, nil
	})
	sdk.Register("caller", func(ctx sdk.Context, _ struct{}) (map[string]any, error) {
		id := ctx.Caller()
		onDuty, _ := id.Attr("onDuty")
		return map[string]any{"identity": id, "isClient": id.HasRole("client"), "onDuty": onDuty,
			"clinician": id.HasAttr("role", "clinician"), "again": ctx.Caller().ID == id.ID}, nil
	})
	sdk.Register("tx", func(ctx sdk.Context, _ struct{}) (txInfo, error) {
		ctx.Log(sdk.LevelDebug, "debug line")
		ctx.Logf(sdk.LevelWarn, "tx %s", ctx.TxID())
		return txInfo{Function: ctx.Function(), TxID: ctx.TxID(), TxTime: ctx.TxTime().Format("2006-01-02T15:04:05.000000000Z07:00")}, nil
	})
	sdk.Register("fail", func(ctx sdk.Context, a struct {
		How string `json:"how"`
	}) (struct{}, error) {
		ctx.PutState("written-before-failure", []byte("x"))
		_ = ctx.Emit("EmittedBeforeFailure", nil)
		switch a.How {
		case "coded":
			return struct{}{}, sdk.NewError(sdk.PermissionDenied, "clinician is not on duty")
		case "errorf":
			return struct{}{}, sdk.Errorf("consent %s: %w", "c1", sdk.NewError(sdk.NotFound, "no such consent"))
		case "panic":
			panic("dose table missing")
		case "panicerr":
			panic(sdk.NewError(sdk.FailedPrecondition, "consent revoked"))
		case "nilmap":
			var m map[string]int
			m["x"]++
		case "index":
			var s []int
			_ = s[len(a.How)]
		}
		return struct{}{}, nil
	})
	sdk.RegisterRaw("raw", func(ctx sdk.Context, args []byte) ([]byte, error) {
		return append([]byte("raw:"), args...), nil
	})
	sdk.Register("calls", func(ctx sdk.Context, _ struct{}) (int, error) {
		calls++
		return calls, nil
	})
	sdk.Register("badkey", func(ctx sdk.Context, _ struct{}) (struct{}, error) {
		ctx.PutState("", []byte("x")) // the host refuses empty keys with a trap
		return struct{}{}, nil
	})
}

func main() {}
