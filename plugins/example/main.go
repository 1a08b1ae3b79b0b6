// Command example is a small medledger contract: shared notes with authorship, a counter, range listing and
// events. It shows the plugins/sdk API end to end; see main_test.go for how it is tested in the real engine.
package main

import (
	"strconv"
	"time"

	"github.com/medledger/medledger/plugins/sdk"
)

// Note is a stored note; its key is "note/<id>".
type Note struct {
	ID      string    `json:"id"`
	Text    string    `json:"text"`
	Author  string    `json:"author"` // caller identity ID
	MSPID   string    `json:"mspId"`
	Created time.Time `json:"created"`
}

type addArgs struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

type idArgs struct {
	ID string `json:"id"`
}

func init() {
	sdk.Register("add", add)
	sdk.Register("get", get)
	sdk.Register("list", list)
	sdk.Register("remove", remove)
	sdk.RegisterRaw("count", func(ctx sdk.Context, _ []byte) ([]byte, error) {
		n, _ := ctx.GetState("count")
		if n == nil {
			n = []byte("0")
		}
		return n, nil
	})
}

func add(ctx sdk.Context, a addArgs) (Note, error) {
	caller := ctx.Caller()
	if !caller.HasRole("client", "admin") {
		return Note{}, sdk.NewError(sdk.PermissionDenied, "role "+caller.Role+" may not add notes")
	}
	if a.ID == "" || a.Text == "" {
		return Note{}, sdk.NewError(sdk.InvalidArgument, "id and text are required")
	}
	if _, exists := ctx.GetState("note/" + a.ID); exists {
		return Note{}, sdk.NewError(sdk.AlreadyExists, "note "+a.ID+" exists")
	}
	n := Note{ID: a.ID, Text: a.Text, Author: caller.ID, MSPID: caller.MSPID, Created: ctx.TxTime()}
	if err := ctx.PutJSON("note/"+a.ID, n); err != nil {
		return Note{}, err
	}
	count, _ := ctx.GetState("count")
	c, _ := strconv.Atoi(string(count))
	ctx.PutState("count", []byte(strconv.Itoa(c+1)))
	return n, ctx.Emit("NoteAdded", idArgs{ID: a.ID})
}

func get(ctx sdk.Context, a idArgs) (Note, error) {
	var n Note
	found, err := ctx.GetJSON("note/"+a.ID, &n)
	if err == nil && !found {
		err = sdk.NewError(sdk.NotFound, "note "+a.ID+" does not exist")
	}
	return n, err
}

func list(ctx sdk.Context, _ struct{}) ([]string, error) {
	ids := []string{}
	for key := range ctx.RangePrefix("note/", sdk.PageSize(10)) {
		ids = append(ids, key[len("note/"):])
	}
	return ids, nil
}

func remove(ctx sdk.Context, a idArgs) (struct{}, error) {
	n, err := get(ctx, a)
	if err != nil {
		return struct{}{}, err
	}
	if caller := ctx.Caller(); caller.ID != n.Author && !caller.HasRole("admin") {
		return struct{}{}, sdk.NewError(sdk.PermissionDenied, "only the author or an admin may remove note "+a.ID)
	}
	ctx.DelState("note/" + a.ID)
	ctx.Logf(sdk.LevelInfo, "note %s removed", a.ID)
	return struct{}{}, ctx.Emit("NoteRemoved", idArgs{ID: a.ID})
}

func main() {}
