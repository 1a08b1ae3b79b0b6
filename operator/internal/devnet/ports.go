package devnet

import (
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
)

// portUse names what a port is for, so a collision error can say which node and listener lost it.
type portUse struct {
	Node    string `json:"node"`
	Purpose string `json:"purpose"` // "listen", "chaincode", "operations", "admin", ...
	Port    int    `json:"port"`
}

// allocatePorts returns n distinct free ports on 127.0.0.1. With base 0 the kernel picks them; otherwise they are
// taken consecutively from base, skipping none: a busy port in that range is an error naming the port, since
// the user asked for that range on purpose.
func allocatePorts(n, base int) ([]int, error) {
	if n < 0 {
		return nil, errors.New("devnet: negative port count")
	}
	if base != 0 && (base < 1024 || base+n-1 > 65535) {
		return nil, fmt.Errorf("devnet: --base-port %d: the range %d-%d must lie within 1024-65535", base, base, base+n-1)
	}
	// Hold every listener until all are chosen so the kernel never hands out the same port twice.
	held := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range held {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for i := 0; i < n; i++ {
		addr := "127.0.0.1:0"
		if base != 0 {
			addr = "127.0.0.1:" + strconv.Itoa(base+i)
		}
		l, err := net.Listen("tcp", addr)
		if err != nil {
			if base != 0 {
				return nil, fmt.Errorf("devnet: port %d (from --base-port %d) is in use: choose another base port or stop what holds it", base+i, base)
			}
			return nil, fmt.Errorf("devnet: no free port on 127.0.0.1: %w", err)
		}
		held = append(held, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// checkPortsFree verifies, before a restart, that nothing else holds the ports a devnet recorded. The error lists
// every busy port with its node and purpose.
func checkPortsFree(uses []portUse) error {
	var busy []portUse
	for _, u := range uses {
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(u.Port))
		if err != nil {
			busy = append(busy, u)
			continue
		}
		l.Close()
	}
	if len(busy) == 0 {
		return nil
	}
	sort.Slice(busy, func(i, j int) bool { return busy[i].Port < busy[j].Port })
	msg := "devnet: port collision: "
	for i, u := range busy {
		if i > 0 {
			msg += ", "
		}
		msg += fmt.Sprintf("127.0.0.1:%d (%s %s)", u.Port, u.Node, u.Purpose)
	}
	return errors.New(msg + " already in use by another process; stop it, or `medledger devnet down --purge` and start afresh")
}
