// Command notesv2 is version 2 of plugins/example's notes, as far as the upgrade test needs: it reads the notes
// version 1 wrote (same keys, same JSON) and says which version it is.
package main

import "github.com/medledger/medledger/plugins/sdk"

type note struct {
	ID    string `json:"id"`
	Text  string `json:"text"`
	MSPID string `json:"mspId"`
}

type idArgs struct {
	ID string `json:"id"`
}

func init() {
	sdk.Register("get", func(ctx sdk.Context, a idArgs) (note, error) {
		var n note
		found, err := ctx.GetJSON("note/"+a.ID, &n)
		if err == nil && !found {
			err = sdk.NewError(sdk.NotFound, "note "+a.ID+" does not exist")
		}
		return n, err
	})
	sdk.RegisterRaw("version", func(sdk.Context, []byte) ([]byte, error) { return []byte(`"2"`), nil })
}

func main() {}
