package network

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hyperledger/fabric-config/configtx"
	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	"google.golang.org/protobuf/proto"

	"github.com/medledger/medledger/operator/internal/network/channel"
)

func TestConsortium_GenesisBlock(t *testing.T) {
	c := consortium(func(c *Consortium) { c.Hospitals[0].AnchorPeers = 2 })
	cr, err := GenerateCrypto(c, CryptoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	orgs, _ := c.Orgs()
	raw, err := c.GenesisBlock(cr, DefaultEndpoints(orgs))
	if err != nil {
		t.Fatal(err)
	}
	block := &cb.Block{}
	if err := proto.Unmarshal(raw, block); err != nil {
		t.Fatal(err)
	}
	cfg, err := channel.ConfigFromBlock(block)
	if err != nil {
		t.Fatal(err)
	}
	ctx := configtx.New(cfg)
	ord, err := ctx.Orderer().Configuration()
	if err != nil {
		t.Fatal(err)
	}
	var consenters []string
	for _, k := range ord.EtcdRaft.Consenters {
		consenters = append(consenters, fmt.Sprintf("%s:%d", k.Address.Host, k.Address.Port))
	}
	if got := strings.Join(consenters, ","); got != "orderer0.orderer.medledger.local:7050,orderer1.orderer.medledger.local:7050,orderer2.orderer.medledger.local:7050" {
		t.Errorf("consenters = %s", got)
	}
	anchors, err := ctx.Application().Organization("Hospital1MSP").AnchorPeers()
	if err != nil || len(anchors) != 2 || anchors[1].Host != "peer1.hospital1.medledger.local" || anchors[1].Port != 7051 {
		t.Errorf("Hospital1MSP anchors = %v, %v", anchors, err)
	}
}

func TestConsortium_ChannelSpec_Errors(t *testing.T) {
	c := consortium()
	cr, err := GenerateCrypto(c, CryptoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	orgs, _ := c.Orgs()
	without := func(host string) Endpoints {
		eps := DefaultEndpoints(orgs)
		delete(eps, host)
		return eps
	}
	tests := []struct {
		name string
		c    Consortium
		cr   *Crypto
		eps  Endpoints
		want string
	}{
		{"invalid consortium", consortium(func(c *Consortium) { c.ChannelID = "" }), cr, DefaultEndpoints(orgs), "channel ID is empty"},
		{"no crypto", c, nil, DefaultEndpoints(orgs), "no crypto material"},
		{"missing organisation", c, &Crypto{Orgs: cr.Orgs[:2]}, DefaultEndpoints(orgs), `no crypto material for organisation "hospital2"`},
		{"missing orderer endpoint", c, cr, without("orderer1.orderer.medledger.local"), `no endpoint for orderer "orderer1.orderer.medledger.local"`},
		{"missing anchor endpoint", c, cr, without("peer0.hospital2.medledger.local"), `no endpoint for anchor peer "peer0.hospital2.medledger.local"`},
		{"consenter host outside SANs", c, cr, func() Endpoints {
			eps := DefaultEndpoints(orgs)
			eps["orderer0.orderer.medledger.local"] = channel.Address{Host: "127.0.0.1", Port: 7050}
			return eps
		}(), "server TLS certificate does not cover the host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			block, err := tt.c.GenesisBlock(tt.cr, tt.eps)
			if err == nil || !strings.Contains(err.Error(), tt.want) || block != nil {
				t.Fatalf("GenesisBlock = %d bytes, %v; want error containing %q", len(block), err, tt.want)
			}
		})
	}
}

func TestDefaultEndpoints(t *testing.T) {
	orgs, _ := consortium().Orgs()
	eps := DefaultEndpoints(orgs)
	if len(eps) != 6 {
		t.Fatalf("endpoints = %d, want 3 orderers + 3 peers", len(eps))
	}
	if got := eps["orderer1.orderer.medledger.local"].String(); got != "orderer1.orderer.medledger.local:7050" {
		t.Errorf("orderer1 = %s", got)
	}
	if got := eps["peer1.hospital1.medledger.local"].String(); got != "peer1.hospital1.medledger.local:7051" {
		t.Errorf("peer1 = %s", got)
	}
}
