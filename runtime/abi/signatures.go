package abi

// ValType is a WebAssembly value type as it appears in the binary format.
type ValType byte

// WebAssembly value types used by the ABI.
const (
	I32 ValType = 0x7f
	I64 ValType = 0x7e
)

// Signature is a function type: parameter and result value types.
type Signature struct {
	Params  []ValType
	Results []ValType
}

// bytesArg is one (ptr, len) byte-string argument.
var bytesArg = []ValType{I32, I32}

func cat(parts ...[]ValType) []ValType {
	var out []ValType
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// HostFunctions maps every function of ModuleName to its signature (ABI.md §3). A guest may import any subset.
var HostFunctions = map[string]Signature{
	FnInputFunction: {Results: []ValType{I64}},
	FnInputArgs:     {Results: []ValType{I64}},
	FnRegisterRead:  {Params: []ValType{I32}},
	FnStateGet:      {Params: bytesArg, Results: []ValType{I64}},
	FnStatePut:      {Params: cat(bytesArg, bytesArg)},
	FnStateDelete:   {Params: bytesArg},
	FnStateRange:    {Params: cat(bytesArg, bytesArg, bytesArg, []ValType{I32}), Results: []ValType{I64}},
	FnPrivateGet:    {Params: cat(bytesArg, bytesArg), Results: []ValType{I64}},
	FnPrivatePut:    {Params: cat(bytesArg, bytesArg, bytesArg)},
	FnPrivateDelete: {Params: cat(bytesArg, bytesArg)},
	FnEventEmit:     {Params: cat(bytesArg, bytesArg)},
	FnCaller:        {Results: []ValType{I64}},
	FnTxID:          {Results: []ValType{I64}},
	FnTxTimestamp:   {Results: []ValType{I64}},
	FnLog:           {Params: cat([]ValType{I32}, bytesArg)},
	FnResultSet:     {Params: bytesArg},
	FnAbort:         {Params: bytesArg},
}

// WASIFunctions maps every allowed function of WASIModuleName to its signature (ABI.md §6). Every other WASI
// function is rejected at deploy time.
var WASIFunctions = map[string]Signature{
	"args_get":            {Params: []ValType{I32, I32}, Results: []ValType{I32}},
	"args_sizes_get":      {Params: []ValType{I32, I32}, Results: []ValType{I32}},
	"environ_get":         {Params: []ValType{I32, I32}, Results: []ValType{I32}},
	"environ_sizes_get":   {Params: []ValType{I32, I32}, Results: []ValType{I32}},
	"clock_res_get":       {Params: []ValType{I32, I32}, Results: []ValType{I32}},
	"clock_time_get":      {Params: []ValType{I32, I64, I32}, Results: []ValType{I32}},
	"random_get":          {Params: []ValType{I32, I32}, Results: []ValType{I32}},
	"fd_write":            {Params: []ValType{I32, I32, I32, I32}, Results: []ValType{I32}},
	"fd_read":             {Params: []ValType{I32, I32, I32, I32}, Results: []ValType{I32}},
	"fd_seek":             {Params: []ValType{I32, I64, I32, I32}, Results: []ValType{I32}},
	"fd_close":            {Params: []ValType{I32}, Results: []ValType{I32}},
	"fd_fdstat_get":       {Params: []ValType{I32, I32}, Results: []ValType{I32}},
	"fd_fdstat_set_flags": {Params: []ValType{I32, I32}, Results: []ValType{I32}},
	"fd_prestat_get":      {Params: []ValType{I32, I32}, Results: []ValType{I32}},
	"fd_prestat_dir_name": {Params: []ValType{I32, I32, I32}, Results: []ValType{I32}},
	"poll_oneoff":         {Params: []ValType{I32, I32, I32, I32}, Results: []ValType{I32}},
	"proc_exit":           {Params: []ValType{I32}},
	"sched_yield":         {Results: []ValType{I32}},
}
