package ledger

// Version is a committed value's version, as in Fabric: the block and the transaction within it that wrote it.
type Version struct {
	Block uint64 `json:"block"`
	Tx    uint64 `json:"tx"`
}

// Read records one point read; Version is nil when the key was absent.
type Read struct {
	Key     string   `json:"key"`
	Version *Version `json:"version,omitempty"`
}

// Write records one write or delete.
type Write struct {
	Key      string `json:"key"`
	Value    []byte `json:"value,omitempty"`
	IsDelete bool   `json:"isDelete,omitempty"`
}

// RangeRead records one range query: its bounds, the entries read (with versions) and whether the iterator was
// exhausted, like Fabric's RangeQueryInfo used for phantom-read detection.
type RangeRead struct {
	StartKey  string `json:"startKey"`
	EndKey    string `json:"endKey"`
	Exhausted bool   `json:"exhausted"`
	Reads     []Read `json:"reads"`
}

// CollectionRWSet is the read/write set of one private data collection.
type CollectionRWSet struct {
	Reads  []Read  `json:"reads,omitempty"`
	Writes []Write `json:"writes,omitempty"`
}

// RWSet is a transaction's read/write set. Reads and Writes are in the order they happened, except that Writes
// holds each key once, in order of its first write, with its last value (Fabric keeps only the last write).
type RWSet struct {
	Reads      []Read                     `json:"reads,omitempty"`
	RangeReads []RangeRead                `json:"rangeReads,omitempty"`
	Writes     []Write                    `json:"writes,omitempty"`
	Private    map[string]CollectionRWSet `json:"private,omitempty"`
}

// Empty reports whether the set records nothing at all.
func (s RWSet) Empty() bool {
	return len(s.Reads) == 0 && len(s.RangeReads) == 0 && len(s.Writes) == 0 && len(s.Private) == 0
}

// HasWrites reports whether the set writes or deletes anything, public or private.
func (s RWSet) HasWrites() bool {
	if len(s.Writes) > 0 {
		return true
	}
	for _, c := range s.Private {
		if len(c.Writes) > 0 {
			return true
		}
	}
	return false
}
