package fabricadmin

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/hyperledger/fabric-admin-sdk/pkg/channel"
	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
)

// OrdererAdmin drives one orderer's channel participation API (the REST service osnadmin uses), over mutual
// TLS with an identity the orderer's admin listener trusts.
type OrdererAdmin struct {
	url        string
	roots      *x509.CertPool
	clientCert tls.Certificate
	http       *http.Client
}

// OrdererChannel is what an orderer reports about one channel it is a member of.
type OrdererChannel struct {
	Name string `json:"name"`
	// Status is "onboarding", "active", "inactive" or "failed".
	Status string `json:"status"`
	// ConsensusRelation is "consenter", "follower" or "config-tracker".
	ConsensusRelation string `json:"consensusRelation"`
	Height            uint64 `json:"height"`
}

// NewOrdererAdmin returns a client for the admin listener at adminAddress (host:port).
//
// # Errors
//   - adminAddress is empty;
//   - rootCAs is empty or holds something other than PEM certificates.
func NewOrdererAdmin(adminAddress string, rootCAs [][]byte, clientCert tls.Certificate) (*OrdererAdmin, error) {
	if adminAddress == "" {
		return nil, errors.New("fabricadmin: orderer admin address is empty")
	}
	pool, err := certPool(rootCAs)
	if err != nil {
		return nil, fmt.Errorf("fabricadmin: orderer admin %s: %w", adminAddress, err)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{clientCert}, MinVersion: tls.VersionTLS12}}
	return &OrdererAdmin{
		url:        "https://" + adminAddress,
		roots:      pool,
		clientCert: clientCert,
		http:       &http.Client{Transport: tr, Timeout: 30 * time.Second},
	}, nil
}

// Join makes the orderer a member of the channel whose genesis (or latest config) block is block. Joining a
// channel the orderer already has is success.
//
// # Errors
//   - the block carries no channel ID;
//   - the orderer is unreachable or refuses the join (the message includes its reason);
//   - ctx ends first.
func (o *OrdererAdmin) Join(ctx context.Context, block *cb.Block) error {
	name, err := channelIDOf(block)
	if err != nil {
		return err
	}
	type result struct {
		status int
		body   string
		err    error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := channel.CreateChannel(o.url, block, o.roots, o.clientCert)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		done <- result{status: resp.StatusCode, body: string(body)}
	}()
	var r result
	select {
	case <-ctx.Done():
		return fmt.Errorf("fabricadmin: orderer %s join %s: %w", o.url, name, ctx.Err())
	case r = <-done:
	}
	switch {
	case r.err != nil:
		return fmt.Errorf("fabricadmin: orderer %s join %s: %w", o.url, name, r.err)
	case r.status == http.StatusCreated:
		return nil
	case r.status == http.StatusMethodNotAllowed && strings.Contains(r.body, "channel already exists"):
		return nil // idempotent: already a member
	default:
		return fmt.Errorf("fabricadmin: orderer %s join %s: HTTP %d: %s", o.url, name, r.status, strings.TrimSpace(r.body))
	}
}

// Channels lists the channels the orderer is a member of.
//
// # Errors
//   - the orderer is unreachable or answers with an error;
//   - ctx ends first.
func (o *OrdererAdmin) Channels(ctx context.Context) ([]string, error) {
	var list struct {
		Channels []struct {
			Name string `json:"name"`
		} `json:"channels"`
	}
	if err := o.get(ctx, "/participation/v1/channels", &list); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(list.Channels))
	for _, c := range list.Channels {
		names = append(names, c.Name)
	}
	return names, nil
}

// Channel reports the orderer's view of one channel: status, consensus relation and height.
//
// # Errors
//   - the orderer is not a member of the channel (HTTP 404) or is unreachable;
//   - ctx ends first.
func (o *OrdererAdmin) Channel(ctx context.Context, name string) (OrdererChannel, error) {
	var info OrdererChannel
	err := o.get(ctx, "/participation/v1/channels/"+name, &info)
	return info, err
}

func (o *OrdererAdmin) get(ctx context.Context, path string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.url+path, nil)
	if err != nil {
		return fmt.Errorf("fabricadmin: orderer %s: %w", o.url, err)
	}
	resp, err := o.http.Do(req)
	if err != nil {
		return fmt.Errorf("fabricadmin: orderer %s: %w", o.url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("fabricadmin: orderer %s GET %s: %w", o.url, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fabricadmin: orderer %s GET %s: HTTP %d: %s", o.url, path, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	if err := json.Unmarshal(body, into); err != nil {
		return fmt.Errorf("fabricadmin: orderer %s GET %s: %w", o.url, path, err)
	}
	return nil
}
